// What the request log says: every request, with no credential in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, SocketClient } from '../support/clients.js';
import { logCapture, startTestServer, type TestServer } from '../support/server.js';

const { lines, destination } = logCapture();

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ logLevel: 'info' }, { logDestination: destination });
});
afterAll(async () => {
  await server.close();
});

describe('the start', () => {
  it('logs no warning, and on Redis that the bus connected, once', async () => {
    const entries = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(entries.filter((entry) => entry.level >= 40)).toEqual([]);
    const said = entries.filter((entry) => entry.msg.startsWith('redis bus')).map((entry) => entry.msg);
    expect(said).toEqual(server.engine === 'postgres' ? ['redis bus connected'] : []);
  });
});

describe('the request log', () => {
  it('logs each request with its path but never a token, in a URL or a header', async () => {
    const user = await signup(server);
    await request(server, 'GET', `/web/me?token=${user.token}&page=2`);
    await request(server, 'GET', '/web/me', { token: user.token });
    await request(server, 'GET', '/web/me', { headers: { cookie: `parley_session=${user.token}` } });
    await (await SocketClient.open(server, `/ws/chat/special/${user.phone}/`, { token: user.token })).close();
    await request(server, 'POST', '/auth/logout/', { token: user.token });

    const entries = lines.map((line) => JSON.parse(line) as { msg: string; req?: { url: string } });
    const urls = entries.flatMap((entry) => (entry.msg === 'incoming request' && entry.req ? [entry.req.url] : []));
    expect(urls).toContain('/web/me?token=[redacted]&page=2');
    expect(urls).toContain('/auth/logout/');
    expect(lines.join('\n')).not.toContain(user.token);
  });
});
