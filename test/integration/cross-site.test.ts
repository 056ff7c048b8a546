// Cross-site request forgery: what a foreign page can make a victim's browser do with the
// session cookie. Cookie-authenticated writes must come from Parley's own pages, log-in and
// sign-up from a foreign page set no cookie, and nothing takes a form body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, type User } from '../support/clients.js';
import { createRoom, roomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let own: string;
beforeAll(async () => {
  server = await startTestServer();
  own = server.url;
});
afterAll(async () => {
  await server.close();
});

const EVIL = 'http://evil.example';
const CROSS_SITE = { detail: 'Cross-site request refused: it must come from a Parley page.', code: 'cross_site' };

const cookieOf = (user: { token: string }, extra: Record<string, string> = {}): Record<string, string> => ({
  cookie: `parley_session=${user.token}`,
  ...extra,
});

async function dialogueExists(a: User, b: User): Promise<boolean> {
  const info = await request(server, 'PATCH', '/chat/info/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: b.phone } });
  return info.status !== 404;
}

describe('cookie-authenticated writes', () => {
  it('are refused with 403 from a foreign Origin, a foreign Referer, or no origin at all', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const pair = { msg_from: a.phone, msg_to: b.phone };
    const origins: Record<string, string>[] = [{ origin: EVIL }, { referer: `${EVIL}/page` }, { origin: 'null' }, {}, { origin: EVIL, referer: `${own}/` }];
    for (const headers of origins) {
      const result = await request(server, 'POST', '/chat/special/personal/', { body: pair, headers: cookieOf(a, headers) });
      expect(result).toMatchObject({ status: 403, body: CROSS_SITE });
    }
    expect(await dialogueExists(a, b)).toBe(false);
    const match = await request(server, 'POST', '/chat/special/room/', { body: pair, headers: cookieOf(a, { origin: EVIL }) });
    expect(match).toMatchObject({ status: 403, body: CROSS_SITE });
  });

  it("are refused in the rooms dialect too: leaving a room, registering the attacker's device", async () => {
    const owner = await roomsUser(server);
    const victim = await roomsUser(server);
    const roomId = await createRoom(server, owner, [victim]);
    const leave = await request(server, 'POST', `/api/chat/group/${roomId}/remove-yourself/`, { headers: cookieOf(victim, { origin: EVIL }) });
    expect(leave).toMatchObject({ status: 403, body: CROSS_SITE });
    const members = await request(server, 'GET', `/api/chat/groups/${roomId}/members/`, { token: owner.token });
    expect(members.body.map((m: { id: number }) => m.id)).toContain(victim.id);
    const device = await request(server, 'POST', '/api/notifications/register-device/', {
      body: { device_token: 'attacker-device', device_type: 'android' },
      headers: cookieOf(victim, { referer: `${EVIL}/x` }),
    });
    expect(device).toMatchObject({ status: 403, body: CROSS_SITE });
  });

  it("are accepted from Parley's own origin, by Origin or by Referer; reads need no origin", async () => {
    const a = await signup(server);
    const b = await signup(server);
    const opened = await request(server, 'POST', '/chat/special/personal/', {
      body: { msg_from: a.phone, msg_to: b.phone },
      headers: cookieOf(a, { origin: own }),
    });
    expect(opened.status).toBe(201);
    const c = await signup(server);
    const byReferer = await request(server, 'POST', '/chat/special/personal/', {
      body: { msg_from: a.phone, msg_to: c.phone },
      headers: cookieOf(a, { referer: `${own}/chat/` }),
    });
    expect(byReferer.status).toBe(201);
    expect((await request(server, 'GET', '/web/me', { headers: cookieOf(a, { origin: EVIL }) })).status).toBe(200);
  });

  it('leave token-authenticated requests alone, whatever their origin', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const opened = await request(server, 'POST', '/chat/special/personal/', {
      token: a.token,
      body: { msg_from: a.phone, msg_to: b.phone },
      headers: { origin: EVIL },
    });
    expect(opened.status).toBe(201);
  });
});

