// The scenarios. Each drives the same load against Parley and against the bare `ws` ceiling and
// reports both, so that the ratio of the two (same machine, same run) is the figure that counts.
import { cpuSeconds, LOCAL_ADDRESSES, quiesce, rssKib, split, Workers, type ServerProcess } from './harness.js';
import type { PersonalUser, StepResult } from './protocol.js';
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
  /** msg_sent latency in the phone scenario. */
  secondary?: LatencySummary;
  unacknowledged?: number;
  /** Server CPU used during the step, as a share of one core. */
  serverCpu: number;
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

/** Runs rising rates until a step misses its bound (or the rates run out). */
async function climb(
  rates: readonly number[],
  server: ServerProcess,
  runStep: (rate: number) => Promise<StepResult[]>,
  judge: (rate: number, results: StepResult[], cpu: number) => Step,
  log: (line: string) => void,
): Promise<Ladder> {
  const steps: Step[] = [];
  let failures = 0;
  for (const rate of rates) {
    const cpuBefore = cpuSeconds(server.pid);
    const wallBefore = performance.now();
    const results = await runStep(rate);
    const cpu = (cpuSeconds(server.pid) - cpuBefore) / ((performance.now() - wallBefore) / 1000);
    const step = judge(rate, results, cpu);
    steps.push(step);
    log(
      `    rate ${rate}/s: ${Math.round(step.throughput)}/s delivered, p50 ${step.latency.p50.toFixed(1)} ms, p99 ${step.latency.p99.toFixed(1)} ms` +
        `${step.secondary ? `, msg_sent p99 ${step.secondary.p99.toFixed(1)} ms` : ''}, server cpu ${(cpu * 100).toFixed(0)}%${step.ok ? '' : '  (missed)'}`,
    );
    // One miss can be noise on a shared machine; two in a row end the climb.
    failures = step.ok ? 0 : failures + 1;
    if (failures >= 2) break;
    if (!step.ok) await quiesce(server.pid);
  }
  await quiesce(server.pid);
  const passed = steps.filter((s) => s.ok);
  const best = passed.reduce<Step | undefined>((a, s) => (!a || s.throughput > a.throughput ? s : a), undefined);
  return { steps, best };
}

export interface FanoutOptions {
  members: readonly BenchUser[];
  roomId: number;
  rates: readonly number[];
  durationMs: number;
  sendersPerWorker: number;
  p99BoundMs: number;
}

/** Scenario 1: a room of many members, senders at rising open-loop rates. */
export async function roomFanout(
  server: ServerProcess,
  flavour: 'parley' | 'bare',
  workers: Workers,
  options: FanoutOptions,
  log: (line: string) => void,
): Promise<Ladder> {
  const groups = split(options.members, workers.size);
  const opened = await workers.run<{ opened: number; failed: number }>((w) => ({
    op: 'connect',
    sockets: (groups[w] ?? []).map((m) =>
      ({ url: flavour === 'parley' ? wsUrl(server.url, `/ws/chat/${options.roomId}/?token=${m.token}`) : wsUrl(server.url, `/room/${options.roomId}`) }),
    ),
    localAddresses: LOCAL_ADDRESSES,
    concurrency: 50,
  }));
  const open = opened.reduce((n, o) => n + o.opened, 0);
  log(`  ${flavour}: ${open} of ${options.members.length} members connected`);
  // Subscriptions complete after the upgrade: let them settle before the first step.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const members = open;
  const ladder = await climb(
    options.rates,
    server,
    (rate) =>
      workers.run<StepResult>(() => ({
        op: 'fanout',
        senders: Array.from({ length: options.sendersPerWorker }, (_, i) => i),
        rate: rate / workers.size,
        durationMs: options.durationMs,
        settleMs: 1000,
      })),
    (rate, results, cpu) => {
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
        throughput: received / (options.durationMs / 1000),
        latency,
        serverCpu: cpu,
        ok: complete && errors === 0 && latency.p99 < options.p99BoundMs,
      };
    },
    log,
  );
  await workers.run(() => ({ op: 'close' }));
  return ladder;
}

export interface PersonalOptions {
  users: readonly BenchUser[];
  rates: readonly number[];
  durationMs: number;
  p99BoundMs: number;
}

