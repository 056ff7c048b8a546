// `npm run bench`: builds nothing itself (the npm script does), starts Parley and the bare `ws`
// ceiling, drives every scenario from separate client processes, prints a table, and writes
// bench/results/<mode>-<store>-<time>.json, its results section of BENCHMARKS.md and the ladder
// charts (bench/charts/); `npm run bench:charts` redraws those without running anything.
//   --quick     the short ladder (under two minutes on the embedded default)
//   --postgres  PostgreSQL + Redis instead of the embedded default (SQLite, in-process bus)
//   --profile   write a V8 CPU profile of the loaded server to bench/results/profiles/
//   --only=a,b  run only these scenarios: fanout, personal, idle, history, search, startup, fetch
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDatabase, ROOT, rssKib, startBare, startBareAlone, startParley, Workers, type ParleyOptions, type ServerProcess } from './harness.js';
import { fetchBacklog, idleConnections, pageReads, personalMessages, roomFanout, type HttpResult, type IdleResult } from './scenarios.js';
import { buildFixture, type BenchUser } from './setup.js';
import { updateBenchmarks } from './benchmarks-file.js';
import { P99_BOUND_MS, renderReport, type Report } from './report.js';

const SCENARIOS = ['startup', 'fanout', 'personal', 'history', 'search', 'idle', 'fetch'] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const quick = values.quick ?? false;
const only = new Set<Scenario>(values.only ? (values.only.split(',') as Scenario[]) : SCENARIOS);
for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${name}; expected ${SCENARIOS.join(', ')}`);

/** Sizes and ladders of the two modes. The server's open-file limit (see BENCHMARKS.md) caps idle sockets. */
const MODE = quick
  ? { stepMs: 2000, fanoutRates: [25, 50, 75, 100, 125], personalRates: [1000, 2000, 3000, 4000, 6000, 8000, 12_000], idle: 10_000, idleHoldMs: 6000, historyMs: 4000 }
  : { stepMs: 8000, fanoutRates: [25, 50, 65, 80, 100, 120, 150, 200], personalRates: [1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7000, 8000, 10_000, 12_000, 15_000, 20_000, 25_000], idle: 18_000, idleHoldMs: 60_000, historyMs: 15_000 };
const ROOM_MEMBERS = 1000;
const PAIR_USERS = 2000;
const HISTORY_CONCURRENCY = 50;
/** Pending messages of the fetch scenario's user, and how many of its sockets fetch at once in each run. */
const FETCH_BACKLOG = 50_000;
const FETCH_SOCKETS = [1, 5];
/** Messages in the search scenario's room. */
const SEARCH_MESSAGES = 100_000;

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function freshDatabase(): Promise<{ databaseUrl?: string; redisUrl?: string; drop(): Promise<void> }> {
  if (!values.postgres) return { drop: async () => undefined };
  const name = `parley_bench_${Date.now()}`;
  const database = await createDatabase(name);
  process.env.PARLEY_REDIS_PREFIX = `${name}:`;
  return { databaseUrl: database.url, redisUrl: process.env.PARLEY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', drop: database.drop };
}

async function startup(base: Omit<ParleyOptions, 'dataDir'>, scratch: string): Promise<Report['startup']> {
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const measure = async (start: (i: number) => Promise<ServerProcess>): Promise<{ readyMs: number; idleRssKib: number; runs: number[] }> => {
    const readies: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < 3; i++) {
      const server = await start(i);
      readies.push(server.readyMs);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rss.push(rssKib(server.pid));
      await server.stop();
    }
    return { readyMs: median(readies), idleRssKib: median(rss), runs: readies };
  };
  const result = await measure((i) => startParley({ ...base, dataDir: path.join(scratch, `startup-${i}`) }));
  const bare = await measure(() => startBareAlone());
  log(`  ready in ${result.readyMs.toFixed(0)} ms (runs: ${result.runs.map((r) => r.toFixed(0)).join(', ')}), idle RSS ${(result.idleRssKib / 1024).toFixed(1)} MiB`);
  log(`  bare: ready in ${bare.readyMs.toFixed(0)} ms (runs: ${bare.runs.map((r) => r.toFixed(0)).join(', ')}), idle RSS ${(bare.idleRssKib / 1024).toFixed(1)} MiB`);
  return { ...result, bare: { readyMs: bare.readyMs, idleRssKib: bare.idleRssKib } };
}

async function main(): Promise<void> {
  const started = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const database = await freshDatabase();
  const base = { databaseUrl: database.databaseUrl, redisUrl: database.redisUrl };
  const report: Report = {
    mode: quick ? 'quick' : 'full',
    store: values.postgres ? 'postgres+redis' : 'sqlite+in-process bus',
    startedAt: new Date(started).toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, kernel: os.release() },
  };
  const workers = new Workers(2);
  try {
    if (only.has('startup') && !values.postgres) {
      log('startup: start to ready, idle memory (empty store)');
      report.startup = await startup(base, scratch);
    }
    log('setup: accounts, tokens, the room, dialogues and history through the Store');
    const setupStarted = performance.now();
    const dataDir = path.join(scratch, 'data');
    const fixture = await buildFixture(
      { dataDir, databaseUrl: base.databaseUrl },
      {
        roomMembers: ROOM_MEMBERS,
        pairUsers: PAIR_USERS,
        idleUsers: only.has('idle') ? MODE.idle : 0,
        historyMessages: 200,
        fetchBacklog: only.has('fetch') ? FETCH_BACKLOG : 0,
        searchMessages: only.has('search') ? SEARCH_MESSAGES : 0,
      },
    );
    if (base.databaseUrl) {
      // Rows written in bulk a moment ago have no planner statistics yet; autovacuum gathers them
      // long before a real store reaches this size, so the measured server gets them too.
      const client = new pg.Client({ connectionString: base.databaseUrl });
      await client.connect();
      await client.query('ANALYZE');
      await client.end();
    }
    log(`  done in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
    if (only.has('startup') && values.postgres) {
      log('startup: start to ready, idle memory');
      report.startup = await startup({ ...base }, scratch);
    }

    const profileDir = values.profile ? path.join(ROOT, 'bench', 'results', 'profiles') : undefined;
    const parley = await startParley({ ...base, dataDir, cpuProfDir: profileDir });
    const historyPath = `/api/chat/groups/${fixture.historyRoomId}/messages/?page_size=20`;
    const searchPath = fixture.search ? `/api/chat/messages/search/?q=${fixture.search.word}&page_size=20` : undefined;
    const page = (path: string, reader: BenchUser): Promise<string> =>
      fetch(`${parley.url}${path}`, { headers: { authorization: `Token ${reader.token}` } }).then((r) => r.text());
    const searchPage = fixture.search && searchPath ? await page(searchPath, fixture.search.reader) : undefined;
    const bare = await startBare(await page(historyPath, fixture.historyReader), searchPage);
    try {
      if (only.has('fanout')) {
        log(`room fan-out: ${ROOM_MEMBERS} members, 20 senders, rising rates, p99 bound ${P99_BOUND_MS.fanout} ms`);
        const options = { members: fixture.roomMembers, roomId: fixture.roomId, rates: MODE.fanoutRates, durationMs: MODE.stepMs, sendersPerWorker: 10, p99BoundMs: P99_BOUND_MS.fanout };
        report.fanout = await roomFanout({ bare, parley }, workers, options, log);
      }
      if (only.has('personal')) {
        log(`personal messages: ${PAIR_USERS} users in pairs, rising rates, p99 bound ${P99_BOUND_MS.personal} ms`);
        const options = { users: fixture.pairs, rates: MODE.personalRates, durationMs: MODE.stepMs, p99BoundMs: P99_BOUND_MS.personal };
        report.personal = { ...(await personalMessages({ bare, parley }, workers, options, log)), ceiling: 'phone relay' };
      }
      if (only.has('history')) {
        log(`history reads: pages of 20, ${HISTORY_CONCURRENCY} concurrent keep-alive clients`);
        const options = { path: historyPath, barePath: '/history', reader: fixture.historyReader, concurrency: HISTORY_CONCURRENCY, durationMs: MODE.historyMs };
        const ceiling: HttpResult = await pageReads(bare, 'bare', workers, options, log);
        const measured: HttpResult = await pageReads(parley, 'parley', workers, options, log);
        report.history = { parley: measured, bare: ceiling };
      }
      if (fixture.search && searchPath && searchPage) {
        const matches = (JSON.parse(searchPage) as { count: number }).count;
        log(`search: "${fixture.search.word}" among ${SEARCH_MESSAGES} messages (${matches} match), pages of 20, ${HISTORY_CONCURRENCY} concurrent keep-alive clients`);
        const options = { path: searchPath, barePath: '/search', reader: fixture.search.reader, concurrency: HISTORY_CONCURRENCY, durationMs: MODE.historyMs };
        const ceiling: HttpResult = await pageReads(bare, 'bare', workers, options, log);
        const measured: HttpResult = await pageReads(parley, 'parley', workers, options, log);
        report.search = { parley: measured, bare: ceiling, messages: SEARCH_MESSAGES, matches };
      }
    } finally {
      await parley.stop();
      await bare.stop();
    }
    if (only.has('idle')) {
      log(`idle connections: ${MODE.idle} authenticated sockets held ${MODE.idleHoldMs / 1000} s (fresh servers)`);
      const freshBare = await startBare('{}', '{}', { inspect: true });
      const fresh = await startParley({ ...base, dataDir, inspect: true });
      try {
        const ceiling: IdleResult = await idleConnections(freshBare, 'bare', workers, fixture.idle, MODE.idleHoldMs, log);
        const measured: IdleResult = await idleConnections(fresh, 'parley', workers, fixture.idle, MODE.idleHoldMs, log);
        report.idle = { parley: measured, bare: ceiling };
      } finally {
        await fresh.stop();
        await freshBare.stop();
      }
    }
    if (only.has('fetch') && fixture.fetchRecipient) {
      log(`fetch: ${FETCH_BACKLOG} pending messages fetched by ${FETCH_SOCKETS.join(', then ')} socket(s) at once, /healthz sampled meanwhile (fresh server)`);
      const fresh = await startParley({ ...base, dataDir });
      try {
        report.fetch = await fetchBacklog(fresh, workers, { recipient: fixture.fetchRecipient, backlog: FETCH_BACKLOG, socketCounts: FETCH_SOCKETS }, log);
      } finally {
        await fresh.stop();
      }
    }
  } finally {
    await workers.close();
    await database.drop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  report.durationS = (Date.now() - started) / 1000;

  const resultsDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const file = path.join(resultsDir, `${report.mode}-${values.postgres ? 'postgres' : 'sqlite'}-${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const source = path.relative(ROOT, file);
  log(`\n${renderReport(report, source).table}\n`);
  const written = updateBenchmarks(ROOT, { [values.postgres ? 'postgres' : 'sqlite']: source });
  log(`results: ${source}; written: ${written.join(', ')} (${report.durationS.toFixed(0)} s)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
