// Guessing passwords: failed log-ins are counted per account and per address, in Redis when
// there is one (so every process counts the same), and past the limit the answer is 429.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startParley } from '../../src/server.js';
import { request, signup, type User } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';

const FAILURES = 4;
const WINDOW_SECONDS = 600;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ loginLimits: { failuresPerAccount: FAILURES, attemptsPerAddress: 1000, windowSeconds: WINDOW_SECONDS } });
});
afterAll(async () => {
  await server.close();
});

const THROTTLED = { detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/), code: 'throttled' };

const wrong = (target: { url: string; wsUrl: string }, user: User) =>
  request(target, 'POST', '/auth/login/', { body: { username: user.username, password: 'not-the-password' } });

describe('failed log-ins of one account', () => {
  it('are answered 429 past the limit, with the right password too, in both dialects', async () => {
    const user = await signup(server);
    for (let i = 0; i < FAILURES; i += 1) expect((await wrong(server, user)).status).toBe(400);
    const phone = await request(server, 'POST', '/auth/login/', { body: { ph_num: user.phone, password: user.password } });
    expect(phone).toMatchObject({ status: 429, body: THROTTLED });
    const retryAfter = Number(phone.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(WINDOW_SECONDS - 60);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    const rooms = await request(server, 'POST', '/api/user/login/', { body: { email: user.email, password: user.password } });
    expect(rooms).toMatchObject({ status: 429, body: THROTTLED });
    // Another account from the same address is not held back.
    const other = await signup(server);
    expect((await request(server, 'POST', '/auth/login/', { body: { username: other.username, password: other.password } })).status).toBe(200);
  });

  it('start again from zero after a successful log-in', async () => {
    const user = await signup(server);
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < FAILURES - 1; i += 1) expect((await wrong(server, user)).status).toBe(400);
      expect((await request(server, 'POST', '/auth/login/', { body: { email: user.email, password: user.password } })).status).toBe(200);
    }
  });

  it('are counted for names nobody has, too', async () => {
    for (let i = 0; i < FAILURES; i += 1) {
      const guess = await request(server, 'POST', '/api/user/login/', { body: { email: 'nobody@example.com', password: 'guess' } });
      expect(guess.status).toBe(403);
    }
    expect((await request(server, 'POST', '/api/user/login/', { body: { email: 'nobody@example.com', password: 'guess' } })).status).toBe(429);
  });
});

describe('log-ins and sign-ups from one address', () => {
  it('are answered 429 past the address limit', async () => {
    const strict = await startTestServer({ loginLimits: { failuresPerAccount: 100, attemptsPerAddress: 5, windowSeconds: WINDOW_SECONDS } });
    try {
      const user = await signup(strict);
      const another = await signup(strict);
      for (let i = 0; i < 3; i += 1) expect((await wrong(strict, i % 2 === 0 ? user : another)).status).toBe(400);
      const third = await request(strict, 'POST', '/auth/signup/', {
        body: { email: 'third@example.com', username: 'third_user', password: 'Sup3r-secret-pw', ph_num: '5550003333' },
      });
      expect(third).toMatchObject({ status: 429, body: THROTTLED });
      expect((await request(strict, 'POST', '/auth/login/', { body: { username: user.username, password: user.password } })).status).toBe(429);
    } finally {
      await strict.close();
    }
  });
});

describe('behind a proxy named in PARLEY_TRUST_PROXY', () => {
  it("counts per client address from X-Forwarded-For, not per proxy", async () => {
    const proxied = await startTestServer({
      trustProxy: '127.0.0.1',
      loginLimits: { failuresPerAccount: 100, attemptsPerAddress: 2, windowSeconds: WINDOW_SECONDS },
    });
    try {
      const guess = (client: string) =>
        request(proxied, 'POST', '/auth/login/', { body: { username: 'someone', password: 'guess' }, headers: { 'x-forwarded-for': client } });
      expect((await guess('203.0.113.1')).status).toBe(400);
      expect((await guess('203.0.113.1')).status).toBe(400);
      expect((await guess('203.0.113.1')).status).toBe(429);
      expect((await guess('203.0.113.2')).status).toBe(400);
    } finally {
      await proxied.close();
    }
  });
});

describe.runIf(process.env.PARLEY_TEST_STORE === 'postgres')('with Redis', () => {
  it('counts in Redis, so that every process refuses alike', async () => {
    const twin = await startParley({ ...server.config, port: 0 });
    const twinEndpoint = { url: twin.url, wsUrl: twin.url.replace(/^http/, 'ws') };
    try {
      const user = await signup(server);
      for (let i = 0; i < FAILURES; i += 1) expect((await wrong(i % 2 === 0 ? server : twinEndpoint, user)).status).toBe(400);
      const elsewhere = await request(twinEndpoint, 'POST', '/auth/login/', { body: { username: user.username, password: user.password } });
      expect(elsewhere.status).toBe(429);
    } finally {
      await twin.close();
    }
  });
});
