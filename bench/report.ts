// The results of one run as a table for the terminal and a section for BENCHMARKS.md.
import type { FetchResult, HttpResult, IdleResult, Ladder } from './scenarios.js';

export interface Report {
  mode: 'quick' | 'full';
  store: string;
  startedAt: string;
  durationS?: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; kernel: string };
  startup?: { readyMs: number; idleRssKib: number; runs: number[]; /** The bare server started the same way (absent in results of earlier runs). */ bare?: { readyMs: number; idleRssKib: number } };
  fanout?: { parley: Ladder; bare: Ladder };
  personal?: { parley: Ladder; bare: Ladder; /** The personal ceiling: runs before the bare phone relay had the echo. */ ceiling?: 'phone relay' | 'echo' };
  history?: { parley: HttpResult; bare: HttpResult };
  search?: { parley: HttpResult; bare: HttpResult; messages: number; matches: number };
  idle?: { parley: IdleResult; bare: IdleResult };
  fetch?: FetchResult;
}

/** The p99 bound of each ladder: a step over it fails. */
export const P99_BOUND_MS = { fanout: 100, personal: 50 } as const;

interface Targets {
  fanoutRatio: number;
  personalRatio: number;
  historyRatio: number;
  idleBytes: number;
  readyMs: number;
  idleRssBytes: number;
  fetchHealthzP99Ms: number;
  /** Parley's own bound: a search page as fast to the eye as a history page. */
  searchP99Ms: number;
}

/** The targets of each store, each a ratio to the ceiling of the same run where there is one. */
const TARGETS: Record<'sqlite' | 'postgres', Targets> = {
  sqlite: { fanoutRatio: 1, personalRatio: 0.6, historyRatio: 0.4, idleBytes: 6 * 1024, readyMs: 300, idleRssBytes: 80 * 1024 * 1024, fetchHealthzP99Ms: 50, searchP99Ms: 100 },
  postgres: { fanoutRatio: 0.8, personalRatio: 0.4, historyRatio: 0.25, idleBytes: 8 * 1024, readyMs: 500, idleRssBytes: 90 * 1024 * 1024, fetchHealthzP99Ms: 50, searchP99Ms: 100 },
};

const targetsOf = (report: Report): Targets => (report.store.startsWith('postgres') ? TARGETS.postgres : TARGETS.sqlite);

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');
const verdict = (met: boolean): string => (met ? 'met' : '**missed**');

export interface Row {
  scenario: string;
  target: string;
  parley: string;
  ceiling: string;
  ratio: string;
  met: string;
  /** Parley over the ceiling, for the chart; undefined when there is no ceiling. */
  share?: number;
}

