// The scenarios. Each drives the same load against Parley and against the bare `ws` ceiling and
// reports both, so that the ratio of the two (same machine, same run) is the figure that counts.
import http from 'node:http';
import { cpuSeconds, LOCAL_ADDRESSES, quiesce, rssKib, split, Workers, writeCalls, type ServerProcess } from './harness.js';
import type { FetchSocketResult, PersonalUser, StepResult } from './protocol.js';
import type { BenchUser } from './setup.js';
import { Histogram, type LatencySummary } from './stats.js';

export interface Step {
  /** Offered rate: messages a second sent. */
  rate: number;
  sent: number;
  received: number;
  errors: number;
  /** Deliveries (fan-out) or messages delivered (personal) per second. */
  throughput: number;
  latency: LatencySummary;
  /** Mean size of a received frame, in bytes. */
  frameBytes: number;
  /** msg_sent latency in the phone scenario. */
  secondary?: LatencySummary;
  unacknowledged?: number;
  /** Server CPU used during the step, as a share of one core. */
  serverCpu: number;
  /** The server's write system calls during the step, per message sent (absent in results of earlier runs). */
  serverWrites?: number;
  ok: boolean;
}

export interface Ladder {
  steps: Step[];
  /** The best step that met the latency bound with nothing lost, if any. */
  best: Step | undefined;
}

const wsUrl = (base: string, path: string): string => `${base.replace(/^http/, 'ws')}${path}`;

function merge(results: StepResult[], pick: (r: StepResult) => number[]): Histogram {
  const total = new Histogram();
  for (const r of results) total.merge(new Histogram(pick(r)));
  return total;
}

type Flavour = 'bare' | 'parley';

/** One contender of an interleaved climb: its server, how to run a step, how to judge it. */
interface Contender {
  flavour: Flavour;
  server: ServerProcess;
  runStep(rate: number): Promise<StepResult[]>;
  judge(rate: number, results: StepResult[], cpu: number): Step;
}

/**
 * Runs rising rates, the bare ceiling and Parley one after the other at each rate, so that
 * both see the same machine (other load on it drifts); each stops after two misses in a row.
 */
async function climb(rates: readonly number[], contenders: Contender[], log: (line: string) => void): Promise<Record<Flavour, Ladder>> {
  const steps = new Map<Flavour, Step[]>(contenders.map((c) => [c.flavour, []]));
  const failures = new Map<Flavour, number>(contenders.map((c) => [c.flavour, 0]));
  // A first step at the lowest rate, not recorded: JIT, statement caches and token caches warm up.
  for (const contender of contenders) {
    await contender.runStep(rates[0] ?? 1);
    await quiesce(contender.server.pid);
  }
  for (const rate of rates) {
    const climbing = contenders.filter((c) => (failures.get(c.flavour) ?? 0) < 2);
    if (climbing.length === 0) break;
    for (const contender of climbing) {
      const { server } = contender;
      const cpuBefore = cpuSeconds(server.pid);
      const writesBefore = writeCalls(server.pid);
      const wallBefore = performance.now();
      const results = await contender.runStep(rate);
      const cpu = (cpuSeconds(server.pid) - cpuBefore) / ((performance.now() - wallBefore) / 1000);
      const writes = writeCalls(server.pid) - writesBefore;
      const judged = contender.judge(rate, results, cpu);
      const step = { ...judged, serverWrites: judged.sent === 0 ? 0 : writes / judged.sent };
      steps.get(contender.flavour)?.push(step);
      log(
        `    ${contender.flavour.padEnd(6)} rate ${rate}/s: ${Math.round(step.throughput)}/s delivered (${Math.round(step.frameBytes)} B frames), p50 ${step.latency.p50.toFixed(1)} ms, p99 ${step.latency.p99.toFixed(1)} ms` +
          `${step.secondary ? `, msg_sent p99 ${step.secondary.p99.toFixed(1)} ms` : ''}, server cpu ${(cpu * 100).toFixed(0)}%, ${step.serverWrites.toFixed(1)} write calls a message${step.ok ? '' : '  (missed)'}`,
      );
      // One miss can be noise on a shared machine; two in a row end the climb.
      failures.set(contender.flavour, step.ok ? 0 : (failures.get(contender.flavour) ?? 0) + 1);
      await quiesce(server.pid);
    }
  }
  const ladder = (flavour: Flavour): Ladder => {
    const list = steps.get(flavour) ?? [];
    const best = list.filter((s) => s.ok).reduce<Step | undefined>((a, s) => (!a || s.throughput > a.throughput ? s : a), undefined);
    return { steps: list, best };
  };
  return { bare: ladder('bare'), parley: ladder('parley') };
}

