// The phone dialect's personal HTTP endpoints: dialogues, receipts info and presence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, type User } from '../support/clients.js';
import { envelope, fetchAll, openDialogue, openRoom, personalSocket, receiveSocket, sendPersonal } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const pairBody = (from: User, to: User) => ({ msg_from: from.phone, msg_to: to.phone });

/** The wrong-caller and bad-input cases every pair endpoint shares. */
async function expectGuarded(method: string, path: string): Promise<void> {
  const a = await signup(server);
  const b = await signup(server);
  const c = await signup(server);
  expect((await request(server, method, path, { body: pairBody(a, b) })).status).toBe(401);
  expect((await request(server, method, path, { token: 'f'.repeat(40), body: pairBody(a, b) })).status).toBe(401);
  const missing = await request(server, method, path, { token: a.token, body: { msg_from: a.phone } });
  expect(missing).toMatchObject({ status: 400, body: { msg_to: ['This field is required.'] } });
  const wrongType = await request(server, method, path, { token: a.token, body: { msg_from: a.phone, msg_to: 2222222222 } });
  expect(wrongType.status).toBe(400);
  expect(wrongType.body.msg_to).toBeDefined();
  const malformed = await request(server, method, path, { token: a.token, raw: '{"msg_from":' });
  expect(malformed.status).toBe(400);
  const foreign = await request(server, method, path, { token: c.token, body: pairBody(a, b) });
  expect(foreign.status).toBe(403);
}

describe('POST /chat/special/personal/', () => {
  it('creates the dialogue once and tells the other party', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const bRecv = await receiveSocket(server, b);
    const aRecv = await receiveSocket(server, a);
    const created = await request(server, 'POST', '/chat/special/personal/', { token: a.token, body: pairBody(a, b) });
    expect(created).toMatchObject({ status: 201, body: { msg_from: a.phone, msg_to: b.phone, info: 'created' } });
    const update = await bRecv.next();
    expect(Object.keys(update)).toEqual(['message', 'msg_from', 'msg_to', 'sent_timestamp', 'command']);
    expect(update).toMatchObject({ message: { type: 'personal', command: 'create' }, msg_from: a.phone, msg_to: b.phone, command: 'update' });
    expect(update.sent_timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(await aRecv.quiet()).toEqual([]);

    const again = await request(server, 'POST', '/chat/special/personal/', { token: b.token, body: pairBody(b, a) });
    expect(again).toMatchObject({ status: 200, body: { msg_from: b.phone, msg_to: a.phone, info: 'returned' } });
    expect(await aRecv.quiet()).toEqual([]);
    expect(await bRecv.quiet()).toEqual([]);
  });

  it('works without the trailing slash', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const result = await request(server, 'POST', '/chat/special/personal', { token: a.token, body: pairBody(a, b) });
    expect(result).toMatchObject({ status: 201, body: { info: 'created' } });
  });

  it('answers 404 for a phone nobody has and 400 for a dialogue with oneself', async () => {
    const a = await signup(server);
    const unknown = await request(server, 'POST', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: '0000000000' } });
    expect(unknown).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    const self = await request(server, 'POST', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: a.phone } });
    expect(self.status).toBe(400);
  });

  it('refuses the wrong caller and bad input', async () => {
    await expectGuarded('POST', '/chat/special/personal/');
  });

  it('gives two racing creations one dialogue', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const results = await Promise.all([
      request(server, 'POST', '/chat/special/personal/', { token: a.token, body: pairBody(a, b) }),
      request(server, 'POST', '/chat/special/personal/', { token: b.token, body: pairBody(b, a) }),
    ]);
    expect(results.map((r) => r.body.info).sort()).toEqual(['created', 'returned']);
  });
});

