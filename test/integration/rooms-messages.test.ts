// Parley's additions to the rooms dialect's REST: full-text search over the caller's rooms (newest
// first, paged like history, in step with edits and deletions), a message's edit history, and
// mark-unread. Each with bad input and the wrong caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser, sendAll, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  results: Array<{ id: number; content: string; room: number; is_edited: boolean }>;
}

const search = async (user: RoomsUser | undefined, query: string) => request(server, 'GET', `/api/chat/messages/search/?${query}`, { token: user?.token });
const found = async (user: RoomsUser, query: string): Promise<Page> => {
  const response = await search(user, query);
  expect(response.status).toBe(200);
  return response.body as Page;
};

describe('message search', () => {
  it('finds every word as a prefix in the caller’s rooms only, newest first, in history’s shape', async () => {
    const word = `zq${Date.now().toString(36)}`;
    const a = await roomsUser(server);
    const b = await roomsUser(server);
    const outsider = await roomsUser(server);
    const shared = await createRoom(server, a, [b]);
    const own = await createRoom(server, a, []);
    const foreign = await createRoom(server, outsider, []);
    const [first, second] = await sendAll(server, a, shared, [`${word}alpha Meeting at noon`, `the ${word}alpha meeting moved`]);
    const [third] = await sendAll(server, a, own, [`${word}alpha meeting notes, private`]);
    await sendAll(server, outsider, foreign, [`${word}alpha meeting elsewhere`]);
    await sendAll(server, a, shared, [`${word}alpha lunch`]);

    const mine = await found(a, `q=${word}ALP+meet`);
    expect(mine.results.map((r) => r.id)).toEqual([third, second, first]);
    expect(mine).toMatchObject({ count: 3, next: null, previous: null });
    expect(mine.results[0]).toMatchObject({ content: `${word}alpha meeting notes, private`, room: own, is_edited: false });
    expect(Object.keys(mine.results[0]!)).toEqual(Object.keys((await request(server, 'GET', `/api/chat/groups/${own}/messages/`, { token: a.token })).body.results[0]));

    expect((await found(b, `q=${word}alpha meeting`)).results.map((r) => r.id)).toEqual([second, first]);
    expect((await found(outsider, `q=${word}alpha meeting`)).count).toBe(1);
    expect((await found(a, `q=${word}alpha&group_id=${own}`)).results.map((r) => r.id)).toEqual([third]);
    // Words in any order; punctuation is no word; one unknown word matches nothing.
    expect((await found(a, `q=${encodeURIComponent(`noon, ${word}alpha!`)}`)).results.map((r) => r.id)).toEqual([first]);
    expect((await found(a, `q=${word}alpha+nowhere`)).count).toBe(0);
  });

  it('reads addresses, versions and paths as their words, on both stores alike', async () => {
    const word = `ad${Date.now().toString(36)}`;
    const a = await roomsUser(server);
    const room = await createRoom(server, a, []);
    const [mail, version, tag] = await sendAll(server, a, room, [`write to ${word}@example.com`, `release ${word}v1.2.3 is out`, `<b>${word}bold</b>`]);
    expect((await found(a, `q=example+${word}`)).results.map((r) => r.id)).toEqual([mail]);
    expect((await found(a, `q=${encodeURIComponent(`${word}@example.com`)}`)).results.map((r) => r.id)).toEqual([mail]);
    expect((await found(a, `q=${word}v1+3`)).results.map((r) => r.id)).toEqual([version]);
    expect((await found(a, `q=${word}bold`)).results.map((r) => r.id)).toEqual([tag]);
  });

  it('pages like history, keeping the query in next and previous', async () => {
    const word = `pg${Date.now().toString(36)}`;
    const a = await roomsUser(server);
    const room = await createRoom(server, a, []);
    const ids = await sendAll(server, a, room, [1, 2, 3, 4, 5].map((n) => `${word} number ${n}`));
    const first = await found(a, `q=${word}&page_size=2`);
    expect(first.count).toBe(5);
    expect(first.results.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect(first.next).toBe(`${server.url}/api/chat/messages/search/?q=${word}&page=2&page_size=2`);
    const last = await found(a, `q=${word}&page=3&page_size=2`);
    expect(last.results.map((r) => r.id)).toEqual([ids[0]]);
    expect(last).toMatchObject({ next: null, previous: `${server.url}/api/chat/messages/search/?q=${word}&page=2&page_size=2` });
    expect((await search(a, `q=${word}&page=4&page_size=2`)).status).toBe(404);
  });

  it('follows edits and deletions', async () => {
    const word = `ed${Date.now().toString(36)}`;
    const a = await roomsUser(server);
    const room = await createRoom(server, a, []);
    const socket = await roomSocket(server, room, a);
    socket.send({ message: `${word}before` });
    const { id } = await socket.take((f) => f.message === `${word}before`);
    socket.send({ action: 'edit_message', message_id: id, new_content: `${word}after` });
    await socket.take((f) => f.action === 'edited');
    expect((await found(a, `q=${word}before`)).count).toBe(0);
    expect((await found(a, `q=${word}after`)).results).toMatchObject([{ id, content: `${word}after`, is_edited: true }]);
    socket.send({ action: 'delete_message', message_id: id });
    await socket.next();
    expect((await found(a, `q=${word}after`)).count).toBe(0);
    await socket.close();
  });

  it('refuses bad input and the wrong caller', async () => {
    const a = await roomsUser(server);
    const outsider = await roomsUser(server);
    const room = await createRoom(server, a, []);
    expect((await search(undefined, 'q=x')).status).toBe(401);
    expect((await request(server, 'GET', '/api/chat/messages/search/?q=x', { token: 'f'.repeat(40) })).status).toBe(401);
    expect((await search(a, '')).body).toEqual({ error: 'Please Provide a search query.' });
    expect((await search(a, 'q=%20%20')).status).toBe(400);
    const punctuation = await search(a, `q=${encodeURIComponent('!!! ... ???')}`);
    expect(punctuation.status).toBe(400);
    expect(punctuation.body).toEqual({ detail: 'The search query has no words to look for.', code: 'invalid' });
    expect((await search(a, `q=${encodeURIComponent('a\u0000b')}`)).status).toBe(400);
    expect((await search(a, 'q=x&group_id=abc')).status).toBe(404);
    expect((await search(a, 'q=x&group_id=999999999')).status).toBe(404);
    expect((await search(outsider, `q=x&group_id=${room}`)).status).toBe(403);
    expect((await search(a, 'q=x&page=0')).status).toBe(404);
    // A long query of many words costs a bounded index lookup.
    const long = await search(a, `q=${encodeURIComponent(Array.from({ length: 500 }, (_, i) => `w${i}`).join(' '))}`);
    expect(long.status).toBe(200);
    // FTS syntax is no syntax here: quotes, stars and operators are punctuation or plain words.
    expect((await search(a, `q=${encodeURIComponent('"a" OR b* NEAR(c) -d')}`)).status).toBe(200);
  });
});

describe('edit history', () => {
  const versionsOf = (user: RoomsUser | undefined, id: number | string) => request(server, 'GET', `/api/chat/messages/${id}/history/`, { token: user?.token });

  it('keeps each replaced text with when it was written and replaced; members only; deletion hides them', async () => {
    const a = await roomsUser(server);
    const b = await roomsUser(server);
    const outsider = await roomsUser(server);
    const room = await createRoom(server, a, [b]);
    const socket = await roomSocket(server, room, a);
    socket.send({ message: 'first draft' });
    const { id } = await socket.take((f) => f.message === 'first draft');
    const fresh = await versionsOf(b, id);
    expect(fresh.body).toMatchObject({ id, room, is_deleted: false, content: 'first draft', edited_at: null, count: 0, versions: [] });
    for (const text of ['second draft', 'final', 'final']) {
      socket.send({ action: 'edit_message', message_id: id, new_content: text });
      await socket.take((f) => f.action === 'edited' && f.new_content === text);
    }
    const edited = await versionsOf(b, id);
    expect(edited.status).toBe(200);
    const body = edited.body as { content: string; edited_at: string; count: number; versions: Array<{ content: string; written_at: string; replaced_at: string }> };
    // Saving the same text again is no new version.
    expect(body).toMatchObject({ content: 'final', count: 2 });
    expect(body.versions.map((v) => v.content)).toEqual(['first draft', 'second draft']);
    expect(Object.keys(body.versions[0]!)).toEqual(['content', 'written_at', 'replaced_at']);
    expect(body.versions[1]!.written_at).toBe(body.versions[0]!.replaced_at);
    expect(body.versions[1]!.replaced_at <= body.edited_at).toBe(true);
    expect(body.versions[0]!.written_at < body.versions[0]!.replaced_at).toBe(true);

    // A non-member and a missing message get the same answer.
    const foreign = await versionsOf(outsider, id);
    expect(foreign.status).toBe(404);
    expect((await versionsOf(outsider, 999_999_999)).body).toEqual(foreign.body);
    expect((await versionsOf(undefined, id)).status).toBe(401);
    expect((await versionsOf(a, 'abc')).status).toBe(404);

    socket.send({ action: 'delete_message', message_id: id });
    await socket.next();
    expect((await versionsOf(b, id)).body).toMatchObject({ is_deleted: true, content: '', edited_at: null, count: 0, versions: [] });
    await socket.close();
  });
});

describe('mark unread', () => {
  const markUnread = (user: RoomsUser | undefined, room: number | string, body: unknown) =>
    request(server, 'POST', `/api/chat/groups/${room}/mark-as-unread/`, { token: user?.token, body });
  const stateOf = async (user: RoomsUser, room: number) =>
    ((await request(server, 'GET', '/api/chat/groups/', { token: user.token })).body as Array<{ id: number; unread_count: number; last_read_message_id: number | null }>).find((r) => r.id === room);

  it('makes a message and those after it unread again, for the caller only', async () => {
    const a = await roomsUser(server);
    const b = await roomsUser(server);
    const room = await createRoom(server, a, [b]);
    const [, second] = await sendAll(server, a, room, ['one', 'two', 'three', 'four']);
    expect((await request(server, 'POST', `/api/chat/groups/${room}/mark-as-read/`, { token: b.token })).status).toBe(200);
    expect(await stateOf(b, room)).toMatchObject({ unread_count: 0 });
    const marked = await markUnread(b, room, { message_id: second });
    expect(marked.body).toEqual({ message: 'Room marked as unread.' });
    expect(await stateOf(b, room)).toMatchObject({ unread_count: 3, last_read_message_id: second! - 1 });
    // Marking read again clears it; the other member's state never moved.
    await request(server, 'POST', `/api/chat/groups/${room}/mark-as-read/`, { token: b.token });
    expect(await stateOf(b, room)).toMatchObject({ unread_count: 0 });
    expect(await stateOf(a, room)).toMatchObject({ unread_count: 0 });
  });

  it('refuses bad input, other rooms’ messages and the wrong caller', async () => {
    const a = await roomsUser(server);
    const outsider = await roomsUser(server);
    const room = await createRoom(server, a, []);
    const other = await createRoom(server, outsider, []);
    const [theirs] = await sendAll(server, outsider, other, ['elsewhere']);
    const [mine] = await sendAll(server, a, room, ['here']);
    expect((await markUnread(undefined, room, { message_id: mine })).status).toBe(401);
    expect((await markUnread(outsider, room, { message_id: mine })).status).toBe(403);
    expect((await markUnread(a, room, { message_id: theirs })).status).toBe(404);
    expect((await markUnread(a, room, {})).body).toEqual({ message_id: ['This field is required.'] });
    expect((await markUnread(a, room, { message_id: 'x' })).status).toBe(400);
    expect((await markUnread(a, room, { message_id: -1 })).status).toBe(400);
    expect((await markUnread(a, 'abc', { message_id: mine })).status).toBe(404);
    expect((await markUnread(a, 999_999_999, { message_id: mine })).status).toBe(404);
    expect((await request(server, 'POST', `/api/chat/groups/${room}/mark-as-unread/`, { token: a.token, raw: '{"message_id":' })).status).toBe(400);
  });
});

describe('send_message with a client id', () => {
  it('stores a repeat once: the sender is answered with the first message, the others get it once', async () => {
    const a = await roomsUser(server);
    const b = await roomsUser(server);
    const room = await createRoom(server, a, [b]);
    const sa = await roomSocket(server, room, a);
    const sb = await roomSocket(server, room, b);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      sa.send({ message: 'exactly once', client_id: 'c-1:x' });
      const frame = await sa.take((f) => f.message === 'exactly once');
      expect(frame).toMatchObject({ is_self: true, room });
      ids.push(frame.id);
    }
    expect(new Set(ids).size).toBe(1);
    expect((await sb.take((f) => f.message === 'exactly once')).id).toBe(ids[0]);
    expect(await sb.quiet()).toEqual([]);
    // Another client id, or none, is another message; another sender's same id too.
    sa.send({ message: 'exactly once', client_id: 'c-2' });
    expect((await sa.take((f) => f.message === 'exactly once')).id).not.toBe(ids[0]);
    sb.send({ message: 'from b', client_id: 'c-1:x' });
    expect((await sb.take((f) => f.message === 'from b')).id).toBeGreaterThan(ids[0]!);
    const history = await request(server, 'GET', `/api/chat/groups/${room}/messages/`, { token: a.token });
    expect((history.body as { results: Array<{ content: string }> }).results.map((r) => r.content)).toEqual(['from b', 'exactly once', 'exactly once']);
    for (const bad of ['', 'x'.repeat(65), 'has space', 7, ['x']]) {
      sa.send({ message: 'refused', client_id: bad });
      expect(await sa.take((f) => 'error' in f)).toEqual({ error: "'client_id' must be 1 to 64 letters, digits or - _ . : characters." });
    }
    await sa.close();
    await sb.close();
  });
});