export function rows(report: Report): Row[] {
  const out: Row[] = [];
  const targets = targetsOf(report);
  const atLeast = (share: number): string => `≥ ${share.toFixed(2).replace(/0$/, '')}× ceiling`;
  if (report.fanout) {
    const p = report.fanout.parley.best?.throughput ?? 0;
    const b = report.fanout.bare.best?.throughput ?? 0;
    const pl = report.fanout.parley.best?.latency.p99;
    out.push({
      scenario: `1. room fan-out, 1,000 members (deliveries/s, p99 < ${P99_BOUND_MS.fanout} ms)`,
      target: atLeast(targets.fanoutRatio),
      parley: `${n(p)}${pl === undefined ? '' : ` (p99 ${pl.toFixed(0)} ms)`}`,
      ceiling: n(b),
      ratio: ratio(p, b),
      met: verdict(b > 0 && p / b >= targets.fanoutRatio),
      share: b > 0 ? p / b : 0,
    });
  }
  if (report.personal) {
    const best = report.personal.parley.best;
    const p = best?.throughput ?? 0;
    const b = report.personal.bare.best?.throughput ?? 0;
    out.push({
      scenario: `2. personal messages, 2,000 users (messages/s, p99 < ${P99_BOUND_MS.personal} ms)`,
      target: atLeast(targets.personalRatio),
      parley: `${n(p)}${best ? ` (p99 ${best.latency.p99.toFixed(0)} ms, msg_sent p99 ${best.secondary?.p99.toFixed(0) ?? '–'} ms)` : ''}`,
      ceiling: `${n(b)} (${report.personal.ceiling ?? 'echo'})`,
      ratio: ratio(p, b),
      met: verdict(b > 0 && p / b >= targets.personalRatio),
      share: b > 0 ? p / b : 0,
    });
  }
  if (report.idle) {
    const { parley, bare } = report.idle;
    // Runs before the two-halves measure have no marginal figure: their average stands for it.
    const perSocket = (r: IdleResult): number => r.marginalBytes ?? r.perConnectionBytes;
    const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
    const both = (r: IdleResult): string => (r.marginalBytes === undefined ? kib(r.perConnectionBytes) : `${kib(r.marginalBytes)} (${kib(r.perConnectionBytes)} over the baseline)`);
    out.push({
      scenario: `3. idle sockets: ${n(parley.connected)} held ${parley.holdMs / 1000} s (memory per socket)`,
      // The largest count this machine allows: its open-files limit is 20,000 per process.
      target: `≤ ${targets.idleBytes / 1024} KiB each`,
      parley: both(parley),
      ceiling: both(bare),
      ratio: perSocket(bare) > 0 ? `${(perSocket(parley) / perSocket(bare)).toFixed(1)}×` : '–',
      met: verdict(perSocket(parley) <= targets.idleBytes),
    });
  }
  if (report.history) {
    const { parley, bare } = report.history;
    out.push({
      scenario: '4. history pages of 20, 50 clients (requests/s)',
      target: atLeast(targets.historyRatio),
      parley: `${n(parley.perSecond)} (p99 ${parley.latency.p99.toFixed(0)} ms)`,
      ceiling: `${n(bare.perSecond)} (bare http)`,
      ratio: ratio(parley.perSecond, bare.perSecond),
      met: verdict(bare.perSecond > 0 && parley.perSecond / bare.perSecond >= targets.historyRatio),
      share: bare.perSecond > 0 ? parley.perSecond / bare.perSecond : 0,
    });
  }
  if (report.search) {
    const { parley, bare, messages, matches } = report.search;
    out.push({
      scenario: `7. search among ${n(messages)} messages, ${n(matches)} matching, pages of 20, 50 clients (requests/s)`,
      target: `p99 < ${targets.searchP99Ms} ms`,
      parley: `${n(parley.perSecond)} (p99 ${parley.latency.p99.toFixed(0)} ms)`,
      ceiling: `${n(bare.perSecond)} (bare http)`,
      ratio: ratio(parley.perSecond, bare.perSecond),
      met: verdict(parley.errors === 0 && parley.latency.p99 < targets.searchP99Ms),
      share: bare.perSecond > 0 ? parley.perSecond / bare.perSecond : 0,
    });
  }
  if (report.startup) {
    const { readyMs, idleRssKib, bare } = report.startup;
    out.push({
      scenario: '5. start to ready; idle memory',
      target: `< ${targets.readyMs} ms; < ${targets.idleRssBytes / 1024 / 1024} MiB`,
      parley: `${n(readyMs)} ms; ${(idleRssKib / 1024).toFixed(0)} MiB`,
      ceiling: bare ? `${n(bare.readyMs)} ms; ${(bare.idleRssKib / 1024).toFixed(0)} MiB (bare server)` : '–',
      ratio: bare ? `${ratio(readyMs, bare.readyMs)}; ${ratio(idleRssKib, bare.idleRssKib)}` : '–',
      met: verdict(readyMs < targets.readyMs && idleRssKib * 1024 < targets.idleRssBytes),
    });
  }
  if (report.fetch) {
    const { idle, runs, backlog } = report.fetch;
    const delivered = (run: FetchResult['runs'][number]): boolean => run.results.every((r) => r.complete && r.distinct === backlog && r.messages === backlog);
    out.push({
      scenario: `6. fetch of ${n(backlog)} pending (/healthz p99 while fetching)`,
      target: `< ${targets.fetchHealthzP99Ms} ms, every message once`,
      parley: runs.map((run) => `${run.sockets} socket${run.sockets === 1 ? '' : 's'}: ${run.healthz.p99.toFixed(0)} ms${delivered(run) ? '' : ' (not all delivered)'}`).join('; '),
      ceiling: `${idle.p99.toFixed(1)} ms (no fetch)`,
      ratio: '–',
      met: verdict(runs.every((run) => run.healthz.p99 < targets.fetchHealthzP99Ms && delivered(run))),
    });
  }
  return out;
}

