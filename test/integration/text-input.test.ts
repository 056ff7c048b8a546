// One rule for text on both stores, at every edge: NUL and unpaired surrogates are refused with
// a 400 or an error frame naming the field (PostgreSQL could store neither), a text frame that
// is not UTF-8 gets the dialect's error frame, and the connection stays usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, SocketClient, type User } from '../support/clients.js';
import { createGroup, envelope, groupSocket, openDialogue, openRoom, personalSocket, receiveSocket, roomSocket as matchSocket, sendPersonal } from '../support/phone.js';
import { createRoom, roomSocket, roomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const NUL = 'Null characters are not allowed.';
const SURROGATE = 'Surrogate characters are not allowed: U+D800.';
const LONE = '\ud800';
/** Two bytes that are no UTF-8, sent as a text frame. */
const NOT_UTF8 = Buffer.from([0xc3, 0x28]);

describe('HTTP: NUL and lone surrogates', () => {
  it('refuses them in bodies with a 400 naming the field, as the original framework words it', async () => {
    const user = await signup(server);
    expect(await request(server, 'POST', '/auth/login/', { body: { username: 'a\u0000b', password: 'whatever-pw' } })).toMatchObject({
      status: 400,
      body: { username: [NUL] },
    });
    const signups = [
      { first_name: 'Ann\u0000' },
      { username: `u${LONE}x` },
      { email: 'a\u0000@example.com' },
      { password: `pass-word${LONE}` },
    ];
    for (const extra of signups) {
      const body = { email: 'text@example.com', username: 'textuser', password: 'pass-word-1', ph_num: '5550001111', ...extra };
      const [field] = Object.keys(extra);
      const refused = await request(server, 'POST', '/auth/signup/', { body });
      expect(refused).toMatchObject({ status: 400, body: { [field!]: [JSON.stringify(extra).includes('\\u0000') ? NUL : SURROGATE] } });
    }
    const group = await request(server, 'POST', '/chat/special/group/', { token: user.token, body: { name: 'g\u0000', admin: [], participants: [] } });
    expect(group).toMatchObject({ status: 400, body: { name: [NUL] } });
    const phones = await request(server, 'POST', '/chat/special/group/', { token: user.token, body: { admin: [], participants: ['1', LONE] } });
    expect(phones).toMatchObject({ status: 400, body: { 'participants.1': [SURROGATE] } });
    const command = await request(server, 'PUT', '/chat/special/group/', { token: user.token, body: { command: 'add', key: 'K\u0000', msg_from: user.phone, msg_to: user.phone } });
    expect(command).toMatchObject({ status: 400, body: { key: [NUL] } });
    // Nothing was stored or half-done: the same names work once the text is clean.
    expect((await request(server, 'POST', '/auth/signup/', { body: { email: 'text@example.com', username: 'textuser', password: 'pass-word-1', ph_num: '5550001111', first_name: 'Ann 😀' } })).status).toBe(201);
  });

  it('refuses them in query strings and path parameters too', async () => {
    const a = await roomsUser(server);
    expect(await request(server, 'GET', '/chat/info/active/?user_num=%00', { token: a.token })).toMatchObject({ status: 400, body: { user_num: [NUL] } });
    expect(await request(server, 'GET', '/chat/info/group/?grp_name=x%00', { token: a.token })).toMatchObject({ status: 400, body: { grp_name: [NUL] } });
    expect(await request(server, 'GET', '/api/chat/groups/search/?q=%00', { token: a.token })).toMatchObject({ status: 400, body: { q: [NUL] } });
    expect(await request(server, 'GET', '/api/chat/groups/1%00/members/', { token: a.token })).toMatchObject({ status: 400, body: { id: [NUL] } });
    const room = await request(server, 'POST', '/api/chat/create-group/', { token: a.token, body: { name: `r${LONE}`, members: [] } });
    expect(room).toMatchObject({ status: 400, body: { name: [SURROGATE] } });
    // Credentials come first, as for any other bad input.
    expect((await request(server, 'GET', '/chat/info/active/?user_num=%00')).status).toBe(401);
  });

  it('answers a body nested far deeper than the call stack reaches with a 400, not a 500', async () => {
    const user = await signup(server);
    const levels = 100_000;
    const deep = (bottom: string): string => `{"name":"g","admin":[],"participants":${'['.repeat(levels)}${bottom}${']'.repeat(levels)}}`;
    const withNul = await request(server, 'POST', '/chat/special/group/', { token: user.token, raw: deep('"\\u0000"') });
    expect(withNul.status).toBe(400);
    expect(Object.values(withNul.body as object)).toEqual([[NUL]]);
    expect(Object.keys(withNul.body as object)[0]?.startsWith('participants.0.0.0')).toBe(true);
    expect((await request(server, 'POST', '/chat/special/group/', { token: user.token, raw: deep('"x"') })).status).toBe(400);
    expect((await request(server, 'GET', '/healthz')).status).toBe(200);
  });

  it('refuses a JSON body that is not UTF-8', async () => {
    const response = await fetch(`${server.url}/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"username":"'), NOT_UTF8, Buffer.from('","password":"pass-word-1"}')]),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: 'JSON parse error - the body is not valid UTF-8.', code: 'bad_request' });
  });
});

describe('phone sockets', () => {
  it('answers NUL and lone surrogates in any frame field with an error frame naming it, and stays usable', async () => {
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const send = await personalSocket(server, a, b);
    send.send(envelope('new_msg', a.phone, b.phone, 'hi\u0000there', '2021-01-20T10:00:00Z'));
    expect(await send.next()).toMatchObject({ command: 'error', type: 'new_msg', message: `message: ${NUL}` });
    send.send(envelope('new_msg', a.phone, b.phone, 'ok', `2021-01-20T10:00:00${LONE}`));
    expect(await send.next()).toMatchObject({ command: 'error', type: 'new_msg', message: `sent_timestamp: ${SURROGATE}` });
    send.send({ command: `new_msg\u0000`, message: 'x' });
    expect(await send.next()).toMatchObject({ command: 'error', type: 'invalid', message: `command: ${NUL}` });
    await sendPersonal(send, a, b, 'clean 😀', '2021-01-20T10:00:01Z');

    const recv = await receiveSocket(server, a);
    recv.send(envelope('fetch_msgs', a.phone, `${a.phone}\u0000`, 'x', 'x'));
    expect(await recv.next()).toMatchObject({ command: 'error', type: 'fetch_msgs', message: `msg_to: ${NUL}` });

    const key = await createGroup(server, a, [b]);
    const group = await groupSocket(server, a, key);
    group.send(envelope('new_grp_msg', a.phone, key, `x${LONE}`, '2021-01-20T10:00:02Z'));
    expect(await group.next()).toMatchObject({ command: 'error', type: 'new_grp_msg', message: `message: ${SURROGATE}` });

    const c = await signup(server);
    await openRoom(server, a, c);
    const match = await matchSocket(server, a);
    match.send(envelope('new_msg', a.phone, 'room', 'a\u0000', '2021-01-20T10:00:03Z'));
    expect(await match.next()).toMatchObject({ command: 'error', type: 'new_msg', message: `message: ${NUL}` });
    match.send(envelope('new_msg', a.phone, 'room', 'fine', '2021-01-20T10:00:03Z'));
    expect((await match.next()).command).toBe('msg_sent');
  });

  it('answers a text frame that is not UTF-8 with an error frame, and keeps the socket open', async () => {
    const a = await signup(server);
    const recv = await receiveSocket(server, a);
    recv.ws.send(NOT_UTF8, { binary: false });
    expect(await recv.next()).toMatchObject({ command: 'error', type: 'invalid', message: 'frame is not valid UTF-8', msg_from: a.phone, msg_to: a.phone });
    recv.send(envelope('fetch_msgs', a.phone, a.phone, 'none', 'x'));
    expect((await recv.next()).command).toBe('fetch_msgs');
    expect(recv.closeCode).toBeUndefined();
  });

  it('refuses a socket path whose parameters are not valid text with 400 at the upgrade', async () => {
    const a: User = await signup(server);
    await expect(SocketClient.open(server, `/ws/chat/group/${a.phone}/K%00/`, { token: a.token })).rejects.toThrow(/400/);
    await expect(SocketClient.open(server, `/ws/chat/special/%E0%A4%A/`, { token: a.token })).rejects.toThrow(/400/);
    await expect(SocketClient.open(server, `/ws/chat/personal/${a.phone}/%ED%A0%80/`, { token: a.token })).rejects.toThrow(/400/);
  });
});

describe('rooms sockets', () => {
  it('answers NUL and lone surrogates with an error naming the field, and text that is not UTF-8 too', async () => {
    const a = await roomsUser(server);
    const roomId = await createRoom(server, a, []);
    const socket = await roomSocket(server, roomId, a);
    socket.send({ action: 'send_message', message: 'hi\u0000' });
    expect(await socket.next()).toEqual({ error: `'message': ${NUL}` });
    socket.send({ message: 'fine' });
    const sent = await socket.take((f) => f.message === 'fine');
    socket.send({ action: 'edit_message', message_id: sent.id, new_content: `x${LONE}` });
    expect(await socket.next()).toEqual({ error: `'new_content': ${SURROGATE}` });
    socket.send({ action: 'react_message', message_id: sent.id, reaction: 'Like\u0000' });
    expect(await socket.next()).toEqual({ error: `'reaction': ${NUL}` });
    socket.ws.send(NOT_UTF8, { binary: false });
    expect(await socket.next()).toEqual({ error: 'Invalid UTF-8: a text frame must be UTF-8' });
    socket.send({ action: 'edit_message', message_id: sent.id, new_content: 'edited 😀' });
    expect(await socket.take((f) => f.action === 'edited')).toMatchObject({ id: sent.id, new_content: 'edited 😀' });

    // An upload's text comes through multipart fields: the same rule, nothing stored.
    const form = new FormData();
    form.append('attachment', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'dot.png');
    form.append('content', 'caption\u0000');
    const upload = await fetch(`${server.url}/api/chat/groups/${roomId}/messages/upload/`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Token ${a.token}` },
    });
    expect([upload.status, await upload.json()]).toEqual([400, { detail: `content: ${NUL}`, code: 'invalid' }]);
    expect(await socket.quiet(200)).toEqual([]);

    // Nested far deeper than the call stack reaches: still an error frame, and the socket goes on.
    socket.send(`{"message":"x","mentions":${'['.repeat(100_000)}"\\u0000"${']'.repeat(100_000)}}`);
    const deep = await socket.next();
    expect(deep.error).toMatch(/^'mentions\.0\.0\.0.*': Null characters are not allowed\.$/);
    socket.send(`{"message":"x","mentions":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(await socket.next()).toEqual({ error: "'mentions' must be a list of user ids." });

    const notifications = await SocketClient.open(server, '/ws/notifications/', { token: a.token });
    notifications.ws.send(NOT_UTF8, { binary: false });
    notifications.send({ anything: 'a\u0000' });
    expect(await notifications.quiet(300)).toEqual([]);
    expect(notifications.closeCode).toBeUndefined();
  });
});
