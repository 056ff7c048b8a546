// Resuming a room socket with ?since=<position>: what it missed comes first, once each and in
// order, then live frames, with nothing lost or doubled at the seam; a position the log no longer
// covers gets one refetch frame; a malformed one is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeOf, SocketClient, within } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let a: RoomsUser;
let b: RoomsUser;
beforeAll(async () => {
  server = await startTestServer();
  a = await roomsUser(server, 'Anagh', 'Jaiswar');
  b = await roomsUser(server, 'Achal', 'Vishnoi');
});
afterAll(async () => {
  await server.close();
});

/** The socket's frames so far that carry a position, as received. */
function positioned(socket: SocketClient): string[] {
  return socket.raw.filter((text) => JSON.parse(text).position !== undefined);
}

function lastPosition(socket: SocketClient): number {
  const last = positioned(socket).at(-1);
  return last === undefined ? 0 : (JSON.parse(last).position as number);
}

/** Sends a frame and waits for its broadcast on the sender's socket. */
async function act(socket: SocketClient, frame: Record<string, unknown>, answered: (f: any) => boolean): Promise<any> {
  socket.send(frame);
  return socket.take(answered);
}

async function say(socket: SocketClient, text: string): Promise<number> {
  return (await act(socket, { message: text }, (f) => f.message === text && f.is_self === true)).id as number;
}

/** What a client knows of the room after these frames: each message's text, deletion and reactions. */
function stateOf(frames: readonly string[]): Map<number, { text: string; deleted: boolean; reactions: string }> {
  const state = new Map<number, { text: string; deleted: boolean; reactions: string }>();
  for (const frame of frames.map((text) => JSON.parse(text))) {
    const id = frame.id as number;
    if (frame.action === undefined) state.set(id, { text: frame.message, deleted: false, reactions: '{}' });
    const known = state.get(id);
    if (!known) continue;
    if (frame.action === 'edited') known.text = frame.new_content;
    if (frame.action === 'deleted') Object.assign(known, { deleted: true, text: '' });
    if (frame.action === 'reacted') known.reactions = JSON.stringify(frame.reactions);
  }
  return state;
}

