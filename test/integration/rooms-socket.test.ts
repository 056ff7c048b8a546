// The room socket: who may connect, every action with bad input and the wrong caller, and
// that every action stays inside the socket's room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeOf, request, SocketClient } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface Setup {
  a: RoomsUser;
  b: RoomsUser;
  outsider: RoomsUser;
  roomId: number;
  otherRoomId: number;
  sa: SocketClient;
  sb: SocketClient;
}

async function setup(): Promise<Setup> {
  const a = await roomsUser(server, 'Anagh', 'Jaiswar');
  const b = await roomsUser(server, 'Achal', 'Vishnoi');
  const outsider = await roomsUser(server, 'Carol', 'Out');
  const roomId = await createRoom(server, a, [b]);
  const otherRoomId = await createRoom(server, outsider, []);
  return { a, b, outsider, roomId, otherRoomId, sa: await roomSocket(server, roomId, a), sb: await roomSocket(server, roomId, b) };
}

/** Sends a message on the socket and returns its id, taking the echo from every given socket. */
async function say(from: SocketClient, text: string, also: SocketClient[] = []): Promise<number> {
  from.send({ action: 'send_message', message: text });
  const frame = await from.take((f) => f.message === text);
  for (const socket of also) await socket.take((f) => f.id === frame.id);
  return frame.id as number;
}

