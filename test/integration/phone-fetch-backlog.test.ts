// Fetching a backlog that spans many store pages: every message exactly once, in order, in
// chunks of ten with `all: true` on the last one only, to a client that reads, which is never
// closed for being slow (the server waits for the socket to drain instead of piling frames up).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signup, SocketClient } from '../support/clients.js';
import type { Socket } from 'node:net';
import { createGroup, envelope, fetchAll, fetchedChunks, groupSocket, openDialogue, personalSocket } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** Frames a socket may send at once (the rate limiter's burst): senders stay within it. */
const BURST = 200;
/** Near the longest message the phone dialect stores, three bytes a character: 26 MB of frames in all. */
const LONG_TEXT = '€'.repeat(1100);

/** Sends `perSocket` messages from each socket at once and waits for every msg_sent. */
async function sendFromEach(sockets: SocketClient[], perSocket: number, frame: (socket: number, seq: number) => object): Promise<void> {
  await Promise.all(
    sockets.map(async (socket, s) => {
      for (let seq = 0; seq < perSocket; seq++) socket.send(frame(s, seq));
      for (let seq = 0; seq < perSocket; seq++) expect((await socket.take((f) => f.command === 'msg_sent', 30_000)).command).toBe('msg_sent');
    }),
  );
}

/** Checks the chunking and returns the fetched items in order. */
function items(chunks: Array<{ frame: { all: unknown }; messages: any[] }>): any[] {
  chunks.forEach(({ frame, messages }, i) => {
    const last = i === chunks.length - 1;
    expect(frame.all).toBe(last);
    if (!last) expect(messages).toHaveLength(10);
    else expect(messages.length).toBeGreaterThan(0);
  });
  return chunks.flatMap((chunk) => chunk.messages);
}

/** Every (socket, seq) exactly once, and each socket's messages in the order it sent them. */
function expectEachOnceInOrder(bodies: string[], sockets: number, perSocket: number): void {
  const seen = bodies.map((body) => /^(\d+):(\d+):/.exec(body)?.slice(1).map(Number) ?? [-1, -1]);
  expect(new Set(bodies).size).toBe(sockets * perSocket);
  expect(bodies).toHaveLength(sockets * perSocket);
  for (let s = 0; s < sockets; s++) {
    expect(seen.filter(([from]) => from === s).map(([, seq]) => seq)).toEqual(Array.from({ length: perSocket }, (_, i) => i));
  }
}

describe('fetching a large backlog', () => {
  it('delivers 8,000 pending personal messages once each, in order, in chunks of 10, and keeps the reader open', async () => {
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const senders = await Promise.all(Array.from({ length: 40 }, () => personalSocket(server, a, b)));
    await sendFromEach(senders, BURST, (s, seq) =>
      envelope('new_msg', a.phone, b.phone, `${s}:${seq}:${LONG_TEXT}`, `2021-01-20T10:${String(s).padStart(2, '0')}:00.${String(seq).padStart(6, '0')}Z`),
    );

    const reader = await SocketClient.open(server, `/ws/chat/special/${b.phone}/`, { token: b.token });
    reader.send(envelope('fetch_msgs', b.phone, b.phone, 'none', 'x'));
    // The reader stops reading for a moment, as a phone on a slow link does: the server must wait
    // for the socket to drain rather than pile the whole backlog into its send buffer.
    const tcp = (reader.ws as unknown as { _socket: Socket })._socket;
    tcp.pause();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    tcp.resume();
    const fetched = items(await fetchedChunks(reader));
    expect(fetched.every((item) => item.msg_from === a.phone && item.msg_to === b.phone && item.command === 'new_msg')).toBe(true);
    expectEachOnceInOrder(
      fetched.map((item) => item.message as string),
      senders.length,
      BURST,
    );
    // Still open and usable.
    expect(reader.closeCode).toBeUndefined();
    reader.send(envelope('no_such_command', b.phone, b.phone, 'x', 'x'));
    expect(await reader.take((f) => f.command === 'error')).toMatchObject({ type: 'no_such_command' });
  }, 120_000);

  it('lists a group backlog across pages with each message once and its pending list', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const c = await signup(server);
    const key = await createGroup(server, a, [b, c]);
    const senders = [await groupSocket(server, a, key), await groupSocket(server, a, key)];
    const perSocket = 130;
    await sendFromEach(senders, perSocket, (s, seq) =>
      envelope('new_grp_msg', a.phone, key, `${s}:${seq}:group`, `2021-01-20T11:00:0${s}.${String(seq).padStart(6, '0')}Z`),
    );
    const reader = await SocketClient.open(server, `/ws/chat/special/${b.phone}/`, { token: b.token });
    const fetched = items(await fetchAll(reader, b, 'fetch_grp_msgs'));
    expect(fetched.every((item) => item.msg_from === `${key}-${a.phone}`)).toBe(true);
    expect(fetched.every((item) => JSON.stringify(item.pending) === JSON.stringify([b.phone, c.phone]))).toBe(true);
    expectEachOnceInOrder(
      fetched.map((item) => item.message as string),
      senders.length,
      perSocket,
    );
  }, 60_000);
});
