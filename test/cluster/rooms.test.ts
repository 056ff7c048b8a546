// The rooms dialect across three processes on one PostgreSQL and one Redis: each member's socket
// on a different process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeOf, request, SocketClient } from '../support/clients.js';
import { openDialogue } from '../support/phone.js';
import { createRoom, roomSocket, roomsUser, type RoomsUser } from '../support/rooms.js';
import { ParleyProcess, startCluster, type Cluster } from './support.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster(3);
});
afterAll(async () => {
  await cluster.stop();
});

const node = (i: number): ParleyProcess => cluster.nodes[i] as ParleyProcess;

interface Trio {
  users: [RoomsUser, RoomsUser, RoomsUser];
  roomId: number;
  sockets: [SocketClient, SocketClient, SocketClient];
}

/** Three members of one room, the room made on process 2, member i's socket on process i. */
async function trio(): Promise<Trio> {
  const users: [RoomsUser, RoomsUser, RoomsUser] = [
    await roomsUser(node(0), 'Anagh', 'Jaiswar'),
    await roomsUser(node(1), 'Achal', 'Vishnoi'),
    await roomsUser(node(2), 'Carol', 'Third'),
  ];
  const roomId = await createRoom(node(2), users[0], [users[1], users[2]]);
  const sockets = (await Promise.all(users.map((user, i) => roomSocket(node(i), roomId, user)))) as Trio['sockets'];
  return { users, roomId, sockets };
}

