// The server's memory while six accounts each upload a 25 MB file at the same time: resident set
// before, and its peak while the uploads run (sampled, and the kernel's high-water mark).
// `npx tsc -p bench/tsconfig.json && node scripts/build-server.mjs && node dist/bench/upload-memory.js [--main <another build's dist/src/main.js>]`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { rssKib, startParley } from './harness.js';

const UPLOADS = 6;
const FILE_BYTES = 25 * 1024 * 1024 - 4096;
const BOUNDARY = 'parley-bench-boundary';

interface Account {
  id: number;
  token: string;
}

async function json(url: string, init: RequestInit): Promise<any> {
  const response = await fetch(url, init);
  const body: unknown = await response.json();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function account(url: string, n: number): Promise<Account> {
  const name = `upload${n}${process.pid}`;
  const signup = await json(`${url}/auth/signup/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}@example.com`, username: name, password: 'bench-password-1', ph_num: `7${String(process.pid * 10 + n).padStart(9, '0').slice(-9)}` }),
  });
  const token = signup.token as string;
  const profile = await json(`${url}/api/user/profile/detail/`, { headers: { authorization: `Token ${token}` } });
  return { id: profile.id as number, token };
}

/** A multipart body: an MP4 `ftyp` box, then random bytes (video is an accepted type). */
function uploadBody(): Uint8Array<ArrayBuffer> {
  const file = Buffer.alloc(FILE_BYTES);
  for (let offset = 0; offset < FILE_BYTES; offset += 65536) file.fill(Math.floor(Math.random() * 256), offset, Math.min(offset + 65536, FILE_BYTES));
  Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(12)]).copy(file);
  const multipart = Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="attachment"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  const copy = new Uint8Array(new ArrayBuffer(multipart.length));
  copy.set(multipart);
  return copy;
}

function peakKib(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { main: { type: 'string' } } });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-upload-bench-'));
  const server = await startParley({ dataDir, main: values.main });
  try {
    const accounts = await Promise.all(Array.from({ length: UPLOADS }, (_, n) => account(server.url, n)));
    const [owner, ...others] = accounts;
    if (!owner) throw new Error('no accounts');
    const room = await json(`${server.url}/api/chat/create-group/`, {
      method: 'POST',
      headers: { authorization: `Token ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `uploads_${process.pid}`, members: others.map((a) => a.id) }),
    });
    const body = uploadBody();
    const before = rssKib(server.pid);
    let sampled = before;
    const sampler = setInterval(() => (sampled = Math.max(sampled, rssKib(server.pid))), 10);
    const started = performance.now();
    const statuses = await Promise.all(
      accounts.map(async (a) => {
        const response = await fetch(`${server.url}/api/chat/groups/${room.room.id}/messages/upload/`, {
          method: 'POST',
          headers: { authorization: `Token ${a.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
          body,
        });
        await response.text();
        return response.status;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
    console.log(`${UPLOADS} concurrent uploads of ${(FILE_BYTES / 1024 / 1024).toFixed(1)} MiB: statuses ${statuses.join(' ')} in ${seconds.toFixed(1)} s`);
    console.log(`server RSS before ${mib(before)}, peak sampled ${mib(sampled)}, kernel high-water mark ${mib(peakKib(server.pid))}`);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
