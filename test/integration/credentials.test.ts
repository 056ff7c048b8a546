// How credentials arrive and what a malformed one does: a bad session cookie is no credential,
// a malformed escape in a socket path is a 4xx, never a 500 or a dropped connection.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeOf, request, signup, SocketClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const BAD_COOKIE = 'parley_session=%E0%A4%A';

/** The HTTP status an upgrade is refused with, or 101 when the socket opened. */
function upgradeStatus(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}${path}`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('a malformed session cookie', () => {
  it('is treated as absent on every route, /healthz included', async () => {
    const user = await signup(server);
    expect(await request(server, 'GET', '/healthz', { headers: { cookie: BAD_COOKIE } })).toMatchObject({ status: 200 });
    expect(await request(server, 'GET', '/web/me', { headers: { cookie: BAD_COOKIE } })).toMatchObject({
      status: 401,
      body: { code: 'not_authenticated' },
    });
    const withToken = await request(server, 'GET', '/web/me', { token: user.token, headers: { cookie: BAD_COOKIE } });
    expect(withToken).toMatchObject({ status: 200, body: { username: user.username } });
    const page = await request(server, 'GET', '/chat/', { headers: { cookie: BAD_COOKIE } });
    expect(page.status).toBe(302);
  });

  it('still lets a good cookie next to it through', async () => {
    const user = await signup(server);
    const me = await request(server, 'GET', '/web/me', { headers: { cookie: `other=%E0%A4%A; parley_session=${user.token}` } });
    expect(me).toMatchObject({ status: 200, body: { username: user.username } });
  });

  it('gets a socket upgrade answered: closed 4401, or opened with a token', async () => {
    const user = await signup(server);
    const path = `/ws/chat/special/${user.phone}/`;
    expect(await closeCodeOf(server, path, { headers: { cookie: BAD_COOKIE } })).toBe(4401);
    const socket = await SocketClient.open(server, path, { token: user.token, headers: { cookie: BAD_COOKIE } });
    socket.send({ command: 'fetch_msgs', msg_from: 'x', msg_to: user.phone, message: 'none', sent_timestamp: 'x' });
    expect((await socket.next()).command).toBe('fetch_msgs');
    await socket.close();
  });
});

describe('the session cookie', () => {
  it('lives 30 days, is cleared by log-out, and is Secure when Parley is served over TLS', async () => {
    const user = await signup(server);
    const login = await request(server, 'POST', '/api/user/login/', { body: { email: user.email, password: user.password } });
    expect(login.headers.get('set-cookie')).toBe(`parley_session=${login.body.token}; Max-Age=2592000; Path=/; HttpOnly; SameSite=Strict`);
    const logout = await request(server, 'POST', '/auth/logout/', { token: login.body.token });
    expect(logout.headers.get('set-cookie')).toMatch(/^parley_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);

    const tls = await startTestServer({ publicUrl: 'https://chat.example', sessionMaxAgeSeconds: 3600 });
    try {
      const other = await signup(tls);
      const secure = await request(tls, 'POST', '/auth/login/', { body: { username: other.username, password: other.password } });
      expect(secure.headers.get('set-cookie')).toBe(`parley_session=${secure.body.token}; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict`);
    } finally {
      await tls.close();
    }
  });
});

describe('a malformed escape in an HTTP path', () => {
  it('is a 400 in the DRF shape', async () => {
    for (const path of ['/chat/personal/%E0%A4%A/1234567890/', '/media/%E0%A4%A/x', '/%E0%A4%A']) {
      expect(await request(server, 'GET', path), path).toMatchObject({ status: 400, body: { detail: 'Malformed URL.', code: 'bad_request' } });
    }
  });
});

describe('a malformed escape in a socket path', () => {
  it('is refused with 400, not hung up', async () => {
    const user = await signup(server);
    expect(await upgradeStatus(`/ws/chat/special/%E0%A4%A/?token=${user.token}`)).toBe(400);
    expect(await upgradeStatus('/ws/chat/personal/%E0%A4%A/1234567890/')).toBe(400);
    // The server is still there and answers the next upgrade.
    expect(await upgradeStatus(`/ws/chat/special/${user.phone}/?token=${user.token}`)).toBe(101);
  });
});

describe('security headers', () => {
  const expectPageHeaders = (headers: Headers): void => {
    const csp = headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('referrer-policy')).toBe('same-origin');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
  };

  it('come with the web client and the test pages: CSP, no framing, referrer policy, nosniff', async () => {
    const user = await signup(server);
    const client = await request(server, 'GET', '/');
    expect(client.status).toBe(200);
    expectPageHeaders(client.headers);
    const page = await request(server, 'GET', `/chat/personal/${user.phone}/1234567890/`, { headers: { cookie: `parley_session=${user.token}` } });
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    const script = await request(server, 'GET', '/assets/chat-pages.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    const api = await request(server, 'GET', '/web/me', { token: user.token });
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('/metrics', () => {
  it('is not served without PARLEY_METRICS_TOKEN', async () => {
    const user = await signup(server);
    expect((await request(server, 'GET', '/metrics')).status).toBe(404);
    expect((await request(server, 'GET', '/metrics', { token: user.token })).status).toBe(404);
  });

  it('answers only the bearer of PARLEY_METRICS_TOKEN when it is set', async () => {
    const token = 'metrics-secret-0123456789';
    const guarded = await startTestServer({ metricsToken: token });
    try {
      const user = await signup(guarded);
      expect(await request(guarded, 'GET', '/metrics')).toMatchObject({ status: 401, body: { code: 'not_authenticated' } });
      expect(await request(guarded, 'GET', '/metrics', { token: user.token })).toMatchObject({ status: 401, body: { code: 'authentication_failed' } });
      const wrong = await request(guarded, 'GET', '/metrics', { headers: { authorization: 'Bearer metrics-secret-0123456788' } });
      expect(wrong.status).toBe(401);
      const right = await request(guarded, 'GET', '/metrics', { headers: { authorization: `Bearer ${token}` } });
      expect(right.status).toBe(200);
      expect(right.body).toContain('parley_open_sockets');
    } finally {
      await guarded.close();
    }
  });
});