/**
 * Parley's room frame carries the sender, ids, a timestamp and more around the body; the bare
 * server forwards what it was sent. Padding the bare frames by this much puts the same bytes
 * on the wire for both (each step reports the mean frame size of each, to check).
 */
const BARE_FRAME_PADDING = 170;

export interface FanoutOptions {
  members: readonly BenchUser[];
  roomId: number;
  rates: readonly number[];
  durationMs: number;
  sendersPerWorker: number;
  p99BoundMs: number;
}

/**
 * Scenario 1: a room of many members, senders at rising open-loop rates. Every member holds a
 * socket to both servers; only the senders of the server under test send in a step.
 */
export async function roomFanout(
  servers: Record<Flavour, ServerProcess>,
  workers: Workers,
  options: FanoutOptions,
  log: (line: string) => void,
): Promise<Record<Flavour, Ladder>> {
  const groups = split(options.members, workers.size);
  const perWorker = groups.map((g) => g.length);
  const opened = await workers.run<{ opened: number; failed: number }>((w) => ({
    op: 'connect',
    sockets: [
      ...(groups[w] ?? []).map(() => ({ url: wsUrl(servers.bare.url, `/room/${options.roomId}`) })),
      ...(groups[w] ?? []).map((m) => ({ url: wsUrl(servers.parley.url, `/ws/chat/${options.roomId}/?token=${m.token}`) })),
    ],
    localAddresses: LOCAL_ADDRESSES,
    concurrency: 50,
  }));
  const open = opened.reduce((n, o) => n + o.opened, 0);
  log(`  ${open} of ${options.members.length * 2} member sockets connected (bare and Parley)`);
  // Subscriptions complete after the upgrade: let them settle before the first step.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const members = options.members.length;
  const contender = (flavour: Flavour): Contender => ({
    flavour,
    server: servers[flavour],
    runStep: (rate) =>
      workers.run<StepResult>((w) => ({
        op: 'fanout',
        senders: Array.from({ length: options.sendersPerWorker }, (_, i) => (flavour === 'bare' ? i : (perWorker[w] ?? 0) + i)),
        rate: rate / workers.size,
        durationMs: options.durationMs,
        settleMs: 1000,
        padding: flavour === 'bare' ? BARE_FRAME_PADDING : 0,
      })),
    judge: (rate, results, cpu) => {
      const sent = results.reduce((n, r) => n + r.sent, 0);
      const received = results.reduce((n, r) => n + r.received, 0);
      const errors = results.reduce((n, r) => n + r.errors, 0);
      const latency = merge(results, (r) => r.latency).summary();
      const complete = received >= sent * members * 0.99;
      return {
        rate,
        sent,
        received,
        errors,
        frameBytes: received === 0 ? 0 : results.reduce((n, r) => n + r.bytes, 0) / received,
        throughput: received / (options.durationMs / 1000),
        latency,
        serverCpu: cpu,
        ok: complete && errors === 0 && latency.p99 < options.p99BoundMs,
      };
    },
  });
  const ladders = await climb(options.rates, [contender('bare'), contender('parley')], log);
  await workers.run(() => ({ op: 'close' }));
  return ladders;
}

export interface PersonalOptions {
  users: readonly BenchUser[];
  rates: readonly number[];
  durationMs: number;
  p99BoundMs: number;
}

/**
 * Scenario 2: pairs of phone users; every message stored, msg_sent, delivered and acknowledged.
 * The ceiling is the bare phone relay: the same sockets and frames, nothing stored or authenticated.
 */
