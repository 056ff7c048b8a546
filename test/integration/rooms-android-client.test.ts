// The Android client (rooms-original-behaviour.md §5.1), played request for request and frame
// for frame: every field it parses is checked with its type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** The client's pattern yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX: six digits and a numeric offset or Z. */
const CLIENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(?:Z|[+-]\d{2}:\d{2})$/;
const SOCKET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

function expectFrameSender(sender: any): void {
  expect(Object.keys(sender).sort()).toEqual(['id', 'name', 'photo', 'role']);
  expect(Number.isInteger(sender.id)).toBe(true);
  expect(typeof sender.name).toBe('string');
  expect(sender.photo === null || typeof sender.photo === 'string').toBe(true);
  expect(typeof sender.role).toBe('string');
}

/** The single class every text frame is parsed into: the fields it reads and their types. */
function expectMessageFrame(frame: any): void {
  expect(frame.action).toBeUndefined();
  // The original's keys in its order, then Parley's additive `position` (the client's JSON
  // reader skips keys it does not know).
  expect(Object.keys(frame)).toEqual([
    'message', 'sender', 'message_type', 'id', 'is_self', 'attachment', 'created_at', 'room', 'parent_message', 'position',
  ]);
  expect(typeof frame.message).toBe('string');
  expectFrameSender(frame.sender);
  expect(typeof frame.message_type).toBe('string');
  expect(Number.isInteger(frame.id)).toBe(true);
  expect(typeof frame.is_self).toBe('boolean');
  expect(frame.attachment === null || typeof frame.attachment === 'string').toBe(true);
  expect(frame.created_at).toMatch(SOCKET_TIME);
  expect(Number.isInteger(frame.room)).toBe(true);
  if (frame.parent_message !== null) {
    expect(Object.keys(frame.parent_message)).toEqual(['id', 'content', 'sender', 'created_at']);
    expect(Number.isInteger(frame.parent_message.id)).toBe(true);
    expect(typeof frame.parent_message.content).toBe('string');
    expect(frame.parent_message.created_at).toMatch(SOCKET_TIME);
    expect(Object.keys(frame.parent_message.sender)).toEqual(['id', 'name', 'photo']);
  }
}

function expectHistoryItem(item: any, roomId: number): void {
  expect(Number.isInteger(item.id)).toBe(true);
  expect(typeof item.content).toBe('string');
  expect(item.created_at).toMatch(CLIENT_TIME);
  expect(item.updated_at).toMatch(CLIENT_TIME);
  expect(typeof item.is_deleted).toBe('boolean');
  expect(typeof item.is_edited).toBe('boolean');
  expect(Array.isArray(item.mentions)).toBe(true);
  expect(typeof item.message_type).toBe('string');
  expect(item.room).toBe(roomId);
  expect(item.status).toEqual({});
  expect(typeof item.is_self).toBe('boolean');
  expect(item.attachment === null || typeof item.attachment === 'string').toBe(true);
  const { sender } = item;
  expect(Number.isInteger(sender.id)).toBe(true);
  expect(typeof sender.first_name).toBe('string');
  expect(typeof sender.last_name).toBe('string');
  expect(typeof sender.role).toBe('string');
  expect(sender.photo === null || typeof sender.photo === 'string').toBe(true);
  expect(sender.year === null || typeof sender.year === 'string').toBe(true);
  if (item.reactions !== null) {
    for (const [name, count] of Object.entries(item.reactions)) {
      expect(['Like', 'Cool', 'HaHa', 'Heart', 'Anger', 'Smile', 'Sad']).toContain(name);
      expect(Number.isInteger(count)).toBe(true);
    }
  }
  if (item.parent_message !== null) {
    expect(Number.isInteger(item.parent_message.id)).toBe(true);
    expect(typeof item.parent_message.content).toBe('string');
    expect(Number.isInteger(item.parent_message.sender.id)).toBe(true);
    expect(typeof item.parent_message.sender.name).toBe('string');
  }
}