describe('DELETE /chat/special/personal/', () => {
  it('deletes the dialogue with its stored messages, counts them, and tells the other party', async () => {
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const aSend = await personalSocket(server, a, b);
    await sendPersonal(aSend, a, b, 'one', '2021-01-20T10:00:00Z');
    await sendPersonal(aSend, a, b, 'two', '2021-01-20T10:00:01Z');
    const bRecv = await receiveSocket(server, b);

    const result = await request(server, 'DELETE', '/chat/special/personal/', { token: a.token, body: pairBody(a, b) });
    expect(result).toMatchObject({
      status: 200,
      body: { msg_from: [3, { 'chat.Message': 2, 'chat.Dialogue': 1 }], msg_to: [1, { 'chat.Dialogue': 1 }], info: 'deleted', message: 'Chat Deleted' },
    });
    expect(await bRecv.next()).toMatchObject({ message: { type: 'personal', command: 'delete' }, msg_from: a.phone, msg_to: b.phone, command: 'update' });
    const [chunk] = await fetchAll(bRecv, b);
    expect(chunk?.messages).toEqual([]);

    aSend.send(envelope('new_msg', a.phone, b.phone, 'after', '2021-01-20T10:00:02Z'));
    expect((await aSend.next()).message).toContain('no dialogue');
    const gone = await request(server, 'DELETE', '/chat/special/personal/', { token: a.token, body: pairBody(a, b) });
    expect(gone).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
  });

  it('refuses the wrong caller and bad input', async () => {
    await expectGuarded('DELETE', '/chat/special/personal/');
  });
});

