// `npm run bench:charts [results files…]`: rewrites BENCHMARKS.md's results sections and the
// ladder charts (bench/charts/) from bench/results/, without running anything. Each store shows
// the file given for it, else the one its section already names, else its latest full run, else
// its latest quick run.
import path from 'node:path';
import { ROOT } from './harness.js';
import { storeOf, updateBenchmarks, type StoreKey } from './benchmarks-file.js';

const chosen: Partial<Record<StoreKey, string>> = {};
for (const argument of process.argv.slice(2)) {
  const store = storeOf(argument);
  if (!store) {
    process.stderr.write(`bench:charts: ${argument} is no results file (<mode>-<store>-<time>.json)\n`);
    process.exit(2);
  }
  chosen[store] = path.relative(ROOT, path.resolve(argument));
}
process.stdout.write(`written: ${updateBenchmarks(ROOT, chosen).join(', ')}\n`);
