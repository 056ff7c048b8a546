// Processes of a run: the Parley server (the built dist/src/main.js, in its own process so its
// memory and CPU are read apart from the clients'), the bare `ws` ceiling, and the load workers.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import type { Command, WorkerReply } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/bench → the repository root. */
export const ROOT = path.resolve(here, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');

/** Source addresses the clients spread over, each with its own range of ephemeral ports. */
export const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

export interface ServerProcess {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readyMs: number;
  /**
   * A full garbage collection in the server, through its inspector; present when the server was
   * started with one (`inspect`), so that a memory reading counts what is held, not what V8 has
   * yet to collect.
   */
  collectGarbage?(): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited with ${child.exitCode ?? child.signalCode} before it was ready`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

export interface ParleyOptions {
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Directory for a V8 CPU profile of the server (--cpu-prof), written at exit. */
  cpuProfDir?: string;
  /** Another build's dist/src/main.js, to measure it against this one. */
  main?: string;
  /** With an inspector on a loopback port, for collectGarbage. */
  inspect?: boolean;
}

export async function startParley(options: ParleyOptions): Promise<ServerProcess> {
  const main = options.main ?? MAIN;
  const inspectPort = options.inspect ? await freePort() : undefined;
  const args = [
    ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
    ...inspectArgs(inspectPort),
    main,
  ];
  const server = await spawnReady(args, (port) => ({
    PARLEY_PORT: String(port),
    PARLEY_HOST: '127.0.0.1',
    PARLEY_DATA_DIR: options.dataDir,
    PARLEY_DATABASE_URL: options.databaseUrl ?? '',
    PARLEY_REDIS_URL: options.redisUrl ?? '',
    PARLEY_LOG_LEVEL: 'warn',
    // The scenarios open up to 18,000 sockets from eight loopback addresses (2,250 each) and a
    // few per account: the per-address cap goes up to the open-files limit, the other stays.
    PARLEY_MAX_SOCKETS_PER_ADDRESS: '20000',
    PARLEY_MAX_SOCKETS_PER_ACCOUNT: '100',
  }));
  return inspectable(server, inspectPort);
}

/** The flag for an inspector on `port`, if any. */
const inspectArgs = (port: number | undefined): string[] => (port ? [`--inspect=127.0.0.1:${port}`] : []);

/** `server`, with collectGarbage when it has an inspector on `port`. */
function inspectable(server: ServerProcess, port: number | undefined): ServerProcess {
  return port ? { ...server, collectGarbage: () => collectGarbage(port) } : server;
}

/** Asks the inspector on `port` for a full collection, and resolves when it is done. */
async function collectGarbage(port: number): Promise<void> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    socket.on('message', (data) => {
      const reply = JSON.parse(String(data)) as { id?: number; error?: { message: string } };
      if (reply.id !== 1) return;
      socket.close();
      if (reply.error) reject(new Error(reply.error.message));
      else resolve();
    });
  });
}

/** Spawns a server process on a free port (`env` names it) and resolves once /readyz answers 200. */
async function spawnReady(args: string[], env: (port: number) => NodeJS.ProcessEnv): Promise<ServerProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env(port) } });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(url, child, started);
  return { url, pid: child.pid ?? 0, readyMs, stop: stopper(child) };
}

/** The bare server, answering GET /history and GET /search with these bodies (Parley's own, byte for byte). */
export async function startBare(historyBody: string, searchBody = '{}', options: { inspect?: boolean } = {}): Promise<ServerProcess> {
  const inspectPort = options.inspect ? await freePort() : undefined;
  const started = performance.now();
  const child = fork(path.join(here, 'bare-server.js'), [], {
    env: { ...process.env, BARE_HISTORY_BODY: historyBody, BARE_SEARCH_BODY: searchBody },
    execArgv: [...process.execArgv, ...inspectArgs(inspectPort)],
    stdio: 'inherit',
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return inspectable({ url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, readyMs: performance.now() - started, stop: stopper(child) }, inspectPort);
}

/**
 * The start-up ceiling: the bare server (node:http and ws, nothing else) spawned as Parley is and
 * timed to its first 200 from /readyz the same way.
 */
export function startBareAlone(): Promise<ServerProcess> {
  return spawnReady([path.join(here, 'bare-server.js')], (port) => ({ BARE_PORT: String(port) }));
}

/** PostgreSQL for a run: PARLEY_BENCH_POSTGRES_URL, or the local server's `postgres` database. */
const POSTGRES_ADMIN_URL = process.env.PARLEY_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A new PostgreSQL database named `name`: its URL, and how to drop it (with whatever is still connected). */
export async function createDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Resident memory of a process, in KiB. */
export function rssKib(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) : 0;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Write system calls a process has made so far (socket writes, and SQLite's WAL and database
 * writes: every call the kernel counts in /proc/<pid>/io as syscw).
 */
export function writeCalls(pid: number): number {
  const match = /syscw:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** Waits until the process is nearly idle (a backlog from the last step drained), or `limitMs` passes. */
export async function quiesce(pid: number, limitMs = 20_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    const before = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (cpuSeconds(pid) - before < 0.03) return;
  }
}

/** Load-generating client processes, each with its own event loop. */
export class Workers {
  private readonly children: ChildProcess[];

  constructor(count: number) {
    this.children = Array.from({ length: count }, () => fork(path.join(here, 'load-worker.js'), [], { stdio: 'inherit' }));
  }

  get size(): number {
    return this.children.length;
  }

  /** Sends each worker its command (by index) and waits for all their answers. */
  run<T>(commandFor: (worker: number) => Command | undefined): Promise<T[]> {
    return Promise.all(
      this.children.map((child, index) => {
        const command = commandFor(index);
        if (!command) return Promise.resolve(undefined as T);
        return new Promise<T>((resolve, reject) => {
          child.once('message', (reply: WorkerReply) => (reply.ok ? resolve(reply.result as T) : reject(new Error(reply.error))));
          child.send(command);
        });
      }),
    );
  }

  async close(): Promise<void> {
    await this.run(() => ({ op: 'close' }));
    for (const child of this.children) child.kill();
  }
}

/** Splits items into `parts` contiguous slices of nearly equal size. */
export function split<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size));
}
