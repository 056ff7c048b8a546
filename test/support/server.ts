// Starts a real Parley on an ephemeral port: on SQLite in a fresh directory with the in-process
// bus, or on a fresh PostgreSQL database with the Redis bus (under a prefix of its own),
// depending on the project the suite runs in (PARLEY_TEST_STORE).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { startParley, type Parley, type ParleyOptions } from '../../src/server.js';

/** Where a server answers: what the clients need. */
export interface Endpoint {
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port> */
  wsUrl: string;
}

export interface TestServer extends Endpoint {
  parley: Parley;
  /** The configuration it runs with: another process on the same store and Redis can use it. */
  config: Config;
  engine: 'sqlite' | 'postgres';
  /** The store the server runs on, as PARLEY_* variables (for the admin command line). */
  env: { PARLEY_DATA_DIR: string; PARLEY_DATABASE_URL?: string };
  /** Stops the process's server and starts a new one on the same data. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Cheap scrypt parameters for tests (the default cost is proven by test/unit/passwords.test.ts). */
export const TEST_PASSWORD_COST = { N: 1024, r: 8, p: 1 };

const engine = process.env.PARLEY_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.PARLEY_TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * `overrides` replace configuration values (upload limits, webhook URL, time zone…); `options`
 * are those of startParley (where the log goes).
 */
export async function startTestServer(overrides: Partial<Config> = {}, options: ParleyOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  let databaseUrl: string | undefined;
  let database: string | undefined;
  if (engine === 'postgres') {
    database = `parley_test_${randomBytes(6).toString('hex')}`;
    await withAdmin((client) => client.query(`create database ${database}`));
    const url = new URL(process.env.PARLEY_TEST_POSTGRES_URL ?? '');
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  const redisUrl = engine === 'postgres' ? process.env.PARLEY_TEST_REDIS_URL : undefined;
  const redisPrefix = `parley-test-${randomBytes(6).toString('hex')}:`;
  const config: Config = {
    ...loadConfig({}),
    host: '127.0.0.1',
    port: 0,
    dataDir,
    databaseUrl,
    redisUrl,
    redisPrefix,
    logLevel: 'silent',
    // The suites sign up hundreds of accounts from one address: a cheap hash, generous limits.
    passwordCost: TEST_PASSWORD_COST,
    loginLimits: { failuresPerAccount: 1000, attemptsPerAddress: 1_000_000, windowSeconds: 900 },
    ...overrides,
  };
  const start = () => startParley(config, options);

  const server: TestServer = {
    parley: await start(),
    config,
    url: '',
    wsUrl: '',
    engine,
    env: databaseUrl ? { PARLEY_DATA_DIR: dataDir, PARLEY_DATABASE_URL: databaseUrl } : { PARLEY_DATA_DIR: dataDir },
    async restart() {
      await server.parley.close();
      server.parley = await start();
      setUrls();
    },
    async close() {
      await server.parley.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (database) await withAdmin((client) => client.query(`drop database if exists ${database} with (force)`));
    },
  };
  const setUrls = (): void => {
    server.url = server.parley.url;
    server.wsUrl = server.parley.url.replace(/^http/, 'ws');
  };
  setUrls();
  return server;
}

/** A log destination that keeps each JSON line the server writes, for a test to read. */
export function logCapture(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}
