// Builds the browser client (web/) into dist/public/: hashed bundles for the client, whose
// index.html names them, and fixed names for the test pages' script and style.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'public');
const assets = path.join(out, 'assets');
const common = { bundle: true, minify: true, sourcemap: true, target: 'es2022', format: 'esm', logLevel: 'warning' };

await fs.rm(out, { recursive: true, force: true });
const client = await build({
  ...common,
  entryPoints: { main: path.join(root, 'web/src/main.ts'), style: path.join(root, 'web/src/style.css') },
  outdir: assets,
  entryNames: '[name]-[hash]',
  metafile: true,
});
await build({
  ...common,
  entryPoints: { 'chat-pages': path.join(root, 'web/chat-pages/pages.ts'), 'chat-pages-style': path.join(root, 'web/chat-pages/pages.css') },
  outdir: assets,
  entryNames: '[name]',
});
await fs.rename(path.join(assets, 'chat-pages-style.css'), path.join(assets, 'chat-pages.css'));
await fs.rm(path.join(assets, 'chat-pages-style.css.map'), { force: true });

const built = Object.entries(client.metafile.outputs);
const named = (entry, ext) => {
  const found = built.find(([file, meta]) => meta.entryPoint?.endsWith(entry) && file.endsWith(ext));
  if (!found) throw new Error(`no output for ${entry}`);
  return `/assets/${path.basename(found[0])}`;
};
const html = (await fs.readFile(path.join(root, 'web/index.html'), 'utf8'))
  .replace('%SCRIPT%', named('web/src/main.ts', '.js'))
  .replace('%STYLE%', named('web/src/style.css', '.css'));
await fs.writeFile(path.join(out, 'index.html'), html);
