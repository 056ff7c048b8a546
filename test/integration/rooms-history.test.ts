// History pages as the room changes: the count follows every message stored, and a page read
// again shows every change made since (a page is answered from memory while the room's history
// has not changed: see src/store/history.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type SocketClient } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser, sendAll, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface Item {
  id: number;
  content: string;
  is_edited: boolean;
  is_deleted: boolean;
  is_pinned: boolean;
  reactions: Record<string, number> | null;
  mentions: number[];
  parent_message: { id: number; content: string } | null;
}
interface Page {
  count: number;
  next: string | null;
  results: Item[];
}

async function page(user: RoomsUser, roomId: number, query = ''): Promise<Page> {
  const response = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/${query}`, { token: user.token });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  // The bytes are the schema's, key for key: what JSON.stringify writes of the parsed body.
  expect(response.text).toBe(JSON.stringify(response.body));
  return response.body as Page;
}

/** Sends the frame and waits for both members to be told of its effect. */
async function change(sockets: SocketClient[], frame: Record<string, unknown>): Promise<void> {
  sockets[0]!.send(frame);
  for (const socket of sockets) await socket.next();
}

describe('history pages', () => {
  it('count every message stored and show each change made since a page was read', async () => {
    const a = await roomsUser(server);
    const b = await roomsUser(server);
    const roomId = await createRoom(server, a, [b]);
    expect(await page(a, roomId)).toMatchObject({ count: 0, results: [] });
    const [first, second] = await sendAll(server, a, roomId, ['first', 'second']);
    expect((await page(a, roomId)).results.map((m) => m.id)).toEqual([second, first]);
    expect(await page(b, roomId, '?page_size=1')).toMatchObject({ count: 2, next: expect.stringContaining('page=2') });

    const sa = await roomSocket(server, roomId, a);
    const sb = await roomSocket(server, roomId, b);
    const both = [sa, sb];
    await change(both, { action: 'edit_message', message_id: first, new_content: 'first, edited' });
    expect((await page(b, roomId)).results[1]).toMatchObject({ id: first, content: 'first, edited', is_edited: true });
    await change([sb, sa], { action: 'react_message', message_id: second, reaction: 'Like' });
    expect((await page(b, roomId)).results[0]!.reactions).toEqual({ Like: 1 });
    await change(both, { action: 'pin_message', message_id: second });
    expect((await page(b, roomId)).results[0]!.is_pinned).toBe(true);
    await change(both, { message: 'a reply', mentions: [b.id], parent_message_id: first });
    const replied = await page(b, roomId);
    expect(replied.count).toBe(3);
    expect(replied.results[0]).toMatchObject({ content: 'a reply', mentions: [b.id], parent_message: { id: first, content: 'first, edited' } });
    await change(both, { action: 'delete_message', message_id: first });
    const deleted = await page(b, roomId);
    // Deleted messages keep their place: the count stays.
    expect(deleted.count).toBe(3);
    expect(deleted.results[2]).toMatchObject({ id: first, content: '', is_deleted: true });
    expect(deleted.results[0]!.parent_message).toMatchObject({ id: first, content: '' });
    await sa.close();
    await sb.close();

    // A page past the end is refused, and its count was read without a row to carry it.
    expect((await request(server, 'GET', `/api/chat/groups/${roomId}/messages/?page=2`, { token: a.token })).status).toBe(404);
    await sendAll(server, b, roomId, ['fourth']);
    expect((await page(a, roomId, '?page=2&page_size=3')).results.map((m) => m.id)).toEqual([first]);
  });

  it('count each room alone, and forget a deleted room', async () => {
    const a = await roomsUser(server);
    const one = await createRoom(server, a, []);
    const other = await createRoom(server, a, []);
    await sendAll(server, a, one, ['1', '2', '3']);
    await sendAll(server, a, other, ['x']);
    expect((await page(a, one)).count).toBe(3);
    expect((await page(a, other)).count).toBe(1);
    expect((await request(server, 'DELETE', `/api/chat/delete-group/${one}/`, { token: a.token })).status).toBe(200);
    expect((await request(server, 'GET', `/api/chat/groups/${one}/messages/`, { token: a.token })).status).toBe(404);
    expect((await page(a, other)).count).toBe(1);
  });
});
