// The built server's entry (dist/src/main.js imports it): runs the bundle, dist/src/bundle.cjs,
// with the code V8 compiled for it when `npm run build` started it once. Parsing and compiling
// the 2 MB bundle was a third of a start, and Node 20 keeps no compile cache of its own
// (module.enableCompileCache is Node 22's). The cache is used only for the bundle it was made
// from (its SHA-256 heads the file) and by the V8 that made it (V8 rejects it otherwise); without
// it the bundle is compiled as any script is.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const BUNDLE = fileURLToPath(new URL('bundle.cjs', import.meta.url));
const CODE_CACHE = `${BUNDLE}.code-cache`;
const DIGEST_BYTES = 32;

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

function readCodeCache(digest: Buffer): Buffer | undefined {
  let file: Buffer;
  try {
    file = fs.readFileSync(CODE_CACHE);
  } catch {
    return undefined;
  }
  return file.subarray(0, DIGEST_BYTES).equals(digest) ? file.subarray(DIGEST_BYTES) : undefined;
}

/** What the build's run leaves behind: the code compiled by the time the process exits. */
function writeCodeCacheOnExit(script: vm.Script, digest: Buffer): void {
  process.once('exit', () => {
    const temporary = `${CODE_CACHE}.${process.pid}`;
    fs.writeFileSync(temporary, Buffer.concat([digest, script.createCachedData()]));
    fs.renameSync(temporary, CODE_CACHE);
  });
}

const require = createRequire(BUNDLE);
if (process.sourceMapsEnabled) {
  // Node maps stack traces only for what its own loaders compiled.
  require(BUNDLE);
} else {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  const digest = createHash('sha256').update(source).digest();
  const script = new vm.Script(Module.wrap(source), {
    filename: BUNDLE,
    cachedData: readCodeCache(digest),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (process.env.PARLEY_WRITE_CODE_CACHE === '1') writeCodeCacheOnExit(script, digest);
  const run = script.runInThisContext() as CommonJsWrapper;
  const module = { exports: {} };
  run(module.exports, require, module, BUNDLE, path.dirname(BUNDLE));
}