function fetchTable(result: FetchResult): string {
  const lines = [
    `**Fetch of ${n(result.backlog)} pending messages** (/healthz with no fetch: p50 ${result.idle.p50.toFixed(1)} ms, p99 ${result.idle.p99.toFixed(1)} ms, max ${result.idle.max.toFixed(1)} ms)`,
    '',
    '| sockets | delivered per socket (distinct) | closed before the end | slowest fetch s | /healthz p50 ms | /healthz p99 ms | /healthz max ms | RSS before → peak MiB |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const run of result.runs) {
    const closed = run.results.filter((r) => !r.complete).map((r) => r.closeCode ?? '–');
    lines.push(
      `| ${run.sockets} | ${run.results.map((r) => n(r.distinct)).join(', ')} | ${closed.length === 0 ? 'none' : closed.join(', ')} | ` +
        `${(Math.max(...run.results.map((r) => r.ms)) / 1000).toFixed(1)} | ${run.healthz.p50.toFixed(1)} | ${run.healthz.p99.toFixed(1)} | ${run.healthz.max.toFixed(1)} | ` +
        `${(run.rssBeforeKib / 1024).toFixed(0)} → ${(run.rssPeakKib / 1024).toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}

function markdownTable(list: Row[]): string {
  const lines = ['| scenario | target | Parley | ceiling (bare) | Parley / ceiling | target |', '|---|---|---|---|---|---|'];
  for (const r of list) lines.push(`| ${r.scenario} | ${r.target} | ${r.parley} | ${r.ceiling} | ${r.ratio} | ${r.met} |`);
  return lines.join('\n');
}

function bar(share: number, width = 40): string {
  const filled = Math.round(Math.min(share, 1) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${(share * 100).toFixed(0)}%`;
}

function ladderTable(title: string, ladders: { parley: Ladder; bare: Ladder }, unit: string): string {
  const lines = [
    `**${title}**`,
    '',
    `| offered msgs/s | bare ${unit} | bare p99 ms | Parley ${unit} | Parley p50 ms | Parley p99 ms | Parley server CPU | server write calls a message, bare / Parley |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  const rates = [...new Set([...ladders.bare.steps, ...ladders.parley.steps].map((s) => s.rate))].sort((a, b) => a - b);
  for (const rate of rates) {
    const b = ladders.bare.steps.find((s) => s.rate === rate);
    const p = ladders.parley.steps.find((s) => s.rate === rate);
    const cell = (s: typeof b, f: (s: NonNullable<typeof b>) => string): string => (s ? f(s) : '–');
    const writes = (s: typeof b): string => cell(s, (s) => (s.serverWrites === undefined ? '–' : s.serverWrites.toFixed(1)));
    lines.push(
      `| ${n(rate)} | ${cell(b, (s) => n(s.throughput) + (s.ok ? '' : ' ✗'))} | ${cell(b, (s) => s.latency.p99.toFixed(1))} | ` +
        `${cell(p, (s) => n(s.throughput) + (s.ok ? '' : ' ✗'))} | ${cell(p, (s) => s.latency.p50.toFixed(1))} | ${cell(p, (s) => s.latency.p99.toFixed(1))} | ${cell(p, (s) => `${(s.serverCpu * 100).toFixed(0)}%`)} | ${writes(b)} / ${writes(p)} |`,
    );
  }
  return lines.join('\n');
}

/** `source`: the results file of the run, named in the section so the charts can draw the same run. */
export function renderReport(report: Report, source: string): { table: string; section: string } {
  const list = rows(report);
  const table = markdownTable(list);
  const chart = list
    .filter((r) => r.share !== undefined)
    .map((r) => `${r.scenario.slice(0, 2).padEnd(3)}${r.scenario.slice(3, 40).padEnd(38)} ${bar(r.share ?? 0)}`)
    .join('\n');
  const parts = [
    `### ${report.mode === 'quick' ? 'Quick' : 'Full'} run on ${report.store} (${report.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${(report.durationS ?? 0).toFixed(0)} s)`,
    '',
    `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Linux ${report.machine.kernel}, Node ${report.machine.node}. Clients and servers share the cores.`,
    '',
    `Every step of every ladder: [${source}](${source}).`,
    '',
    table,
    '',
    'Parley as a share of the bare ceiling measured in the same run:',
    '',
    '```',
    chart,
    '```',
  ];
  if (report.fanout) parts.push('', ladderTable(`Room fan-out ladder (✗ = p99 over ${P99_BOUND_MS.fanout} ms or deliveries lost)`, report.fanout, 'deliveries/s'));
  if (report.personal) parts.push('', ladderTable(`Personal messages ladder (✗ = p99 over ${P99_BOUND_MS.personal} ms or messages lost)`, report.personal, 'messages/s'));
  if (report.fetch) parts.push('', fetchTable(report.fetch));
  return { table, section: parts.join('\n') };
}