describe('log-in and sign-up from a foreign page', () => {
  it('are refused with 403 and set no cookie (login CSRF)', async () => {
    const attacker = await signup(server);
    const phoneLogin = await request(server, 'POST', '/auth/login/', {
      body: { username: attacker.username, password: attacker.password },
      headers: { origin: EVIL },
    });
    expect(phoneLogin).toMatchObject({ status: 403, body: CROSS_SITE });
    expect(phoneLogin.headers.get('set-cookie')).toBeNull();
    const roomsLogin = await request(server, 'POST', '/api/user/login/', {
      body: { email: attacker.email, password: attacker.password },
      headers: { referer: `${EVIL}/` },
    });
    expect(roomsLogin).toMatchObject({ status: 403, body: CROSS_SITE });
    expect(roomsLogin.headers.get('set-cookie')).toBeNull();
    const signupResult = await request(server, 'POST', '/auth/signup/', {
      body: { email: 'csrf@example.com', username: 'csrf_signup', password: 'Sup3r-secret-pw', ph_num: '5550001111' },
      headers: { origin: EVIL },
    });
    expect(signupResult).toMatchObject({ status: 403, body: CROSS_SITE });
  });

  it("work from Parley's own pages and from clients that state no origin (the Android app)", async () => {
    const user = await signup(server);
    const fromPage = await request(server, 'POST', '/auth/login/', { body: { username: user.username, password: user.password }, headers: { origin: own } });
    expect(fromPage.status).toBe(200);
    expect(fromPage.headers.get('set-cookie')).toMatch(/^parley_session=/);
    const fromApp = await request(server, 'POST', '/api/user/login/', { body: { email: user.email, password: user.password } });
    expect(fromApp.status).toBe(200);
  });
});

describe('request bodies', () => {
  it('are JSON: a form, text/plain or multipart body is 415 wherever no original client sent one', async () => {
    const user = await signup(server);
    const other = await signup(server);
    const form = await request(server, 'POST', '/auth/login/', { form: { username: user.username, password: user.password } });
    expect(form).toMatchObject({ status: 415, body: { code: 'bad_request' } });
    const formSignup = await request(server, 'POST', '/auth/signup/', {
      form: { email: 'form@example.com', username: 'form_signup', password: 'Sup3r-secret-pw', ph_num: '5550002222' },
    });
    expect(formSignup.status).toBe(415);
    const formPair = await request(server, 'POST', '/chat/special/personal/', { token: user.token, form: { msg_from: user.phone, msg_to: other.phone } });
    expect(formPair.status).toBe(415);

    const owner = await roomsUser(server);
    const member = await roomsUser(server);
    const roomId = await createRoom(server, owner, [member]);
    const text = await request(server, 'POST', `/api/chat/group/${roomId}/remove-yourself/`, {
      token: member.token,
      raw: 'anything',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const multipart = new FormData();
    multipart.append('x', '1');
    const markRead = await fetch(`${server.url}/api/chat/groups/${roomId}/mark-as-read/`, {
      method: 'POST',
      body: multipart,
      headers: { authorization: `Token ${member.token}` },
    });
    expect(markRead.status).toBe(415);
    const members = await request(server, 'GET', `/api/chat/groups/${roomId}/members/`, { token: owner.token });
    expect(members.body.map((m: { id: number }) => m.id)).toContain(member.id);
  });
});

describe('with PARLEY_PUBLIC_URL', () => {
  it("takes Parley's own origin from it, not from the Host header", async () => {
    const proxied = await startTestServer({ publicUrl: 'https://chat.example' });
    try {
      const a = await signup(proxied);
      const b = await signup(proxied);
      const body = { msg_from: a.phone, msg_to: b.phone };
      const byHost = await request(proxied, 'POST', '/chat/special/personal/', { body, headers: cookieOf(a, { origin: proxied.url }) });
      expect(byHost).toMatchObject({ status: 403, body: CROSS_SITE });
      const byPublicUrl = await request(proxied, 'POST', '/chat/special/personal/', { body, headers: cookieOf(a, { origin: 'https://chat.example' }) });
      expect(byPublicUrl.status).toBe(201);
    } finally {
      await proxied.close();
    }
  });
});