async function history(user: RoomsUser, roomId: number): Promise<any[]> {
  const result = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/?page_size=100`, { token: user.token });
  expect(result.status).toBe(200);
  return result.body.results;
}

describe('connecting', () => {
  it('refuses no token and bad or revoked tokens with 4401', async () => {
    const { a, roomId } = await setup();
    expect(await closeCodeOf(server, `/ws/chat/${roomId}/`)).toBe(4401);
    expect(await closeCodeOf(server, `/ws/chat/${roomId}/`, { token: 'deadbeef' })).toBe(4401);
    await request(server, 'POST', '/api/user/logout/', { token: a.token });
    expect(await closeCodeOf(server, `/ws/chat/${roomId}/`, { token: a.token })).toBe(4401);
  });

  it('refuses non-members with 4403 and missing or inactive rooms with 4404', async () => {
    const { a, outsider, roomId } = await setup();
    expect(await closeCodeOf(server, `/ws/chat/${roomId}/`, { token: outsider.token })).toBe(4403);
    expect(await closeCodeOf(server, `/ws/chat/999999/`, { token: a.token })).toBe(4404);
    await request(server, 'PUT', `/api/chat/edit-group/${roomId}/`, { token: a.token, body: { is_active: false } });
    expect(await closeCodeOf(server, `/ws/chat/${roomId}/`, { token: a.token })).toBe(4404);
    await expect(SocketClient.open(server, '/ws/chat/abc/', { token: a.token })).rejects.toThrow(/404/);
  });

  it('closes the sockets of a member who leaves (4403) and of a deleted room (4404)', async () => {
    const { a, b, roomId, sa, sb } = await setup();
    expect((await request(server, 'POST', `/api/chat/group/${roomId}/remove-yourself/`, { token: b.token })).status).toBe(200);
    expect(await sb.closed).toBe(4403);
    expect((await request(server, 'DELETE', `/api/chat/delete-group/${roomId}/`, { token: a.token })).status).toBe(200);
    expect(await sa.closed).toBe(4404);
  });
});

describe('malformed frames', () => {
  it('answers bad JSON, non-objects and unknown actions with an error frame and stays open', async () => {
    const { sa, sb } = await setup();
    sa.send('not json{');
    expect(await sa.next()).toEqual({ error: 'Invalid JSON format' });
    sa.send('[1,2]');
    expect(await sa.next()).toEqual({ error: 'Invalid JSON format' });
    sa.send({ action: 'dance' });
    expect(await sa.next()).toEqual({ error: 'Unknown action' });
    sa.send({ action: 7 });
    expect(await sa.next()).toEqual({ error: 'Unknown action' });
    sa.ws.send(Buffer.from([0xff, 0x00]), { binary: true });
    expect((await sa.next()).error).toBe('Invalid JSON format');
    expect(await sb.quiet()).toEqual([]);
    await say(sa, 'still open');
  });
});

describe('send_message', () => {
  it('takes the default action, and refuses missing or wrong-typed fields without storing', async () => {
    const { a, roomId, sa } = await setup();
    sa.send({ message: 'no action' });
    expect((await sa.next()).message).toBe('no action');
    const refusals: Array<[unknown, string]> = [
      [{ action: 'send_message' }, "Missing 'message' field for send_message action."],
      [{ message: 123 }, "'message' must be a string."],
      [{ message: 'x', message_type: 'banana' }, 'message_type must be one of text, image, file.'],
      [{ message: 'x', message_type: 5 }, "'message_type' must be a string."],
      [{ message: 'x', attachment: 'http://example.invalid/x.png' }, `Attachments are sent with POST /api/chat/groups/${roomId}/messages/upload/.`],
      [{ message: 'x', mentions: 2 }, "'mentions' must be a list of user ids."],
      [{ message: 'x', mentions: ['2'] }, "'mentions' must be a list of user ids."],
      [{ message: 'x', parent_message_id: 'abc' }, "'parent_message_id' must be a message id or null."],
      [{ message: 'x', parent_message_id: 99999999 }, 'Parent message does not exist'],
      [{ message: 'x'.repeat(70_000) }, 'A message may hold at most 65536 characters.'],
    ];
    for (const [frame, error] of refusals) {
      sa.send(frame);
      expect(await sa.next()).toEqual({ error });
    }
    expect(await history(a, roomId)).toHaveLength(1);
  });

  it("refuses a parent from another room and never shows that room's text", async () => {
    const { a, outsider, otherRoomId, roomId, sa } = await setup();
    const foreign = await roomSocket(server, otherRoomId, outsider);
    const secret = await say(foreign, 'secret text in room 2');
    sa.send({ message: 'leak?', parent_message_id: secret });
    expect(await sa.next()).toEqual({ error: 'Parent message does not exist' });
    expect(await history(a, roomId)).toHaveLength(0);
    await foreign.close();
  });

  it('stores mentions of members only, once each', async () => {
    const { a, b, outsider, roomId, sa } = await setup();
    sa.send({ message: 'hi all', mentions: [b.id, outsider.id, b.id, a.id] });
    await sa.next();
    const [stored] = await history(a, roomId);
    expect(stored.mentions).toEqual([a.id, b.id].sort((x, y) => x - y));
    expect((await request(server, 'GET', '/api/notifications/unread-count/', { token: outsider.token })).body).toEqual({ unread_count: 0 });
    expect((await request(server, 'GET', '/api/notifications/unread-count/', { token: a.token })).body).toEqual({ unread_count: 0 });
    expect((await request(server, 'GET', '/api/notifications/unread-count/', { token: b.token })).body).toEqual({ unread_count: 1 });
  });
});

describe('edit_message', () => {
  it('lets the author edit, with the stored integer id, and refuses everyone and everything else', async () => {
    const { a, b, outsider, otherRoomId, roomId, sa, sb } = await setup();
    const id = await say(sa, 'original', [sb]);
    sa.send({ action: 'edit_message', message_id: String(id), new_content: 'edited' });
    expect(await sa.next()).toEqual({ action: 'edited', id, new_content: 'edited', position: expect.any(Number) });
    expect(await sb.next()).toEqual({ action: 'edited', id, new_content: 'edited', position: expect.any(Number) });

    sb.send({ action: 'edit_message', message_id: id, new_content: 'hacked by B' });
    expect(await sb.next()).toEqual({ error: 'Only the author can change this message.' });
    sa.send({ action: 'edit_message', message_id: id });
    expect(await sa.next()).toEqual({ error: "Both 'message_id' and 'new_content' are required for editing." });
    sa.send({ action: 'edit_message', message_id: 'x', new_content: 'y' });
    expect(await sa.next()).toEqual({ error: "Both 'message_id' and 'new_content' are required for editing." });

    const foreign = await roomSocket(server, otherRoomId, outsider);
    const foreignId = await say(foreign, 'theirs');
    foreign.send({ action: 'edit_message', message_id: id, new_content: 'cross-room' });
    expect(await foreign.next()).toEqual({ error: 'Message not found in this room.' });
    await foreign.close();

    sa.send({ action: 'edit_message', message_id: foreignId, new_content: 'cross-room' });
    expect(await sa.next()).toEqual({ error: 'Message not found in this room.' });

    sa.send({ action: 'delete_message', message_id: id });
    await sa.next();
    await sb.next();
    sa.send({ action: 'edit_message', message_id: id, new_content: 'edited after delete' });
    expect(await sa.next()).toEqual({ error: 'This message was deleted.' });
    expect(await sb.quiet()).toEqual([]);
    const [stored] = await history(b, roomId);
    expect(stored).toMatchObject({ id, content: '', is_deleted: true, is_edited: true });
    expect((await history(a, roomId))[0].content).toBe('');
  });
});

describe('react_message', () => {
  it('toggles one reaction of each name per user and renders the counts map', async () => {
    const { b, roomId, sa, sb } = await setup();
    const id = await say(sa, 'react to me', [sb]);
    const react = async (socket: SocketClient, reaction: string) => {
      socket.send({ action: 'react_message', message_id: id, reaction });
      const frame = await sa.take((f) => f.action === 'reacted');
      await sb.take((f) => f.action === 'reacted');
      return frame;
    };
    expect(await react(sb, 'Like')).toEqual({ action: 'reacted', id, reactions: { Like: 1 }, position: expect.any(Number) });
    expect((await react(sa, 'Like')).reactions).toEqual({ Like: 2 });
    expect((await react(sa, 'Heart')).reactions).toEqual({ Like: 2, Heart: 1 });
    expect((await react(sb, 'Like')).reactions).toEqual({ Like: 1, Heart: 1 });
    const [stored] = await history(b, roomId);
    expect(stored.reactions).toEqual({ Like: 1, Heart: 1 });
    expect((await react(sa, 'Like')).reactions).toEqual({ Heart: 1 });
    expect((await react(sa, 'Heart')).reactions).toEqual({});
    expect((await history(b, roomId))[0].reactions).toBeNull();
  });

  it('refuses unknown reactions, missing fields, other rooms, missing and deleted messages', async () => {
    const { outsider, otherRoomId, sa, sb } = await setup();
    const id = await say(sa, 'target', [sb]);
    const foreign = await roomSocket(server, otherRoomId, outsider);
    const foreignId = await say(foreign, 'theirs');
    const refusals: Array<[unknown, string]> = [
      [{ action: 'react_message', message_id: id, reaction: 'Banana' }, 'Unknown reaction; use one of Like, Cool, HaHa, Heart, Anger, Smile, Sad.'],
      [{ action: 'react_message', message_id: id }, "'message_id' and 'reaction' are required for react_message."],
      [{ action: 'react_message', reaction: 'Like' }, "'message_id' and 'reaction' are required for react_message."],
      [{ action: 'react_message', message_id: foreignId, reaction: 'Like' }, 'Message not found in this room.'],
      [{ action: 'react_message', message_id: 424242, reaction: 'Like' }, 'Message not found in this room.'],
    ];
    for (const [frame, error] of refusals) {
      sb.send(frame);
      expect(await sb.next()).toEqual({ error });
    }
    sa.send({ action: 'delete_message', message_id: id });
    await sa.next();
    await sb.next();
    sb.send({ action: 'react_message', message_id: id, reaction: 'Like' });
    expect(await sb.next()).toEqual({ error: 'This message was deleted.' });
    expect(await sa.quiet()).toEqual([]);
    expect(await foreign.quiet()).toEqual([]);
    await foreign.close();
  });
});

describe('delete_message', () => {
  it("hides the content in history, in replies and in last_message; refuses others' and repeated deletes", async () => {
    const { a, b, outsider, otherRoomId, roomId, sa, sb } = await setup();
    const id = await say(sa, 'to be deleted', [sb]);
    sb.send({ action: 'send_message', message: 'a reply', parent_message_id: id });
    await sa.next();
    await sb.next();
    const lastId = await say(sa, 'last one', [sb]);

    sb.send({ action: 'delete_message', message_id: id });
    expect(await sb.next()).toEqual({ error: 'Only the author can change this message.' });
    sb.send({ action: 'delete_message' });
    expect(await sb.next()).toEqual({ error: 'Message ID is required for deletion.' });
    const foreign = await roomSocket(server, otherRoomId, outsider);
    foreign.send({ action: 'delete_message', message_id: id });
    expect(await foreign.next()).toEqual({ error: 'Message not found in this room.' });
    await foreign.close();

    sa.send({ action: 'delete_message', message_id: id });
    expect(await sa.next()).toEqual({ action: 'deleted', id, position: expect.any(Number) });
    expect(await sb.next()).toEqual({ action: 'deleted', id, position: expect.any(Number) });
    sa.send({ action: 'delete_message', message_id: id });
    expect(await sa.next()).toEqual({ error: 'This message was deleted.' });

    const items = await history(b, roomId);
    expect(items.find((m) => m.id === id)).toMatchObject({ content: '', is_deleted: true });
    expect(items.find((m) => m.parent_message !== null).parent_message).toMatchObject({ id, content: '' });

    sa.send({ action: 'delete_message', message_id: lastId });
    await sa.next();
    const groups = await request(server, 'GET', '/api/chat/groups/', { token: a.token });
    expect(groups.body.find((g: any) => g.id === roomId).last_message).toMatchObject({ id: lastId, content: '' });
  });
});

describe('pin_message', () => {
  it('lets members pin at most 3 live messages; unpinning, deleting and expiry free a place', async () => {
    const { b, outsider, otherRoomId, roomId, sa, sb } = await setup();
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await say(sa, `pin me ${i}`, [sb]));
    for (const id of ids.slice(0, 3)) {
      sb.send({ action: 'pin_message', message_id: id });
      const frame = await sb.next();
      expect(frame).toMatchObject({ action: 'message_pinned', id, is_pinned: true });
      expect(frame.pinned_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
      await sa.next();
    }
    sb.send({ action: 'pin_message', message_id: ids[3], pin: true });
    expect(await sb.next()).toEqual({ error: 'A room can have at most 3 pinned messages.' });

    sa.send({ action: 'pin_message', message_id: ids[0], pin: false });
    expect(await sa.next()).toEqual({ action: 'message_pinned', id: ids[0], is_pinned: false, pinned_at: null, position: expect.any(Number) });
    await sb.next();
    sb.send({ action: 'pin_message', message_id: ids[3] });
    expect((await sb.next()).is_pinned).toBe(true);
    await sa.next();

    // A deleted message's pin no longer counts.
    sa.send({ action: 'delete_message', message_id: ids[1] });
    await sa.next();
    await sb.next();
    sb.send({ action: 'pin_message', message_id: ids[4] });
    expect((await sb.next()).is_pinned).toBe(true);
    await sa.next();

    // Pins older than 7 days have expired: they neither show nor count.
    await server.parley.core.store.annotations.setPinned(ids[2] ?? 0, '2000-01-01T00:00:00.000000Z');
    const items = await history(b, roomId);
    expect(items.find((m) => m.id === ids[2])).toMatchObject({ is_pinned: false, pinned_at: null });
    expect(items.find((m) => m.id === ids[3]).is_pinned).toBe(true);
    sb.send({ action: 'pin_message', message_id: ids[0] });
    expect((await sb.next()).is_pinned).toBe(true);
    await sa.next();

    sb.send({ action: 'pin_message', message_id: ids[1] });
    expect(await sb.next()).toEqual({ error: 'This message was deleted.' });
    sb.send({ action: 'pin_message' });
    expect(await sb.next()).toEqual({ error: 'Message ID is required for pinning.' });
    sb.send({ action: 'pin_message', message_id: ids[0], pin: 'yes' });
    expect(await sb.next()).toEqual({ error: "'pin' must be true or false." });
    const foreign = await roomSocket(server, otherRoomId, outsider);
    foreign.send({ action: 'pin_message', message_id: ids[0] });
    expect(await foreign.next()).toEqual({ error: 'Message not found in this room.' });
    await foreign.close();
  });
});

describe('typing', () => {
  it("reaches the room's other sockets but none of the typist's own", async () => {
    const { a, b, roomId, sa, sb } = await setup();
    const secondA = await roomSocket(server, roomId, a);
    sa.send({ action: 'typing', extra: [1, 2] });
    expect(await sb.next()).toEqual({ action: 'typing', sender: { name: 'Anagh', photo: null, id: a.id, role: 'member' }, is_typing: true });
    sa.send({ action: 'stop_typing' });
    expect((await sb.next()).is_typing).toBe(false);
    expect(await sa.quiet()).toEqual([]);
    expect(await secondA.quiet(10)).toEqual([]);
    sb.send({ action: 'typing' });
    expect((await sa.next()).sender.id).toBe(b.id);
    expect((await secondA.next()).sender.id).toBe(b.id);
    await secondA.close();
  });
});