describe('room socket resume (?since=)', () => {
  it('replays 100 messages, 10 edits, 10 deletions and 10 reactions missed, then goes live with no gap and no duplicate', async () => {
    const roomId = await createRoom(server, a, [b]);
    const author = await roomSocket(server, roomId, a);
    const steady = await roomSocket(server, roomId, b);
    const flaky = await roomSocket(server, roomId, b);
    const before = [];
    for (let i = 0; i < 5; i += 1) before.push(await say(author, `before ${i}`));
    await within(2000, async () => positioned(flaky).length === 5, 'the first five on the flaky socket');
    const since = lastPosition(flaky);
    await flaky.close();

    const missed: number[] = [];
    for (let i = 0; i < 100; i += 1) missed.push(await say(author, `missed ${i}`));
    const deleted = [...missed.slice(0, 9), before[0] as number];
    for (let i = 0; i < 10; i += 1) {
      // Edits of messages deleted later too: their replayed text must be hidden.
      const id = missed[i * 3] as number;
      await act(author, { action: 'edit_message', message_id: id, new_content: `edited ${i}` }, (f) => f.action === 'edited' && f.id === id);
    }
    for (let i = 0; i < 10; i += 1) {
      const id = missed[50 + i] as number;
      await act(author, { action: 'react_message', message_id: id, reaction: 'Like' }, (f) => f.action === 'reacted' && f.id === id);
    }
    for (const id of deleted) await act(author, { action: 'delete_message', message_id: id }, (f) => f.action === 'deleted' && f.id === id);

    // Messages keep coming while the flaky client reconnects, on several sockets at once, so that
    // some changes are stored between a socket's subscribing and its reading of the log.
    const sending = (async () => {
      for (let i = 0; i < 20; i += 1) author.send({ message: `during ${i}` });
      await author.take((f) => f.message === 'during 19' && f.is_self === true, 5000);
    })();
    const reconnects = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 3));
        return SocketClient.open(server, `/ws/chat/${roomId}/?since=${since}`, { token: b.token });
      }),
    );
    await sending;
    const total = 5 + 100 + 10 + 10 + deleted.length + 20;
    await within(5000, async () => positioned(steady).length === total, 'every frame on the steady socket');
    for (const socket of reconnects) await within(5000, async () => positioned(socket).length >= total - 5, 'every missed frame on a resumed socket');
    const [resumed, ...others] = reconnects as [SocketClient, ...SocketClient[]];
    for (const socket of reconnects) expect(await socket.quiet(100)).toHaveLength(total - 5);
    for (const other of others) expect(positioned(other)).toEqual(positioned(resumed));
    const live = positioned(steady).slice(5);
    const got = positioned(resumed);
    // Positions are consecutive from the one after `since`: nothing twice, nothing skipped.
    expect(got.map((text) => JSON.parse(text).position)).toEqual(live.map((_, i) => since + 1 + i));
    // The same frames, key for key; a message deleted since is replayed without its content, as history shows it.
    const gone = new Set(deleted);
    // Every deletion happened before the reconnect, so each message deleted is replayed hidden.
    const expected = live.map((text) => {
      const frame = JSON.parse(text);
      if (!gone.has(frame.id)) return text;
      if (frame.action === undefined) return JSON.stringify({ ...frame, message: '', attachment: null });
      if (frame.action === 'edited') return JSON.stringify({ ...frame, new_content: '' });
      return text;
    });
    expect(got).toEqual(expected);
    expect(new Set(got).size).toBe(got.length);
    // And the same state as the client that never dropped.
    expect(stateOf([...positioned(flaky), ...got])).toEqual(stateOf(positioned(steady)));
    for (const socket of [author, steady, ...reconnects]) await socket.close();
  });

  it('crosses the seam exactly when changes are stored while a replay of several pages is read', async () => {
    const roomId = await createRoom(server, a, [b]);
    const steady = await roomSocket(server, roomId, b);
    // 4 × 150 missed messages: more than one page of the log (REPLAY_PAGE_SIZE 500).
    const writers = await Promise.all(Array.from({ length: 5 }, () => roomSocket(server, roomId, a)));
    await Promise.all(
      writers.slice(0, 4).map(async (writer, w) => {
        for (let i = 0; i < 150; i += 1) writer.send({ message: `bulk ${w} ${i}` });
        await writer.take((f) => f.message === `bulk ${w} 149` && f.is_self === true, 10_000);
      }),
    );
    const live = writers[4] as SocketClient;
    // The handshake is done before the server opens the session (subscribes, then replays): these
    // are stored while it does.
    const resumed = await SocketClient.open(server, `/ws/chat/${roomId}/?since=0`, { token: b.token });
    for (let i = 0; i < 100; i += 1) live.send({ message: `live ${i}` });
    await live.take((f) => f.message === 'live 99' && f.is_self === true, 10_000);
    await within(10_000, async () => positioned(steady).length === 700, 'every frame on the steady socket');
    await within(10_000, async () => positioned(resumed).length >= 700, 'every frame on the resumed socket');
    expect(await resumed.quiet(100)).toHaveLength(700);
    expect(positioned(resumed).map((text) => JSON.parse(text).position)).toEqual(Array.from({ length: 700 }, (_, i) => i + 1));
    expect(positioned(resumed)).toEqual(positioned(steady));
    for (const socket of [steady, resumed, ...writers]) await socket.close();
  });

  it('without since, or with the latest position, sends nothing but live frames', async () => {
    const roomId = await createRoom(server, a, [b]);
    const author = await roomSocket(server, roomId, a);
    await say(author, 'one');
    const plain = await roomSocket(server, roomId, b);
    const current = await SocketClient.open(server, `/ws/chat/${roomId}/?since=1`, { token: b.token });
    expect(await current.quiet(200)).toEqual([]);
    expect(await plain.quiet(50)).toEqual([]);
    await say(author, 'two');
    const frame = await current.next();
    expect(frame).toMatchObject({ message: 'two', position: 2 });
    expect(await plain.next()).toEqual(frame);
    const fromStart = await SocketClient.open(server, `/ws/chat/${roomId}/?since=0`, { token: b.token });
    expect((await fromStart.next()).message).toBe('one');
    expect((await fromStart.next()).message).toBe('two');
    for (const socket of [author, plain, current, fromStart]) await socket.close();
  });

  it('answers a position the log no longer covers, or never handed out, with one refetch frame, then goes live', async () => {
    const roomId = await createRoom(server, a, [b]);
    const author = await roomSocket(server, roomId, a);
    for (let i = 0; i < 6; i += 1) await say(author, `old ${i}`);
    await server.parley.core.store.changes.forget(roomId, 4);

    const tooOld = await SocketClient.open(server, `/ws/chat/${roomId}/?since=2`, { token: b.token });
    expect(await tooOld.next()).toEqual({ action: 'refetch_history', reason: 'too_old', position: 6 });
    expect(tooOld.raw[0]).toBe('{"action":"refetch_history","reason":"too_old","position":6}');
    expect(await tooOld.quiet(100)).toEqual([]);
    // The oldest kept change follows on: position 4 is still replayable.
    const justKept = await SocketClient.open(server, `/ws/chat/${roomId}/?since=4`, { token: b.token });
    expect((await justKept.next()).message).toBe('old 4');
    expect((await justKept.next()).message).toBe('old 5');

    const ahead = await SocketClient.open(server, `/ws/chat/${roomId}/?since=999999`, { token: b.token });
    expect(await ahead.next()).toEqual({ action: 'refetch_history', reason: 'unknown', position: 6 });

    await say(author, 'new');
    for (const socket of [tooOld, justKept, ahead]) expect(await socket.next()).toMatchObject({ message: 'new', position: 7 });
    for (const socket of [author, tooOld, justKept, ahead]) await socket.close();
  });

  it('refuses a malformed since with close 4400, before anything is sent', async () => {
    const roomId = await createRoom(server, a, [b]);
    for (const since of ['abc', '-1', '1.5', '1e3', '', '0x10', '1234567890123456', '99999999999999999999']) {
      expect(await closeCodeOf(server, `/ws/chat/${roomId}/?since=${encodeURIComponent(since)}`, { token: b.token }), since).toBe(4400);
    }
    const twice = await SocketClient.open(server, `/ws/chat/${roomId}/?since=1&since=2`, { token: b.token });
    expect(await twice.closed).toBe(4400);
    expect(twice.closeReason).toBe("'since' must be one position: 0 or a whole number of up to 15 digits");
    expect(twice.raw).toEqual([]);
    // The socket's other rules still come first or after as before: a non-member is refused as one.
    const stranger = await roomsUser(server, 'Carol', 'Out');
    expect(await closeCodeOf(server, `/ws/chat/${roomId}/?since=1`, { token: stranger.token })).toBe(4403);
  });
});