/** The client's history loader: page after page of 100, reversed, older pages in front. */
async function loadHistory(user: RoomsUser, roomId: number): Promise<{ items: any[]; requests: number[] }> {
  let items: any[] = [];
  const requests: number[] = [];
  for (let page = 1; ; page += 1) {
    const result = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/?page=${page}&page_size=100`, {
      token: user.token,
    });
    requests.push(result.status);
    if (result.status === 404) break;
    expect(result.status).toBe(200);
    const { results } = result.body;
    if (results.length === 0) break;
    items = [...[...results].reverse(), ...items];
  }
  return { items, requests };
}

describe('the Android client against Parley', () => {
  it('logs in, lists rooms, chats live, types, reacts, reads history page by page, and logs out', async () => {
    const anagh = await roomsUser(server, 'Anagh', 'Jaiswar');
    const achal = await roomsUser(server, 'Achal', 'Vishnoi');

    // Login: token (safe in a URL path segment), is_completed, message.
    const login = await request(server, 'POST', '/api/user/login/', { body: { email: anagh.email, password: anagh.password } });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body)).toEqual(['year', 'token', 'is_completed', 'missing_fields', 'message']);
    expect(login.body.token).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof login.body.is_completed).toBe('boolean');
    expect(login.body.message).toBe('Welcome Anagh!');
    const token = login.body.token as string;
    const a: RoomsUser = { ...anagh, token };

    const roomId = await createRoom(server, a, [achal], `2nd_year_${Date.now()}`);

    // The room list before any message: last_message null ("you were added in this group").
    const groups = await request(server, 'GET', '/api/chat/groups/', { token });
    expect(groups.status).toBe(200);
    const listed = groups.body.find((g: any) => g.id === roomId);
    expect(listed).toMatchObject({ description: 'a room', room_avatar: null, last_message: null, unread_count: 0 });
    expect(typeof listed.name).toBe('string');
    expect(listed.created_at).toMatch(CLIENT_TIME);
    expect(listed.updated_at).toMatch(CLIENT_TIME);

    const socketA = await roomSocket(server, roomId, a);
    const socketB = await roomSocket(server, roomId, achal);

    // The client's send frame, exactly: mentions always present, parent_message_id literally null.
    socketA.send('{"action":"send_message","message":"hello everyone","message_type":"text","mentions":[],"parent_message_id":null}');
    const mine = await socketA.next();
    const theirs = await socketB.next();
    expectMessageFrame(mine);
    expectMessageFrame(theirs);
    expect(mine.is_self).toBe(true);
    expect(theirs.is_self).toBe(false);
    expect({ ...mine, is_self: false }).toEqual(theirs);
    expect(mine).toMatchObject({
      message: 'hello everyone',
      sender: { name: 'Anagh', photo: null, id: a.id, role: 'member' },
      message_type: 'text',
      attachment: null,
      room: roomId,
      parent_message: null,
    });
    expect((await request(server, 'POST', `/api/chat/groups/${roomId}/mark-as-read/`, { token })).status).toBe(200);

    // A reply that mentions a member, as the newest client sends it.
    socketB.send(
      JSON.stringify({ action: 'send_message', message: 'reply to @anagh', message_type: 'text', mentions: [a.id], parent_message_id: mine.id }),
    );
    const reply = await socketA.next();
    expectMessageFrame(reply);
    expect(reply.parent_message).toEqual({
      id: mine.id,
      content: 'hello everyone',
      sender: { id: a.id, name: 'Anagh', photo: null },
      created_at: mine.created_at,
    });
    await socketB.next();

    // Typing: the receiver adds and removes the typist by structural equality of sender.
    const typists: string[] = [];
    socketB.send('{"action":"typing"}');
    const started = await socketA.next();
    expect(started).toEqual({ action: 'typing', sender: { name: 'Achal', photo: null, id: achal.id, role: 'member' }, is_typing: true });
    typists.push(JSON.stringify(started.sender));
    socketB.send('{"action":"stop_typing"}');
    const stopped = await socketA.next();
    expect(stopped.is_typing).toBe(false);
    expect(stopped.sender).toEqual(started.sender);
    expect(stopped.sender).toEqual(reply.sender);
    typists.splice(typists.indexOf(JSON.stringify(stopped.sender)), 1);
    expect(typists).toEqual([]);
    expect(await socketB.quiet()).toEqual([]);

    // A reaction the client sends; the frame has no sender (the client drops it) and an integer id.
    socketA.send(`{"action":"react_message","message_id":${reply.id},"reaction":"Like"}`);
    expect(await socketA.next()).toEqual({ action: 'reacted', id: reply.id, reactions: { Like: 1 }, position: expect.any(Number) });
    await socketB.next();

    // Enough messages for two pages of 100; the loader stops on the 404 after the last page.
    for (let i = 0; i < 101; i += 1) {
      socketA.send(JSON.stringify({ action: 'send_message', message: `m${i}`, message_type: 'text', mentions: [], parent_message_id: null }));
    }
    for (let i = 0; i < 101; i += 1) await socketA.next();
    const { items, requests } = await loadHistory(achal, roomId);
    expect(requests).toEqual([200, 200, 404]);
    expect(items).toHaveLength(103);
    expect(items.map((m) => m.id)).toEqual([...items.map((m) => m.id)].sort((x, y) => x - y));
    for (const item of items) expectHistoryItem(item, roomId);
    const replied = items.find((m) => m.id === reply.id);
    expect(replied).toMatchObject({
      content: 'reply to @anagh',
      is_self: true,
      reactions: { Like: 1 },
      mentions: [a.id],
      parent_message: { id: mine.id, content: 'hello everyone', sender: { id: a.id, name: 'Anagh Jaiswar', photo: null } },
      sender: { id: achal.id, first_name: 'Achal', last_name: 'Vishnoi' },
    });
    expect(items[0].is_self).toBe(false);

    // The room list now: unread badge and last message for the client's list item.
    const after = await request(server, 'GET', '/api/chat/groups/', { token: achal.token });
    const room = after.body.find((g: any) => g.id === roomId);
    expect(room.unread_count).toBe(102);
    expect(room.last_message.content).toBe('m100');
    expect(room.last_message.created_at).toMatch(CLIENT_TIME);

    // The @-mention picker.
    const picker = await request(server, 'GET', `/api/chat/groups/${roomId}/search/members/?q=ach`, { token });
    expect(picker.status).toBe(200);
    expect(picker.body).toEqual([
      expect.objectContaining({ id: achal.id, first_name: 'Achal', last_name: 'Vishnoi', photo: null, role: 'member' }),
    ]);

    // Leaving the room: the client closes with 1000 "User left room" and marks the room read.
    socketA.ws.close(1000, 'User left room');
    await socketA.closed;
    expect((await request(server, 'POST', `/api/chat/groups/${roomId}/mark-as-read/`, { token: achal.token })).body).toEqual({
      message: 'Room marked as read.',
    });
    await socketB.close();

    const logout = await request(server, 'POST', '/api/user/logout/', { token });
    expect(logout.body).toEqual({ message: 'Successfully logged out.' });
    expect((await request(server, 'GET', '/api/chat/groups/', { token })).status).toBe(401);
  });
});
