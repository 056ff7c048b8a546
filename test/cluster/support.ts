// Several real Parley processes (the built dist/), on one PostgreSQL database and one Redis,
// plus private Redis and PostgreSQL servers that the fault tests may stop and start at will.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Endpoint } from '../support/server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'dist/src/main.js');
export const SHARED_POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One Parley process; it looks like a TestServer to the shared clients. */
export class ParleyProcess implements Endpoint {
  url = '';
  wsUrl = '';
  readonly exited: Promise<number | null>;
  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(env: Record<string, string>): Promise<ParleyProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        // Tests sign up many accounts from one address: a cheap hash, generous limits.
        PARLEY_PASSWORD_COST: '1024,8,1',
        PARLEY_LOGIN_ADDRESS_ATTEMPTS: '1000000',
        ...env,
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: String(port),
        PARLEY_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const parley = new ParleyProcess(child);
    parley.url = `http://127.0.0.1:${port}`;
    parley.wsUrl = `ws://127.0.0.1:${port}`;
    await Promise.race([
      waitFor(async () => (await fetch(`${parley.url}/healthz`)).ok, `parley on port ${port}`),
      parley.exited.then((code) => {
        throw new Error(`parley exited with ${code}: ${stderr}`);
      }),
    ]);
    return parley;
  }

  async ready(): Promise<boolean> {
    const response = await fetch(`${this.url}/readyz`).catch(() => undefined);
    return response?.status === 200;
  }

  async waitReady(timeoutMs = 20_000): Promise<void> {
    await waitFor(() => this.ready(), `${this.url} to be ready`, timeoutMs);
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** A Redis server of the test's own, on a free port, keeping nothing on disk. */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.resume();
    return redis;
  }

  async resume(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(this.port, '127.0.0.1', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        }),
      'redis',
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** A fresh database on the shared PostgreSQL; dropped by `drop`. */
export async function createDatabase(serverUrl = SHARED_POSTGRES_URL): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_cluster_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, run as the postgres
 * user), so that a test can stop and start it without disturbing anyone else.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static binDir(): string | undefined {
    const base = '/usr/lib/postgresql';
    if (!fs.existsSync(base)) return undefined;
    const version = fs.readdirSync(base).sort().pop();
    return version ? path.join(base, version, 'bin') : undefined;
  }

  static async start(): Promise<PrivatePostgres> {
    const bin = PrivatePostgres.binDir();
    if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'));
    fs.chmodSync(dir, 0o777);
    const data = path.join(dir, 'data');
    asPostgres(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const server = new PrivatePostgres(dir, await freePort());
    await server.resume();
    return server;
  }

  async resume(): Promise<void> {
    const bin = PrivatePostgres.binDir() ?? '';
    asPostgres(path.join(bin, 'pg_ctl'), [
      '-D', path.join(this.dir, 'data'), '-l', path.join(this.dir, 'log'), '-w',
      '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start',
    ]);
  }

  async stop(): Promise<void> {
    const bin = PrivatePostgres.binDir() ?? '';
    asPostgres(path.join(bin, 'pg_ctl'), ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function asPostgres(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const result = asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' })
    : spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${path.basename(command)} failed: ${result.stderr || result.stdout}`);
}

/** Processes on one fresh database and a private Redis, as the cluster tests run them. */
export interface Cluster {
  nodes: ParleyProcess[];
  redis: PrivateRedis;
  /** The environment every process of the cluster runs with. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts one more process of the cluster (stopped with it); `extra` adds to its environment. */
export async function startNode(cluster: Cluster, extra: Record<string, string> = {}): Promise<ParleyProcess> {
  const node = await ParleyProcess.start({ ...cluster.env, ...extra });
  cluster.nodes.push(node);
  return node;
}

export async function startCluster(size: number): Promise<Cluster> {
  const redis = await PrivateRedis.start();
  const database = await createDatabase();
  const env = { PARLEY_DATABASE_URL: database.url, PARLEY_REDIS_URL: redis.url };
  const nodes: ParleyProcess[] = [];
  for (let i = 0; i < size; i++) nodes.push(await ParleyProcess.start(env));
  return {
    nodes,
    redis,
    env,
    async stop() {
      await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
      await redis.stop();
      await database.drop();
    },
  };
}