describe('/chat/info/personal/', () => {
  it("answers either party with the first phone's receipt markers, by PATCH or GET", async () => {
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const byA = await request(server, 'PATCH', '/chat/info/personal/', { token: a.token, body: pairBody(b, a) });
    expect(byA.status).toBe(200);
    expect(Object.keys(byA.body)).toEqual(['last_received_receiver', 'last_seen_receiver', 'info']);
    expect(byA.body.last_received_receiver).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
    const byB = await request(server, 'GET', `/chat/info/personal/?msg_from=${b.phone}&msg_to=${a.phone}`, { token: b.token });
    expect(byB.body).toEqual(byA.body);
  });

  it('refuses a third party, unknown phones and bad input', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const c = await signup(server);
    await openDialogue(server, a, b);
    expect((await request(server, 'PATCH', '/chat/info/personal/', { token: c.token, body: pairBody(a, b) })).status).toBe(403);
    expect((await request(server, 'PATCH', '/chat/info/personal/', { body: pairBody(a, b) })).status).toBe(401);
    expect((await request(server, 'PATCH', '/chat/info/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: '0000000000' } })).status).toBe(404);
    expect((await request(server, 'PATCH', '/chat/info/personal/', { token: a.token, body: pairBody(a, c) })).status).toBe(404);
    expect((await request(server, 'GET', `/chat/info/personal/?msg_from=${a.phone}`, { token: a.token })).status).toBe(400);
    expect((await request(server, 'PATCH', '/chat/info/personal/', { token: a.token, body: { msg_from: 1, msg_to: b.phone } })).status).toBe(400);
  });
});

describe('/chat/info/active/', () => {
  it('reports presence from live sockets to people who share a conversation', async () => {
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const before = await request(server, 'PATCH', '/chat/info/active/', { token: a.token, body: { user_num: b.phone } });
    expect(before).toMatchObject({ status: 200, body: { info: 'found', active: false, last_active: null } });

    const bRecv = await receiveSocket(server, b);
    const during = await request(server, 'GET', `/chat/info/active/?user_num=${b.phone}`, { token: a.token });
    expect(during.body).toMatchObject({ info: 'found', active: true });
    expect(during.body.last_active).toMatch(/Z$/);

    // A client's claim cannot mark a connected user offline.
    const put = await request(server, 'PUT', '/chat/info/active/', {
      token: b.token,
      body: { user_num: b.phone, command: 'deactivate', last_active: '2020-11-25 07:36:50' },
    });
    expect(put).toMatchObject({ status: 200, body: { info: 'updated', message: 'Active Data Has been updated' } });
    expect((await request(server, 'PATCH', '/chat/info/active/', { token: a.token, body: { user_num: b.phone } })).body.active).toBe(true);

    await bRecv.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await request(server, 'PATCH', '/chat/info/active/', { token: a.token, body: { user_num: b.phone } });
    expect(after.body.active).toBe(false);
    expect(after.body.last_active).not.toBe('2020-11-25T07:36:50Z');
  });

  it('does not confirm a match partner’s phone: the partner is anonymous', async () => {
    const a = await signup(server);
    const partner = await signup(server);
    await openRoom(server, a, partner);
    const guessed = await request(server, 'PATCH', '/chat/info/active/', { token: a.token, body: { user_num: partner.phone } });
    expect(guessed).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
  });

  it('lets a user read their own presence and a contact’s, and answers a stranger as a phone nobody has', async () => {
    const a = await signup(server);
    const stranger = await signup(server);
    expect((await request(server, 'PATCH', '/chat/info/active/', { token: a.token, body: { user_num: a.phone } })).status).toBe(200);
    // A stranger's phone and a phone nobody has get the same answer: presence is no way to probe phones.
    const refused = await request(server, 'PATCH', '/chat/info/active/', { token: a.token, body: { user_num: stranger.phone } });
    const unknown = await request(server, 'PATCH', '/chat/info/active/', { token: a.token, body: { user_num: '0000000000' } });
    expect(refused).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect([unknown.status, unknown.body]).toEqual([refused.status, refused.body]);
    const byGet = await request(server, 'GET', `/chat/info/active/?user_num=${stranger.phone}`, { token: a.token });
    expect([byGet.status, byGet.body]).toEqual([refused.status, refused.body]);
    expect((await request(server, 'PATCH', '/chat/info/active/', { body: { user_num: a.phone } })).status).toBe(401);
    expect((await request(server, 'PATCH', '/chat/info/active/', { token: a.token, body: {} })).body).toEqual({ user_num: ['This field is required.'] });
  });

  it("refuses a PUT for someone else's phone and an unknown command", async () => {
    const a = await signup(server);
    const b = await signup(server);
    const other = await request(server, 'PUT', '/chat/info/active/', { token: a.token, body: { user_num: b.phone, command: 'activate' } });
    expect(other.status).toBe(403);
    const sleep = await request(server, 'PUT', '/chat/info/active/', { token: a.token, body: { user_num: a.phone, command: 'sleep' } });
    expect(sleep).toMatchObject({ status: 400, body: { info: 'error', message: 'incorrect request/url' } });
    const noCommand = await request(server, 'PUT', '/chat/info/active/', { token: a.token, body: { user_num: a.phone } });
    expect(noCommand).toMatchObject({ status: 400, body: { command: ['This field is required.'] } });
    expect((await request(server, 'PUT', '/chat/info/active/', { body: { user_num: a.phone, command: 'activate' } })).status).toBe(401);
  });
});

describe('test pages without a session', () => {
  it('send the visitor to the log-in and back, without the way back when it would not fit a header', async () => {
    const page = await request(server, 'GET', '/chat/room/5550001111/?tab=1');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/?next=%2Fchat%2Froom%2F5550001111%2F%3Ftab%3D1');
    // 16,000 characters, under Node's limit for a request; encoded, they would be about 40,000.
    const long = await request(server, 'GET', `/chat/room/5550001111/?x=${'%C3%A9'.repeat(2660)}`);
    expect(long.status).toBe(302);
    expect(long.headers.get('location')).toBe('/');
  });
});

describe('unknown routes and methods', () => {
  it('answer 404 with a JSON body', async () => {
    const result = await request(server, 'GET', '/chat/nothing-here/');
    expect(result).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
  });

  it('answer 404 for a path the router would read as a malformed pattern (a * before its end)', async () => {
    const result = await request(server, 'GET', '/docs/api/static/*a%40b/');
    expect(result).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect((await request(server, 'GET', '/chat/*/special/')).status).toBe(404);
  });

  it("answer 405 for a known path's other methods, as the original did", async () => {
    const a = await signup(server);
    const result = await request(server, 'GET', '/chat/special/personal/', { token: a.token });
    expect(result).toMatchObject({ status: 405, body: { detail: 'Method "GET" not allowed.' } });
    expect((await request(server, 'GET', '/auth/signup')).status).toBe(405);
  });
});