describe('rooms dialect across processes', () => {
  it('broadcasts a message to the members on every process, with is_self per socket', async () => {
    const { sockets } = await trio();
    sockets[0].send({ action: 'send_message', message: 'hello everyone', message_type: 'text' });
    const frames = await Promise.all(sockets.map((socket) => socket.take((f) => f.message === 'hello everyone')));
    expect(frames.map((f) => f.is_self)).toEqual([true, false, false]);
    expect(new Set(frames.map((f) => f.id)).size).toBe(1);
    expect(new Set(frames.map((f) => JSON.stringify(f.sender))).size).toBe(1);
    for (const socket of sockets) expect(await socket.quiet(100)).toEqual([]);
  });

  it('carries edits, reactions, pins, deletes and typing between processes', async () => {
    const { sockets } = await trio();
    sockets[0].send({ action: 'send_message', message: 'to be changed' });
    const { id } = await sockets[1].take((f) => f.message === 'to be changed');
    await sockets[0].take((f) => f.id === id);
    await sockets[2].take((f) => f.id === id);

    sockets[0].send({ action: 'edit_message', message_id: id, new_content: 'changed' });
    for (const socket of sockets) expect(await socket.take((f) => f.action === 'edited')).toMatchObject({ id, new_content: 'changed' });
    sockets[1].send({ action: 'react_message', message_id: id, reaction: 'Like' });
    for (const socket of sockets) expect(await socket.take((f) => f.action === 'reacted')).toMatchObject({ id, reactions: { Like: 1 } });
    sockets[2].send({ action: 'pin_message', message_id: id });
    for (const socket of sockets) expect(await socket.take((f) => f.action === 'message_pinned')).toMatchObject({ id });
    sockets[1].send({ action: 'typing' });
    for (const socket of [sockets[0], sockets[2]]) expect(await socket.take((f) => f.action === 'typing')).toMatchObject({ is_typing: true });
    expect((await sockets[1].quiet(150)).filter((f) => f.action === 'typing')).toEqual([]);
    sockets[0].send({ action: 'delete_message', message_id: id });
    for (const socket of sockets) expect(await socket.take((f) => f.action === 'deleted')).toMatchObject({ id });
  });

  it('serves the same history from every process', async () => {
    const { users, roomId, sockets } = await trio();
    for (let i = 0; i < 3; i++) {
      sockets[i]!.send({ action: 'send_message', message: `from ${i}` });
      await sockets[(i + 1) % 3]!.take((f) => f.message === `from ${i}`);
    }
    const pages = await Promise.all(
      [0, 1, 2].map((i) => request(node(i), 'GET', `/api/chat/groups/${roomId}/messages/?page_size=10`, { token: users[i]!.token })),
    );
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body.results.map((m: { content: string }) => m.content)).toEqual(['from 2', 'from 1', 'from 0']);
    }
  });

  it('shows on every process a change made on another since a page was read there', async () => {
    const { users, roomId, sockets } = await trio();
    const page = async (i: number) => (await request(node(i), 'GET', `/api/chat/groups/${roomId}/messages/`, { token: users[i]!.token })).body;
    sockets[0].send({ action: 'send_message', message: 'first' });
    const { id } = await sockets[0].take((f) => f.message === 'first');
    for (const i of [0, 1, 2]) expect(await page(i)).toMatchObject({ count: 1, results: [{ id, content: 'first', reactions: null }] });
    sockets[1].send({ action: 'react_message', message_id: id, reaction: 'Like' });
    await sockets[1].take((f) => f.action === 'reacted');
    sockets[2].send({ action: 'send_message', message: 'second' });
    await sockets[2].take((f) => f.message === 'second');
    for (const i of [0, 1, 2]) {
      expect(await page(i)).toMatchObject({ count: 2, results: [{ content: 'second' }, { id, reactions: { Like: 1 } }] });
    }
  });

  it('sees a member added on one process as a member on the others', async () => {
    const { users, roomId, sockets } = await trio();
    const late = await roomsUser(node(1), 'Late', 'Comer');
    // Every process has the room's membership cached by now.
    expect(await closeCodeOf(node(0), `/ws/chat/${roomId}/`, { token: late.token })).toBe(4403);
    // One may add only contacts: a dialogue makes them so.
    await openDialogue(node(1), users[0], late);
    const added = await request(node(2), 'POST', `/api/chat/group/${roomId}/add-members/`, { token: users[0].token, body: { members: [late.id] } });
    expect(added.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lateSocket = await roomSocket(node(0), roomId, late);
    sockets[1].send({ action: 'send_message', message: 'welcome' });
    expect((await lateSocket.take((f) => f.message === 'welcome')).is_self).toBe(false);
  });

  it('pushes a mention notification to the socket of the mentioned member on another process', async () => {
    const { users, sockets } = await trio();
    const notifications = await SocketClient.open(node(2), '/ws/notifications/', { token: users[2].token });
    await new Promise((resolve) => setTimeout(resolve, 200));
    sockets[0].send({ action: 'send_message', message: 'look here @Carol', mentions: [users[2].id] });
    const pushed = await notifications.next(5000);
    expect(pushed.notification).toMatchObject({ event_type: 'chat_mention' });
    expect(pushed.notification.message).toMatch(/^You were mentioned in room_/);
    const unread = await request(node(1), 'GET', '/api/notifications/unread-count/', { token: users[2].token });
    expect(unread).toMatchObject({ status: 200, body: { unread_count: 1 } });
  });
  it('resumes on another process: a socket dropped on one and reconnected with ?since= to another gets exactly what it missed', async () => {
    const { users, roomId, sockets } = await trio();
    const [author, flaky, steady] = [sockets[0], sockets[1], await roomSocket(node(2), roomId, users[1])];
    const positioned = (socket: SocketClient): string[] => socket.raw.filter((text) => JSON.parse(text).position !== undefined);
    author.send({ message: 'before' });
    await flaky.take((f) => f.message === 'before');
    const since = JSON.parse(positioned(flaky).at(-1) ?? '{}').position as number;
    await flaky.close();
    const ids: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      author.send({ message: `missed ${i}` });
      ids.push((await author.take((f) => f.message === `missed ${i}`)).id as number);
    }
    author.send({ action: 'edit_message', message_id: ids[0], new_content: 'edited' });
    author.send({ action: 'react_message', message_id: ids[1], reaction: 'Like' });
    author.send({ action: 'delete_message', message_id: ids[2] });
    author.send({ action: 'pin_message', message_id: ids[3] });
    await author.take((f) => f.action === 'message_pinned');
    // Process 0 stored and published; the socket comes back to process 2, another subscriber of Redis.
    const resumed = await SocketClient.open(node(2), `/ws/chat/${roomId}/?since=${since}`, { token: users[1].token });
    author.send({ message: 'live' });
    await steady.take((f) => f.message === 'live');
    await resumed.take((f) => f.message === 'live', 5000);
    const expected = positioned(steady).slice(1).map((text) => {
      const frame = JSON.parse(text);
      return frame.id === ids[2] && frame.action === undefined ? JSON.stringify({ ...frame, message: '' }) : text;
    });
    expect(positioned(resumed)).toEqual(expected);
    expect(positioned(resumed).map((text) => JSON.parse(text).position)).toEqual(expected.map((_, i) => since + 1 + i));
    for (const socket of [author, steady, resumed, sockets[2]]) await socket.close();
  });
});