/** Scenario 2: pairs of phone users; every message stored, msg_sent, delivered and acknowledged. */
export async function personalMessages(
  server: ServerProcess,
  flavour: 'parley' | 'bare',
  workers: Workers,
  options: PersonalOptions,
  log: (line: string) => void,
): Promise<Ladder> {
  // Pairs stay within one worker, so that a receipt comes back to the process that sent.
  const pairs: Array<[BenchUser, BenchUser]> = [];
  for (let i = 0; i + 1 < options.users.length; i += 2) pairs.push([options.users[i]!, options.users[i + 1]!]);
  const byWorker = split(pairs, workers.size);
  const plans = byWorker.map((group) => {
    const sockets: Array<{ url: string }> = [];
    const users: PersonalUser[] = [];
    for (const [a, b] of group) {
      for (const [user, peer] of [[a, b], [b, a]] as const) {
        if (flavour === 'parley') {
          users.push({ rx: sockets.length, tx: sockets.length + 1, phone: user.phone, peerPhone: peer.phone });
          sockets.push({ url: wsUrl(server.url, `/ws/chat/special/${user.phone}/?token=${user.token}`) });
          sockets.push({ url: wsUrl(server.url, `/ws/chat/personal/${user.phone}/${peer.phone}/?token=${user.token}`) });
        } else {
          users.push({ rx: sockets.length, tx: sockets.length, phone: user.phone, peerPhone: peer.phone });
          sockets.push({ url: wsUrl(server.url, '/echo') });
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
  log(`  ${flavour}: ${opened.reduce((n, o) => n + o.opened, 0)} sockets for ${options.users.length} users`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const ladder = await climb(
    options.rates,
    server,
    (rate) =>
      workers.run<StepResult>((w) => ({
        op: 'personal',
        protocol: flavour === 'parley' ? 'phone' : 'echo',
        users: plans[w]?.users ?? [],
        rate: rate / workers.size,
        durationMs: options.durationMs,
        settleMs: 1000,
      })),
    (rate, results, cpu) => {
      const sent = results.reduce((n, r) => n + r.sent, 0);
      const received = results.reduce((n, r) => n + r.received, 0);
      const errors = results.reduce((n, r) => n + r.errors, 0);
      const unacknowledged = results.reduce((n, r) => n + (r.unacknowledged ?? 0), 0);
      const latency = merge(results, (r) => r.latency).summary();
      const secondary = flavour === 'parley' ? merge(results, (r) => r.secondary).summary() : undefined;
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
        serverCpu: cpu,
        ok: complete && errors === 0 && latency.p99 < options.p99BoundMs && (secondary?.p99 ?? 0) < options.p99BoundMs,
      };
    },
    log,
  );
  await workers.run(() => ({ op: 'close' }));
  return ladder;
}

export interface IdleResult {
  target: number;
  connected: number;
  connectMs: number;
  holdMs: number;
  baselineKib: number;
  heldKib: number;
  perConnectionBytes: number;
}

/** Scenario 3: authenticated sockets held open; server memory per socket above the idle baseline. */
export async function idleConnections(
  server: ServerProcess,
  flavour: 'parley' | 'bare',
  workers: Workers,
  users: readonly BenchUser[],
  holdMs: number,
  log: (line: string) => void,
): Promise<IdleResult> {
  const groups = split(users, workers.size);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const baselineKib = rssKib(server.pid);
  const opened = await workers.run<{ opened: number; failed: number; ms: number }>((w) => ({
    op: 'connect',
    sockets: (groups[w] ?? []).map((u) => ({
      url: flavour === 'parley' ? wsUrl(server.url, `/ws/chat/special/${u.phone}/?token=${u.token}`) : wsUrl(server.url, '/room/idle'),
    })),
    localAddresses: LOCAL_ADDRESSES,
    concurrency: 100,
  }));
  const connected = opened.reduce((n, o) => n + o.opened, 0);
  const connectMs = Math.max(...opened.map((o) => o.ms));
  log(`  ${flavour}: ${connected} of ${users.length} sockets open in ${(connectMs / 1000).toFixed(1)} s; holding ${holdMs / 1000} s`);
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  const heldKib = rssKib(server.pid);
  await workers.run(() => ({ op: 'close' }));
  const perConnectionBytes = connected === 0 ? 0 : ((heldKib - baselineKib) * 1024) / connected;
  log(`  ${flavour}: RSS ${Math.round(baselineKib / 1024)} MiB -> ${Math.round(heldKib / 1024)} MiB, ${(perConnectionBytes / 1024).toFixed(1)} KiB per socket`);
  return { target: users.length, connected, connectMs, holdMs, baselineKib, heldKib, perConnectionBytes };
}

export interface HttpResult {
  requests: number;
  errors: number;
  perSecond: number;
  latency: LatencySummary;
  serverCpu: number;
}

/** Scenario 4: history pages over HTTP from concurrent keep-alive clients. */
export async function historyReads(
  server: ServerProcess,
  flavour: 'parley' | 'bare',
  workers: Workers,
  options: { roomId: number; reader: BenchUser; concurrency: number; durationMs: number },
  log: (line: string) => void,
): Promise<HttpResult> {
  const cpuBefore = cpuSeconds(server.pid);
  const results = await workers.run<StepResult>((w) => ({
    op: 'http',
    url: flavour === 'parley' ? `${server.url}/api/chat/groups/${options.roomId}/messages/?page_size=20` : `${server.url}/history`,
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
