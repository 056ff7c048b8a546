// Bundles the server's entry, dist/src/main.js as tsc wrote it, into one file: Parley's own
// modules and its two ES-module dependencies of hundreds of files each (kysely, typebox). Node
// loads an ES module graph file by file (resolve, read, compile, link each), and those ~750 files
// were the largest part of a start. CommonJS packages and the native SQLite binding stay in
// node_modules; modules loaded on demand (Redis, PostgreSQL) stay apart, in main-chunks/.
// The rest of what tsc wrote (cli.js and the modules it imports) is left as it is. Names are not
// kept (esbuild's keepNames): it would define a name on every closure made, per socket too.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'src');
const BUNDLED_PACKAGES = new Set(['kysely', 'typebox']);

const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

await fs.rm(path.join(out, 'main-chunks'), { recursive: true, force: true });
await build({
  entryPoints: { main: path.join(out, 'main.js') },
  outdir: out,
  chunkNames: 'main-chunks/[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [
    {
      name: 'node-modules-outside',
      setup(bundler) {
        bundler.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) =>
          BUNDLED_PACKAGES.has(packageOf(specifier)) ? undefined : { external: true },
        );
      },
    },
  ],
});
