// BENCHMARKS.md's generated parts: which run each store's section shows, and charts drawn from
// exactly those runs. Works on a copy of the committed results in a scratch directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceBlock, updateBenchmarks } from '../../bench/benchmarks-file.js';

const RESULTS = fs.readdirSync('bench/results').filter((f) => f.endsWith('.json'));
const fullSqlite = RESULTS.find((f) => f.startsWith('full-sqlite-')) ?? '';
const quickSqlite = RESULTS.filter((f) => f.startsWith('quick-sqlite-')).sort().at(-1) ?? '';
const quickPostgres = RESULTS.find((f) => f.startsWith('quick-postgres-')) ?? '';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-doc-'));
  fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  for (const file of [fullSqlite, quickSqlite, quickPostgres]) fs.copyFileSync(path.join('bench/results', file), path.join(root, 'bench/results', file));
  fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), '# Benchmarks\n\nHand-written text stays.\n');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const document = (): string => fs.readFileSync(path.join(root, 'BENCHMARKS.md'), 'utf8');
const section = (store: string): string => document().split(`<!-- results:${store}:start -->`)[1]?.split(`<!-- results:${store}:end -->`)[0] ?? '';
const polylines = (chart: string): number => (fs.readFileSync(path.join(root, chart), 'utf8').match(/<polyline /g) ?? []).length;

describe('BENCHMARKS.md sections and charts', () => {
  it('shows each store’s full run over a later quick one, and charts both contenders of both stores', () => {
    expect(fullSqlite && quickSqlite && quickPostgres).toBeTruthy();
    expect(updateBenchmarks(root)).toEqual(['bench/charts/fanout.svg', 'bench/charts/personal.svg', 'BENCHMARKS.md']);
    expect(section('sqlite')).toContain(`(bench/results/${fullSqlite})`);
    expect(section('postgres')).toContain(`(bench/results/${quickPostgres})`);
    expect(document()).toContain('Hand-written text stays.');
    expect(document()).toContain('![Room fan-out, 1,000 members: p99 latency by offered rate, per contender](bench/charts/fanout.svg)');
    expect(polylines('bench/charts/fanout.svg')).toBe(4);
    expect(polylines('bench/charts/personal.svg')).toBe(4);
  });

  it('keeps showing a chosen run once its section names it, and draws that run', () => {
    updateBenchmarks(root, { sqlite: `bench/results/${quickSqlite}` });
    updateBenchmarks(root);
    expect(section('sqlite')).toContain(`(bench/results/${quickSqlite})`);
    expect(section('sqlite')).toMatch(/^\n### Quick run on sqlite/);
    expect(fs.readFileSync(path.join(root, 'bench/charts/fanout.svg'), 'utf8')).toContain('Parley on SQLite (quick run)');
  });

  it('puts both stores in one summary table, a row per scenario with each store’s ratio and target', () => {
    updateBenchmarks(root);
    const summary = document().split('<!-- summary:start -->')[1]?.split('<!-- summary:end -->')[0] ?? '';
    const header = summary.split('\n').find((line) => line.startsWith('| scenario'));
    expect(header).toBe('| scenario | SQLite: Parley | ceiling | ratio | target | PostgreSQL + Redis: Parley | ceiling | ratio | target |');
    const fanout = summary.split('\n').find((line) => line.startsWith('| 1. room fan-out'));
    expect(fanout?.split(' | ')).toHaveLength(9);
    expect(fanout).toMatch(/≥ 1\.0× ceiling: (met|\*\*missed\*\*).*≥ 0\.8× ceiling: (met|\*\*missed\*\*)/);
  });

  it('replaces a marked block in place, or appends it when the markers are missing', () => {
    const marked = 'a\n<!-- x:start -->\nold\n<!-- x:end -->\nb\n';
    expect(replaceBlock(marked, 'x', 'new')).toBe('a\n<!-- x:start -->\nnew\n<!-- x:end -->\nb\n');
    expect(replaceBlock('a\n', 'x', 'new')).toBe('a\n\n<!-- x:start -->\nnew\n<!-- x:end -->\n');
  });
});
