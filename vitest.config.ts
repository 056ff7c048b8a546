// Three projects: unit tests, the integration suite on SQLite, and the same suite on PostgreSQL.
// Without a reachable PostgreSQL the last one is left out with one printed line, unless
// PARLEY_TEST_REQUIRE_POSTGRES=1 (as in CI), when its tests fail instead.
import net from 'node:net';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

export const TEST_POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432) });
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

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const required = process.env.PARLEY_TEST_REQUIRE_POSTGRES === '1';
  const postgres = required || (await reachable(TEST_POSTGRES_URL));
  if (!postgres) console.log(`postgres suite skipped: nothing answers at ${TEST_POSTGRES_URL}`);
  const integration = ['test/integration/**/*.test.ts'];
  return {
    test: {
      testTimeout: 15_000,
      hookTimeout: 30_000,
      projects: [
        { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
        { extends: true, test: { name: 'sqlite', include: integration, env: { PARLEY_TEST_STORE: 'sqlite' } } },
        ...(postgres
          ? [
              {
                extends: true as const,
                test: {
                  name: 'postgres',
                  include: integration,
                  env: { PARLEY_TEST_STORE: 'postgres', PARLEY_TEST_POSTGRES_URL: TEST_POSTGRES_URL },
                },
              },
            ]
          : []),
      ],
    },
  };
});