export async function personalMessages(
  servers: Record<Flavour, ServerProcess>,
  workers: Workers,
  options: PersonalOptions,
  log: (line: string) => void,
): Promise<Record<Flavour, Ladder>> {
  // Pairs stay within one worker, so that a receipt comes back to the process that sent.
  const pairs: Array<[BenchUser, BenchUser]> = [];
  for (let i = 0; i + 1 < options.users.length; i += 2) pairs.push([options.users[i]!, options.users[i + 1]!]);
  const plans = split(pairs, workers.size).map((group) => {
    const sockets: Array<{ url: string }> = [];
    const users: Record<Flavour, PersonalUser[]> = { bare: [], parley: [] };
    for (const [a, b] of group) {
      for (const [user, peer] of [[a, b], [b, a]] as const) {
        for (const flavour of ['parley', 'bare'] as const) {
          const token = flavour === 'parley' ? `?token=${user.token}` : '';
          users[flavour].push({ rx: sockets.length, tx: sockets.length + 1, phone: user.phone, peerPhone: peer.phone });
          sockets.push({ url: wsUrl(servers[flavour].url, `/ws/chat/special/${user.phone}/${token}`) });
          sockets.push({ url: wsUrl(servers[flavour].url, `/ws/chat/personal/${user.phone}/${peer.phone}/${token}`) });
        }
      }
    }
    return { sockets, users };
  });
  const opened = await workers.run<{ opened: number }>((w) => ({
    op: 'connect',
    sockets: plans[w]?.sockets ?? [],
    localAddresses: LOCAL_ADDRESSES,
    concurrency: 50,
  }));
  log(`  ${opened.reduce((n, o) => n + o.opened, 0)} sockets for ${options.users.length} users (2 each on Parley and on the bare relay)`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const contender = (flavour: Flavour): Contender => ({
    flavour,
    server: servers[flavour],
    runStep: (rate) =>
      workers.run<StepResult>((w) => ({
        op: 'personal',
        users: plans[w]?.users[flavour] ?? [],
        rate: rate / workers.size,
        durationMs: options.durationMs,
        settleMs: 1000,
      })),
    judge: (rate, results, cpu) => {
      const sent = results.reduce((n, r) => n + r.sent, 0);
      const received = results.reduce((n, r) => n + r.received, 0);
      const errors = results.reduce((n, r) => n + r.errors, 0);
      const unacknowledged = results.reduce((n, r) => n + (r.unacknowledged ?? 0), 0);
      const latency = merge(results, (r) => r.latency).summary();
      const secondary = merge(results, (r) => r.secondary).summary();
      const complete = received >= sent * 0.99 && unacknowledged <= sent * 0.01;
      return {
        rate,
        sent,
        received,
        errors,
        throughput: received / (options.durationMs / 1000),
        latency,
        secondary,
        unacknowledged,
        frameBytes: received === 0 ? 0 : results.reduce((n, r) => n + r.bytes, 0) / received,
        serverCpu: cpu,
        ok: complete && errors === 0 && latency.p99 < options.p99BoundMs && (secondary?.p99 ?? 0) < options.p99BoundMs,
      };
    },
  });
  const ladders = await climb(options.rates, [contender('bare'), contender('parley')], log);
  await workers.run(() => ({ op: 'close' }));
  return ladders;
}

export interface IdleResult {
  target: number;
  connected: number;
  connectMs: number;
  holdMs: number;
  baselineKib: number;
  /** RSS with the first half of the sockets open (absent in results of earlier runs). */
  midKib?: number;
  heldKib: number;
  /** Growth over the idle baseline, per socket. */
  perConnectionBytes: number;
  /** Growth from the first half to all, per socket of the second half: what a socket adds (absent in results of earlier runs). */
  marginalBytes?: number;
}

/**
 * Scenario 3: authenticated sockets held open; server memory per socket. The sockets open in two
 * halves, each held for half the time: the second half's growth over its count is the memory a
 * socket adds (the figure the target is about), apart from what a server grows by once, whatever
 * the count (V8's young generation reaching its working size, code compiled by the first
 * upgrades). The growth of all of them over the idle baseline is reported beside it. Each
 * reading follows a full collection in the server, when it has an inspector for one: without,
 * a reading held whatever garbage V8 had not yet collected, and one run of a build measured
 * 5.6 KiB a socket where the next measured 15.5.
 */
export async function idleConnections(
  server: ServerProcess,
  flavour: Flavour,
  workers: Workers,
  users: readonly BenchUser[],
  holdMs: number,
  log: (line: string) => void,
): Promise<IdleResult> {
  const halves = [users.slice(0, Math.floor(users.length / 2)), users.slice(Math.floor(users.length / 2))];
  // A second after the collection, for the sweeper to return the freed pages.
  const settledKib = async (): Promise<number> => {
    await server.collectGarbage?.();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return rssKib(server.pid);
  };
  await new Promise((resolve) => setTimeout(resolve, 500));
  const baselineKib = await settledKib();
  let connected = 0;
  let connectMs = 0;
  const heldAfter: number[] = [];
  const openedPerHalf: number[] = [];
  for (const half of halves) {
    const groups = split(half, workers.size);
    const opened = await workers.run<{ opened: number; failed: number; ms: number }>((w) => ({
      op: 'connect',
      sockets: (groups[w] ?? []).map((u) => ({
        url: flavour === 'parley' ? wsUrl(server.url, `/ws/chat/special/${u.phone}/?token=${u.token}`) : wsUrl(server.url, '/room/idle'),
      })),
      localAddresses: LOCAL_ADDRESSES,
      concurrency: 100,
    }));
    const count = opened.reduce((n, o) => n + o.opened, 0);
    openedPerHalf.push(count);
    connected += count;
    connectMs += Math.max(...opened.map((o) => o.ms));
    await new Promise((resolve) => setTimeout(resolve, holdMs / 2));
    heldAfter.push(await settledKib());
  }
  const [midKib = baselineKib, heldKib = baselineKib] = heldAfter;
  const secondHalf = openedPerHalf[1] ?? 0;
  log(`  ${flavour}: ${connected} of ${users.length} sockets open in ${(connectMs / 1000).toFixed(1)} s, in two halves each held ${holdMs / 2000} s`);
  await workers.run(() => ({ op: 'close' }));
  const perConnectionBytes = connected === 0 ? 0 : ((heldKib - baselineKib) * 1024) / connected;
  const marginalBytes = secondHalf === 0 ? 0 : ((heldKib - midKib) * 1024) / secondHalf;
  log(
    `  ${flavour}: RSS ${Math.round(baselineKib / 1024)} -> ${Math.round(midKib / 1024)} -> ${Math.round(heldKib / 1024)} MiB: ` +
      `${(marginalBytes / 1024).toFixed(1)} KiB per socket of the second half, ${(perConnectionBytes / 1024).toFixed(1)} KiB per socket over the baseline`,
  );
  return { target: users.length, connected, connectMs, holdMs, baselineKib, midKib, heldKib, perConnectionBytes, marginalBytes };
}

export interface HttpResult {
  requests: number;
  errors: number;
  perSecond: number;
  latency: LatencySummary;
  serverCpu: number;
}

/** Scenario 4: history pages over HTTP from concurrent keep-alive clients. */
/**
 * Scenarios 4 and 7: keep-alive clients asking one page again and again, `path` on Parley, the
 * same bytes from the bare server's `barePath`.
 */
export async function pageReads(
  server: ServerProcess,
  flavour: Flavour,
  workers: Workers,
  options: { path: string; barePath: string; reader: BenchUser; concurrency: number; durationMs: number },
  log: (line: string) => void,
): Promise<HttpResult> {
  const cpuBefore = cpuSeconds(server.pid);
  const results = await workers.run<StepResult>((w) => ({
    op: 'http',
    url: `${server.url}${flavour === 'parley' ? options.path : options.barePath}`,
    headers: { authorization: `Token ${options.reader.token}` },
    concurrency: Math.ceil(options.concurrency / workers.size),
    durationMs: options.durationMs,
    localAddress: LOCAL_ADDRESSES[w % LOCAL_ADDRESSES.length]!,
  }));
  const serverCpu = (cpuSeconds(server.pid) - cpuBefore) / (options.durationMs / 1000);
  const requests = results.reduce((n, r) => n + r.received, 0);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  const latency = merge(results, (r) => r.latency).summary();
  const perSecond = requests / (options.durationMs / 1000);
  log(`  ${flavour}: ${Math.round(perSecond)} requests/s, p99 ${latency.p99.toFixed(1)} ms, ${errors} errors, server cpu ${(serverCpu * 100).toFixed(0)}%`);
  return { requests, errors, perSecond, latency, serverCpu };
}

/** How often the fetch scenario asks /healthz, and for how long without a fetch (the ceiling). */
const HEALTHZ_INTERVAL_MS = 5;
const HEALTHZ_IDLE_MS = 3000;
const RSS_INTERVAL_MS = 50;

export interface FetchRun {
  sockets: number;
  results: FetchSocketResult[];
  /** /healthz latency while the fetches ran. */
  healthz: LatencySummary;
  rssBeforeKib: number;
  rssPeakKib: number;
}

export interface FetchResult {
  backlog: number;
  /** /healthz latency with no fetch running, same server, same run: the ceiling. */
  idle: LatencySummary;
  runs: FetchRun[];
}

/** Asks /healthz one request after another (a pause between) until stopped; latencies in ms. */
function sampleHealthz(url: string): { stop(): Promise<LatencySummary> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const histogram = new Histogram();
  const target = new URL(`${url}/healthz`);
  let running = true;
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const request = http.get({ host: target.hostname, port: target.port, path: target.pathname, agent }, (response) => {
        response.on('data', () => undefined);
        response.on('end', () => {
          histogram.record(performance.now() - started);
          resolve();
        });
      });
      request.on('error', () => resolve());
    });
  const loop = (async () => {
    while (running) {
      await once();
      await new Promise((resolve) => setTimeout(resolve, HEALTHZ_INTERVAL_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      return histogram.summary();
    },
  };
}

/**
 * Scenario 6: one phone user with a large backlog fetches it (`fetch_msgs`, reading every chunk),
 * from one socket and then from five at once, while /healthz is asked every few milliseconds:
 * its latency shows how long the fetch holds the server's event loop. The ceiling is /healthz on
 * the same server with no fetch running.
 */
export async function fetchBacklog(
  server: ServerProcess,
  workers: Workers,
  options: { recipient: BenchUser; backlog: number; socketCounts: readonly number[] },
  log: (line: string) => void,
): Promise<FetchResult> {
  const url = wsUrl(server.url, `/ws/chat/special/${options.recipient.phone}/?token=${options.recipient.token}`);
  const fetchFrom = (sockets: number): Promise<FetchSocketResult[][]> => {
    const perWorker = split(Array.from({ length: sockets }, () => url), workers.size);
    return workers.run<FetchSocketResult[]>((w) =>
      (perWorker[w]?.length ?? 0) > 0 ? { op: 'fetch', urls: perWorker[w] ?? [], phone: options.recipient.phone, localAddress: LOCAL_ADDRESSES[w % LOCAL_ADDRESSES.length]! } : undefined,
    );
  };
  // An unrecorded fetch first, as the other scenarios' first step: JIT, caches and the heap warm up.
  await fetchFrom(1);
  await quiesce(server.pid);
  const idleSampler = sampleHealthz(server.url);
  await new Promise((resolve) => setTimeout(resolve, HEALTHZ_IDLE_MS));
  const idle = await idleSampler.stop();
  log(`  no fetch: /healthz p50 ${idle.p50.toFixed(1)} ms, p99 ${idle.p99.toFixed(1)} ms, max ${idle.max.toFixed(1)} ms (${idle.count} requests)`);
  const runs: FetchRun[] = [];
  for (const sockets of options.socketCounts) {
    await quiesce(server.pid);
    const rssBeforeKib = rssKib(server.pid);
    let rssPeakKib = rssBeforeKib;
    const rssTimer = setInterval(() => {
      rssPeakKib = Math.max(rssPeakKib, rssKib(server.pid));
    }, RSS_INTERVAL_MS);
    const sampler = sampleHealthz(server.url);
    const answers = await fetchFrom(sockets);
    const healthz = await sampler.stop();
    clearInterval(rssTimer);
    const results = answers.flatMap((a) => a ?? []);
    runs.push({ sockets, results, healthz, rssBeforeKib, rssPeakKib });
    const delivered = results.map((r) => (r.complete ? `${r.distinct}` : `${r.distinct} (closed ${r.closeCode})`)).join(', ');
    log(
      `  ${sockets} socket(s): delivered ${delivered} of ${options.backlog} in ${(Math.max(...results.map((r) => r.ms)) / 1000).toFixed(1)} s; ` +
        `/healthz p50 ${healthz.p50.toFixed(1)} ms, p99 ${healthz.p99.toFixed(1)} ms, max ${healthz.max.toFixed(1)} ms; ` +
        `RSS ${Math.round(rssBeforeKib / 1024)} -> peak ${Math.round(rssPeakKib / 1024)} MiB`,
    );
  }
  return { backlog: options.backlog, idle, runs };
}
