// Bundles the server's entry, dist/src/main.js as tsc wrote it, into one CommonJS file,
// dist/src/bundle.cjs: Parley's own modules and the packages it runs on, ES modules (kysely,
// typebox) and CommonJS (fastify and its dependencies, pino, ws, prom-client...) alike. Node
// loads a module graph file by file (resolve, read, compile, link each), and their hundreds of
// files were most of a start. dist/src/main.js then becomes the launcher (src/launcher.ts), which
// runs the bundle with V8's code cache; the cache is made here by starting the server once on
// an empty data directory and keeping what V8 compiled by its exit. CommonJS because Node 20 can
// hand V8 a code cache only for a script, not for an ES module. The rest of what tsc wrote
// (cli.js and the modules it imports) is left as it is. Names are not kept (esbuild's keepNames):
// it would define a name on every closure made, per socket too.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
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

const ENTRY_NOTE = "// Written by scripts/build-server.mjs: the server's entry starts the bundle.";
if ((await fs.readFile(path.join(out, 'main.js'), 'utf8')).startsWith(ENTRY_NOTE)) {
  throw new Error('dist/src/main.js is the launcher already: run tsc (npm run build) first');
}
await fs.rm(path.join(out, 'bundle.cjs.code-cache'), { force: true });
await build({
  entryPoints: [path.join(out, 'main.js')],
  outfile: path.join(out, 'bundle.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Whitespace and syntax minified (names kept): a third less source for V8 to parse and hold,
  // some MiB of a fresh process's memory. The source map leads a stack trace back to src/.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
  // What Parley's modules ask of import.meta, answered for a CommonJS file.
  define: { 'import.meta.url': '__parleyModuleUrl', 'import.meta.resolve': '__parleyResolve' },
  banner: {
    js: "const __parleyModuleUrl = require('node:url').pathToFileURL(__filename).href; const __parleyResolve = (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href;",
  },
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

await fs.writeFile(path.join(out, 'main.js'), `${ENTRY_NOTE}\nimport './launcher.js';\n`);
await fs.rm(path.join(out, 'main.js.map'), { force: true });
await writeCodeCache();

/** Starts the built server once, on an empty data directory and a free port, until /readyz answers. */
async function writeCodeCache() {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-build-'));
  const port = await freePort();
  // Only what this run needs: a PARLEY_ setting of the shell (a database URL, say) stays out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PARLEY_')));
  const child = spawn(process.execPath, [path.join(out, 'main.js')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...env, PARLEY_WRITE_CODE_CACHE: '1', PARLEY_HOST: '127.0.0.1', PARLEY_PORT: String(port), PARLEY_DATA_DIR: dataDir, PARLEY_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 30_000;
    while (!(await ready(`http://127.0.0.1:${port}/readyz`))) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) throw new Error('the server did not start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGTERM');
    if ((await exited) !== 0) throw new Error('the server did not stop cleanly');
    await fs.access(path.join(out, 'bundle.cjs.code-cache'));
  } catch (error) {
    child.kill('SIGKILL');
    console.warn(`build-server: no code cache (${error.message}); the server starts without it, slower`);
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

async function ready(url) {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
