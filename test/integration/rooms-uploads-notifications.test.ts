// Attachments (size and type limits, unguessable URLs, live broadcast), mention notifications
// (REST and socket) and push to offline members through a real webhook.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeOf, request, SocketClient } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MAX_BYTES = 2048;
let server: TestServer;
let webhook: http.Server;
const pushes: any[] = [];
let pushArrived: () => void = () => undefined;

beforeAll(async () => {
  webhook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      pushes.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
      res.writeHead(204).end();
      pushArrived();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const { port } = webhook.address() as AddressInfo;
  server = await startTestServer({
    uploadMaxBytes: MAX_BYTES,
    uploadTypes: ['image/*', 'text/plain'],
    pushWebhookUrl: `http://127.0.0.1:${port}/push`,
  });
});
afterAll(async () => {
  await server.close();
  await new Promise((resolve) => webhook.close(resolve));
});

async function upload(user: RoomsUser | undefined, roomId: number | string, parts: Record<string, string | { bytes: Buffer; type: string; name: string }>) {
  const form = new FormData();
  for (const [field, value] of Object.entries(parts)) {
    if (typeof value === 'string') form.append(field, value);
    else form.append(field, new Blob([new Uint8Array(value.bytes)], { type: value.type }), value.name);
  }
  const headers: Record<string, string> = user ? { authorization: `Token ${user.token}` } : {};
  const response = await fetch(`${server.url}/api/chat/groups/${roomId}/messages/upload/`, { method: 'POST', body: form, headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A PNG signature, then filler up to `size` bytes: Parley tells a file's type from its first bytes. */
const png = (size = 66) => {
  const bytes = Buffer.alloc(size, 7);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return { bytes, type: 'image/png', name: 'p.png' };
};

async function members(): Promise<{ a: RoomsUser; b: RoomsUser; c: RoomsUser; roomId: number }> {
  const a = await roomsUser(server, 'Anagh', 'Jaiswar');
  const b = await roomsUser(server, 'Achal', 'Vishnoi');
  const c = await roomsUser(server, 'Carol', 'Out');
  return { a, b, c, roomId: await createRoom(server, a, [b]) };
}

describe('uploads', () => {
  it('stores the file, serves it at an unguessable URL and broadcasts it like a sent message', async () => {
    const { a, b, roomId } = await members();
    const sa = await roomSocket(server, roomId, a);
    const sb = await roomSocket(server, roomId, b);
    const result = await upload(a, roomId, { content: 'see pic', attachment: png() });
    expect(result.status).toBe(201);
    expect(result.body).toEqual({
      content: 'see pic',
      attachment: expect.stringMatching(new RegExp(`^${server.url}/media/[0-9a-f]{32}/p\\.png$`)),
      parent_message: null,
    });
    const mine = await sa.next();
    const theirs = await sb.next();
    expect(mine).toMatchObject({
      message: 'see pic',
      sender: { name: 'Anagh', photo: null, id: a.id, role: 'member' },
      message_type: 'image',
      is_self: true,
      attachment: result.body.attachment,
      room: roomId,
      parent_message: null,
    });
    expect(theirs).toEqual({ ...mine, is_self: false });
    const file = await fetch(result.body.attachment);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(png().bytes);
    expect((await fetch(`${server.url}/media/${'0'.repeat(32)}/p.png`)).status).toBe(404);
    expect((await fetch(`${server.url}/media/..%2f..%2fetc/passwd`)).status).toBe(404);

    const text = await upload(a, roomId, { attachment: { bytes: Buffer.from('hi'), type: 'text/plain', name: '../n.txt' }, parent_message: String(mine.id) });
    expect(text.body).toMatchObject({ content: '', parent_message: mine.id });
    expect(text.body.attachment).toMatch(/\/n\.txt$/);
    const frame = await sb.next();
    expect(frame).toMatchObject({ message: '', message_type: 'file', parent_message: { id: mine.id, content: 'see pic' } });
    const history = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/`, { token: b.token });
    expect(history.body.results[0]).toMatchObject({ content: '', message_type: 'file', attachment: text.body.attachment });
    await sa.close();
    await sb.close();
  });

  it('refuses non-members, missing rooms, oversize files, other types, missing files and bad parents', async () => {
    const { a, c, roomId } = await members();
    const otherRoom = await createRoom(server, c, []);
    const foreign = await roomSocket(server, otherRoom, c);
    foreign.send({ message: 'secret' });
    const foreignId = (await foreign.next()).id;
    await foreign.close();

    expect((await upload(c, roomId, { attachment: png() })).body).toMatchObject({ detail: 'You are not a member of this room.' });
    expect((await upload(undefined, roomId, { attachment: png() })).status).toBe(401);
    expect((await upload(a, 999999, { attachment: png() })).status).toBe(404);
    expect((await upload(a, 'abc', { attachment: png() })).status).toBe(404);
    const big = await upload(a, roomId, { attachment: png(MAX_BYTES + 1) });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ attachment: [`The file is larger than ${MAX_BYTES} bytes.`] });
    expect((await upload(a, roomId, { attachment: png(MAX_BYTES) })).status).toBe(201);
    const pdf = await upload(a, roomId, { attachment: { bytes: Buffer.from('%PDF-1.7 ...'), type: 'image/png', name: 'x.png' } });
    expect(pdf).toEqual({ status: 415, body: { attachment: ['Files of type application/pdf are not accepted.'] } });
    expect((await upload(a, roomId, { content: 'no file' })).body).toEqual({ attachment: ['No file was submitted.'] });
    expect((await upload(a, roomId, { other: png() })).status).toBe(400);
    expect((await upload(a, roomId, { attachment: png(), parent_message: 'abc' })).status).toBe(400);
    expect((await upload(a, roomId, { attachment: png(), parent_message: String(foreignId) })).body).toMatchObject({
      detail: 'Parent message does not exist',
    });
    const json = await request(server, 'POST', `/api/chat/groups/${roomId}/messages/upload/`, { token: a.token, body: { attachment: 'x' } });
    expect(json.status).toBe(400);
    const history = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/`, { token: a.token });
    expect(history.body.count).toBe(1);
  });
});

describe('notifications', () => {
  it('pushes a mention to the notifications socket and counts it until marked read', async () => {
    const { a, b, roomId } = await members();
    const bell = await SocketClient.open(server, '/ws/notifications/', { token: b.token });
    bell.send('anything is ignored');
    const sa = await roomSocket(server, roomId, a);
    const roomName = (await request(server, 'GET', '/api/chat/groups/', { token: a.token })).body[0].name;
    sa.send({ message: 'hello @achal', mentions: [b.id] });
    const note = await bell.next();
    expect(note).toEqual({
      notification: {
        id: expect.any(Number),
        event_type: 'chat_mention',
        message: `You were mentioned in ${roomName} chat by Anagh`,
        url: null,
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/),
      },
    });
    sa.send({ message: 'again @achal', mentions: [b.id] });
    const second = await bell.next();
    const count = () => request(server, 'GET', '/api/notifications/unread-count/', { token: b.token });
    expect((await count()).body).toEqual({ unread_count: 2 });
    const mark = (body: unknown, user: RoomsUser = b) => request(server, 'PATCH', '/api/notifications/mark-as-read/', { token: user.token, body });
    expect((await mark({ notification_ids: [note.notification.id] }, a)).body).toEqual({ updated: 0 });
    expect((await mark({ notification_ids: [note.notification.id] })).body).toEqual({ updated: 1 });
    expect((await count()).body).toEqual({ unread_count: 1 });
    expect((await mark({ notification_ids: 'all' })).status).toBe(400);
    expect((await mark({ notification_ids: ['x'] })).status).toBe(400);
    expect((await mark({})).body).toEqual({ updated: 1 });
    expect(second.notification.id).toBeGreaterThan(note.notification.id);
    expect((await count()).body).toEqual({ unread_count: 0 });
    expect((await request(server, 'GET', '/api/notifications/unread-count/')).status).toBe(401);
    expect((await request(server, 'PATCH', '/api/notifications/mark-as-read/', { body: {} })).status).toBe(401);
    expect(await closeCodeOf(server, '/ws/notifications/')).toBe(4401);
    expect(await closeCodeOf(server, '/ws/notifications/', { token: 'deadbeef' })).toBe(4401);
    await sa.close();
    await bell.close();
  });

  it('registers devices with a known type only', async () => {
    const a = await roomsUser(server);
    const register = (body: unknown, token?: string) => request(server, 'POST', '/api/notifications/register-device/', { token, body });
    expect((await register({ device_token: 'fcm-a', device_type: 'android' }, a.token))).toMatchObject({
      status: 201,
      body: { device_token: 'fcm-a', device_type: 'android' },
    });
    expect((await register({ device_token: 'fcm-a', device_type: 'windows' }, a.token)).status).toBe(400);
    expect((await register({ device_type: 'ios' }, a.token)).status).toBe(400);
    expect((await register({ device_token: 5, device_type: 'ios' }, a.token)).status).toBe(400);
    expect((await register({ device_token: 'fcm-a', device_type: 'ios' })).status).toBe(401);
  });
});

describe('push webhook', () => {
  it("posts stored messages to offline members' devices only", async () => {
    const { a, b, c, roomId } = await members();
    await request(server, 'POST', '/api/notifications/register-device/', { token: b.token, body: { device_token: `fcm-${b.id}`, device_type: 'android' } });
    await request(server, 'POST', '/api/notifications/register-device/', { token: c.token, body: { device_token: `fcm-${c.id}`, device_type: 'android' } });
    const roomName = (await request(server, 'GET', '/api/chat/groups/', { token: a.token })).body[0].name;
    const sa = await roomSocket(server, roomId, a);

    // Refused sends push nothing.
    sa.send({ message: 'typed', message_type: 'banana' });
    await sa.next();
    pushes.length = 0;
    const arrived = new Promise<void>((resolve) => (pushArrived = resolve));
    const long = `are you there B? ${'x'.repeat(60)}`;
    sa.send({ message: long });
    await sa.next();
    await arrived;
    expect(pushes).toEqual([
      {
        method: 'POST',
        type: 'application/json',
        body: {
          title: `New message in ${roomName}`,
          body: `${long.slice(0, 50)}...`,
          data: { click_action: `OPEN_CHAT?room_id=${roomId}`, room_id: roomId, message_id: expect.any(Number) },
          devices: [{ token: `fcm-${b.id}`, device_type: 'android', account_id: b.id }],
        },
      },
    ]);

    // With a socket open, B is online: no push.
    pushes.length = 0;
    const sb = await roomSocket(server, roomId, b);
    sa.send({ message: 'B is here' });
    await sa.next();
    await sb.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pushes).toEqual([]);
    await sa.close();
    await sb.close();
  });
});
