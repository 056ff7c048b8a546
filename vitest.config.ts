// Projects: unit tests; the integration suite on the embedded default (SQLite and the
// in-process bus); the same suite on PostgreSQL with the Redis bus; and the cluster suite
// (several processes, faults); and the web client in a real browser (test/browser/). Without a
// reachable PostgreSQL and Redis the postgres and cluster projects are left out with one printed
// line, unless PARLEY_TEST_REQUIRE_POSTGRES=1 (as in CI), when their tests fail instead.
import fs from 'node:fs';
import net from 'node:net';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

export const TEST_POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url: string): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || (protocol === 'redis:' ? 6379 : 5432)) });
    const settle = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000);
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });
}

const required = process.env.PARLEY_TEST_REQUIRE_POSTGRES === '1';
const postgres = required || ((await reachable(TEST_POSTGRES_URL)) && (await reachable(TEST_REDIS_URL)));
// The config is read once per project too; say it once.
if (!postgres && process.env.PARLEY_TEST_POSTGRES_SKIP_SAID !== '1') {
  process.env.PARLEY_TEST_POSTGRES_SKIP_SAID = '1';
  console.log(`postgres suite skipped: PostgreSQL (${TEST_POSTGRES_URL}) or Redis (${TEST_REDIS_URL}) does not answer`);
}
const integration = ['test/integration/**/*.test.ts'];

// The browser suite drives the system's Chromium (Debian's `chromium` package). Without it the
// suite is left out with one printed line, unless PARLEY_TEST_REQUIRE_BROWSER=1 (as in CI).
export const CHROMIUM_PATH = process.env.PARLEY_TEST_CHROMIUM ?? '/usr/bin/chromium';
const browserRequired = process.env.PARLEY_TEST_REQUIRE_BROWSER === '1';
const browser = browserRequired || fs.existsSync(CHROMIUM_PATH);
if (!browser && process.env.PARLEY_TEST_BROWSER_SKIP_SAID !== '1') {
  process.env.PARLEY_TEST_BROWSER_SKIP_SAID = '1';
  console.log(`browser suite skipped: no Chromium at ${CHROMIUM_PATH}`);
}

const projects: TestProjectInlineConfiguration[] = [
  { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
  { extends: true, test: { name: 'sqlite', include: integration, env: { PARLEY_TEST_STORE: 'sqlite' } } },
];
if (postgres) {
  projects.push({
    extends: true,
    test: {
      name: 'postgres',
      include: integration,
      env: { PARLEY_TEST_STORE: 'postgres', PARLEY_TEST_POSTGRES_URL: TEST_POSTGRES_URL, PARLEY_TEST_REDIS_URL: TEST_REDIS_URL },
    },
  });
  // Several server processes per file, and faults injected into private Redis and PostgreSQL
  // servers: one file at a time.
  projects.push({
    extends: true,
    test: {
      name: 'cluster',
      include: ['test/cluster/**/*.test.ts'],
      globalSetup: ['test/cluster/global-setup.ts'],
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 90_000,
      env: { PARLEY_TEST_POSTGRES_URL: TEST_POSTGRES_URL },
    },
  });
}

if (browser) {
  // Two browsers per test on a shared machine: one file at a time. The client is built first.
  projects.push({
    extends: true,
    test: {
      name: 'browser',
      include: ['test/browser/**/*.test.ts'],
      globalSetup: ['test/browser/global-setup.ts'],
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 60_000,
      env: { PARLEY_TEST_STORE: 'sqlite', PARLEY_TEST_CHROMIUM: CHROMIUM_PATH },
    },
  });
}

export default defineConfig({
  test: { testTimeout: 15_000, hookTimeout: 30_000, projects },
});
