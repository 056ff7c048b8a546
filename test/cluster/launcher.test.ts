// The built entry (dist/src/main.js, src/launcher.ts) runs the bundle with the code cache the
// build made, and only with the cache made from that very bundle: V8 itself checks no more than
// the source's length, and another bundle's code run against this source would be wrong code.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILT = path.join(ROOT, 'dist/src');
// A copy of the built entry inside the package, so the bundle finds node_modules and dist/public.
const COPY = path.join(ROOT, 'dist/test-launcher');

const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** Starts the copied entry and stops it once /readyz answers; resolves with its ready line's message. */
async function startCopy(): Promise<string> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(COPY, 'data-'));
  const child = spawn(process.execPath, [path.join(COPY, 'main.js')], {
    env: { ...process.env, PARLEY_HOST: '127.0.0.1', PARLEY_PORT: String(port), PARLEY_DATA_DIR: dataDir, PARLEY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  try {
    const deadline = Date.now() + 15_000;
    while (!stdout.includes('"url"')) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) throw new Error(`the copied server did not start: ${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const ready = stdout.split('\n').find((line) => line.includes('"url"')) ?? '{}';
    return (JSON.parse(ready) as { msg: string }).msg;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

beforeAll(() => {
  fs.rmSync(COPY, { recursive: true, force: true });
  fs.mkdirSync(COPY, { recursive: true });
  for (const file of ['main.js', 'launcher.js']) fs.copyFileSync(path.join(BUILT, file), path.join(COPY, file));
});
afterAll(() => {
  fs.rmSync(COPY, { recursive: true, force: true });
});

describe('the built entry', () => {
  it('has a code cache made from the bundle beside it', () => {
    const cache = fs.readFileSync(path.join(BUILT, 'bundle.cjs.code-cache'));
    expect(cache.subarray(0, 32).equals(sha256(fs.readFileSync(path.join(BUILT, 'bundle.cjs'))))).toBe(true);
    expect(cache.length).toBeGreaterThan(100_000);
  });

  it('does not run the code of another bundle of the same length', async () => {
    const bundle = fs.readFileSync(path.join(BUILT, 'bundle.cjs'), 'latin1');
    const changed = bundle.replace('parley is ready', 'PARLEY IS READY');
    expect(changed.length).toBe(bundle.length);
    fs.writeFileSync(path.join(COPY, 'bundle.cjs'), changed, 'latin1');
    // The original bundle's cache, as if the build had stopped between the bundle and its cache.
    fs.copyFileSync(path.join(BUILT, 'bundle.cjs.code-cache'), path.join(COPY, 'bundle.cjs.code-cache'));
    expect(await startCopy()).toBe('PARLEY IS READY');
  });

  it('starts without a cache, and with one that V8 rejects', async () => {
    fs.copyFileSync(path.join(BUILT, 'bundle.cjs'), path.join(COPY, 'bundle.cjs'));
    fs.rmSync(path.join(COPY, 'bundle.cjs.code-cache'), { force: true });
    expect(await startCopy()).toBe('parley is ready');
    const digest = sha256(fs.readFileSync(path.join(COPY, 'bundle.cjs')));
    fs.writeFileSync(path.join(COPY, 'bundle.cjs.code-cache'), Buffer.concat([digest, Buffer.alloc(4096, 7)]));
    expect(await startCopy()).toBe('parley is ready');
  });
});
