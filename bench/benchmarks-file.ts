// BENCHMARKS.md's generated parts: a results section per store, each from one results file,
// and the ladder charts (bench/charts/<scenario>.svg) drawn from the runs those sections show,
// so that the tables and the charts never disagree.
import fs from 'node:fs';
import path from 'node:path';
import { latencyChart, type ChartSeries } from './chart.js';
import { P99_BOUND_MS, renderReport, rows, type Report } from './report.js';
import type { Ladder } from './scenarios.js';

export const STORES = ['sqlite', 'postgres'] as const;
export type StoreKey = (typeof STORES)[number];

const STORE_NAMES: Record<StoreKey, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL + Redis' };
const PARLEY_COLORS: Record<StoreKey, string> = { sqlite: '#1f66b4', postgres: '#e07b00' };
const BARE_COLORS: Record<StoreKey, string> = { sqlite: '#555555', postgres: '#9a9a9a' };
const RESULTS = 'bench/results';

const LADDERS = [
  { scenario: 'fanout', title: 'Room fan-out, 1,000 members', xLabel: 'offered messages/s (each delivered to 1,000 members)' },
  { scenario: 'personal', title: 'Personal messages, 2,000 users', xLabel: 'offered messages/s' },
] as const;

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`, or appends the block. */
export function replaceBlock(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  const block = `${start}\n${content}\n${end}`;
  return from >= 0 && to > from ? document.slice(0, from) + block + document.slice(to + end.length) : `${document.trimEnd()}\n\n${block}\n`;
}

function blockOf(document: string, name: string): string {
  const from = document.indexOf(`<!-- ${name}:start -->`);
  const to = document.indexOf(`<!-- ${name}:end -->`);
  return from >= 0 && to > from ? document.slice(from, to) : '';
}

/** The store a results file is of, from its name: <mode>-<store>-<time>.json. */
export function storeOf(file: string): StoreKey | undefined {
  const store = /^(?:quick|full)-([a-z]+)-/.exec(path.basename(file))?.[1];
  return STORES.find((s) => s === store);
}

/**
 * The results file each store's section shows: `chosen` if given, else the one the section
 * names, else the latest full run, else the latest quick run.
 */
function sources(root: string, document: string, chosen: Partial<Record<StoreKey, string>>): Partial<Record<StoreKey, string>> {
  const files = fs.existsSync(path.join(root, RESULTS))
    ? fs.readdirSync(path.join(root, RESULTS)).filter((f) => f.endsWith('.json')).map((f) => `${RESULTS}/${f}`)
    : [];
  const latest = (store: StoreKey, mode: string): string | undefined =>
    files.filter((f) => storeOf(f) === store && path.basename(f).startsWith(`${mode}-`)).sort().at(-1);
  const out: Partial<Record<StoreKey, string>> = {};
  for (const store of STORES) {
    const named = new RegExp(`\\]\\((${RESULTS}/[^)]+\\.json)\\)`).exec(blockOf(document, `results:${store}`))?.[1];
    const source = chosen[store] ?? (named && files.includes(named) ? named : undefined) ?? latest(store, 'full') ?? latest(store, 'quick');
    if (source) out[store] = source;
  }
  return out;
}

function series(store: StoreKey, mode: Report['mode'], ladders: { parley: Ladder; bare: Ladder }): ChartSeries[] {
  const points = (ladder: Ladder): ChartSeries['points'] => ladder.steps.map((s) => ({ x: s.rate, y: s.latency.p99, ok: s.ok }));
  return [
    { label: `Parley on ${STORE_NAMES[store]} (${mode} run)`, color: PARLEY_COLORS[store], points: points(ladders.parley) },
    { label: `bare ceiling, ${STORE_NAMES[store]} run`, color: BARE_COLORS[store], dash: '6 4', points: points(ladders.bare) },
  ];
}

/** Both stores side by side: each scenario's figure, its ceiling in the same run, the ratio and the target. */
export function summaryTable(reports: ReadonlyArray<[StoreKey, Report]>): string {
  const byStore = reports.map(([store, report]) => [store, new Map(rows(report).map((r) => [r.scenario.slice(0, 2), r]))] as const);
  const scenarios = new Map<string, string>();
  for (const [, report] of reports) for (const r of rows(report)) if (!scenarios.has(r.scenario.slice(0, 2))) scenarios.set(r.scenario.slice(0, 2), r.scenario);
  const header = ['scenario', ...byStore.flatMap(([store]) => [`${STORE_NAMES[store]}: Parley`, 'ceiling', 'ratio', 'target'])];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const [key, scenario] of [...scenarios].sort(([a], [b]) => a.localeCompare(b))) {
    const cells = byStore.flatMap(([, found]) => {
      const r = found.get(key);
      return r ? [r.parley, r.ceiling, r.ratio, `${r.target}: ${r.met}`] : ['–', '–', '–', '–'];
    });
    lines.push(`| ${scenario} | ${cells.join(' | ')} |`);
  }
  const runs = reports.map(([store, report]) => `${STORE_NAMES[store]}: ${report.mode} run of ${report.startedAt}`).join('; ');
  return [`Both stores in one table, from the runs of the sections below (${runs}).`, '', ...lines].join('\n');
}

/** Writes the charts and the sections of BENCHMARKS.md; returns the files written, relative to root. */
export function updateBenchmarks(root: string, chosen: Partial<Record<StoreKey, string>> = {}): string[] {
  const file = path.join(root, 'BENCHMARKS.md');
  let document = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const reports: Array<[StoreKey, Report]> = [];
  for (const [store, source] of Object.entries(sources(root, document, chosen)) as Array<[StoreKey, string]>) {
    const report = JSON.parse(fs.readFileSync(path.join(root, source), 'utf8')) as Report;
    reports.push([store, report]);
    document = replaceBlock(document, `results:${store}`, renderReport(report, source).section);
  }
  if (reports.length > 0) document = replaceBlock(document, 'summary', summaryTable(reports));
  const written: string[] = [];
  const images: string[] = [];
  for (const ladder of LADDERS) {
    const drawn = reports.flatMap(([store, report]) => {
      const ladders = report[ladder.scenario];
      return ladders ? series(store, report.mode, ladders) : [];
    });
    if (drawn.length === 0) continue;
    const svg = latencyChart({ title: `${ladder.title}: p99 latency by offered rate`, xLabel: ladder.xLabel, series: drawn, limitMs: P99_BOUND_MS[ladder.scenario] });
    const chart = `bench/charts/${ladder.scenario}.svg`;
    fs.mkdirSync(path.join(root, 'bench', 'charts'), { recursive: true });
    fs.writeFileSync(path.join(root, chart), svg);
    written.push(chart);
    images.push(`![${ladder.title}: p99 latency by offered rate, per contender](${chart})`);
  }
  const runs = reports.map(([store, report]) => `the ${report.mode} run on ${STORE_NAMES[store]}`).join(' and ');
  document = replaceBlock(
    document,
    'charts',
    [
      `Each ladder drawn: offered rate against p99 latency (log scale), one line per contender, from ${runs} (the sections below). ` +
        'A cross is a failed step: over the limit, or messages lost. Redrawn by `npm run bench` and `npm run bench:charts`.',
      '',
      images.join('\n\n'),
    ].join('\n'),
  );
  fs.writeFileSync(file, document);
  written.push('BENCHMARKS.md');
  return written;
}
