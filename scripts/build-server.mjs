// Bundles the server's entry, dist/src/main.js as tsc wrote it, into one file: Parley's own
// modules and the packages it runs on, ES modules (kysely, typebox) and CommonJS (fastify and
// its dependencies, pino, ws, prom-client...) alike. Node loads a module graph file by file
// (resolve, read, compile, link each), and their hundreds of files were most of a start.
// Modules loaded on demand (Redis, PostgreSQL) stay apart, in main-chunks/. The rest of what tsc
// wrote (cli.js and the modules it imports) is left as it is. Names are not kept (esbuild's
// keepNames): it would define a name on every closure made, per socket too.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'src');
// Packages that must stay in their own node_modules folder: the native SQLite binding (its
// .node file), and those that read their own files at run time (@fastify/static's and
// swagger-ui's assets, @fastify/swagger's package.json) relative to where they sit. pg-native
// is pg's optional driver, required only if present.
const EXTERNAL_PACKAGES = new Set(['better-sqlite3', '@fastify/static', '@fastify/swagger', '@fastify/swagger-ui', 'pg-native']);

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
  // Whitespace and syntax minified (names kept): a third less source for V8 to parse and hold,
  // some MiB of a fresh process's memory. The source map leads a stack trace back to src/.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
  // The CommonJS packages bundled call require() for Node's own modules; an ES module has none.
  banner: { js: "import { createRequire as __parleyCreateRequire } from 'node:module'; const require = __parleyCreateRequire(import.meta.url);" },
  plugins: [
    {
      name: 'node-modules-outside',
      setup(bundler) {
        bundler.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) =>
          EXTERNAL_PACKAGES.has(packageOf(specifier)) ? { external: true } : undefined,
        );
      },
    },
  ],
});
