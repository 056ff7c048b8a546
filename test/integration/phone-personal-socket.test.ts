// Personal chat over the phone dialect's sockets: deliveries, receipts, typing, fetch, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeOf, request, signup, SocketClient, type User } from '../support/clients.js';
import { envelope, fetchAll, openDialogue, personalSocket, receiveSocket, sendPersonal } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function pair(): Promise<{ a: User; b: User }> {
  const a = await signup(server);
  const b = await signup(server);
  await openDialogue(server, a, b);
  return { a, b };
}

describe('socket authentication', () => {
  it('closes a socket without credentials with 4401', async () => {
    const a = await signup(server);
    expect(await closeCodeOf(server, `/ws/chat/special/${a.phone}/`)).toBe(4401);
    expect(await closeCodeOf(server, `/ws/chat/personal/${a.phone}/1234567890/`)).toBe(4401);
  });

  it('closes a socket with a bad or revoked token with 4401', async () => {
    const a = await signup(server);
    expect(await closeCodeOf(server, `/ws/chat/special/${a.phone}/`, { token: 'f'.repeat(40) })).toBe(4401);
    expect(await closeCodeOf(server, `/ws/chat/special/${a.phone}/`, { token: 'not-a-key' })).toBe(4401);
    await request(server, 'POST', '/auth/logout/', { token: a.token });
    expect(await closeCodeOf(server, `/ws/chat/special/${a.phone}/`, { token: a.token })).toBe(4401);
  });

  it("closes a socket on someone else's phone with 4403", async () => {
    const { a, b } = await pair();
    expect(await closeCodeOf(server, `/ws/chat/special/${b.phone}/`, { token: a.token })).toBe(4403);
    expect(await closeCodeOf(server, `/ws/chat/personal/${b.phone}/${a.phone}/`, { token: a.token })).toBe(4403);
    expect(await closeCodeOf(server, `/ws/chat/special/not_a_phone/`, { token: a.token })).toBe(4403);
  });

  it('opens a personal socket to a phone nobody has exactly as to a stranger, and answers every frame alike', async () => {
    const a = await signup(server);
    const stranger = await signup(server);
    const unregistered = '0000000000';
    const answers = async (peer: string): Promise<string[]> => {
      const socket = await SocketClient.open(server, `/ws/chat/personal/${a.phone}/${peer}/`, { token: a.token });
      const frames = [
        envelope('new_msg', a.phone, peer, 'hello?', '2021-01-20T10:00:00Z'),
        envelope('msg_received', a.phone, peer, '2021-01-20T10:00:00Z', '2021-01-20T10:00:01Z'),
        envelope('msg_read', a.phone, peer, '2021-01-20T10:00:00Z', '2021-01-20T10:00:01Z'),
        { command: 'is_typing', msg_from: a.phone, msg_to: peer, sent_timestamp: '2021-01-20T10:00:01Z' },
      ];
      const texts = [];
      for (const frame of frames) {
        socket.send(frame);
        const error = await socket.next();
        expect(error).toMatchObject({ command: 'error', type: frame.command, msg_from: a.phone, msg_to: peer });
        expect(error.message).toContain('no dialogue');
        texts.push(`${error.type}: ${String(error.message).replaceAll(peer, 'PEER')}`);
      }
      expect(socket.closeCode).toBeUndefined();
      await socket.close();
      return texts;
    };
    expect(await answers(unregistered)).toEqual(await answers(stranger.phone));
  });

  it('refuses the upgrade of an unknown path with 404', async () => {
    const a = await signup(server);
    await expect(SocketClient.open(server, `/ws/chat/nowhere/${a.phone}/`, { token: a.token })).rejects.toThrow(/404/);
    await expect(SocketClient.open(server, `/prefix/ws/chat/special/${a.phone}/`, { token: a.token })).rejects.toThrow(/404/);
  });

  it('accepts the trailing slash as optional and the header and cookie as credentials', async () => {
    const a = await signup(server);
    const byHeader = await SocketClient.open(server, `/ws/chat/special/${a.phone}`, {
      headers: { authorization: `Token ${a.token}` },
    });
    byHeader.send(envelope('fetch_msgs', 'x', a.phone, 'none', 'x'));
    expect((await byHeader.next()).command).toBe('fetch_msgs');
    await byHeader.close();

    const host = new URL(server.url).host;
    const byCookie = await SocketClient.open(server, `/ws/chat/special/${a.phone}/`, {
      headers: { cookie: `parley_session=${a.token}`, origin: `http://${host}` },
    });
    byCookie.send(envelope('fetch_msgs', 'x', a.phone, 'none', 'x'));
    expect((await byCookie.next()).command).toBe('fetch_msgs');
    await byCookie.close();
  });

  it('refuses a cookie-authenticated socket opened from another origin', async () => {
    const a = await signup(server);
    const code = await closeCodeOf(server, `/ws/chat/special/${a.phone}/`, {
      headers: { cookie: `parley_session=${a.token}`, origin: 'http://evil.example' },
    });
    expect(code).toBe(4401);
  });
});

describe('new_msg', () => {
  it('delivers to the receive socket and confirms with msg_sent on the sending socket only', async () => {
    const { a, b } = await pair();
    const bRecv = await receiveSocket(server, b);
    const aRecv = await receiveSocket(server, a);
    const aSend = await personalSocket(server, a, b);
    aSend.send(envelope('new_msg', a.phone, b.phone, 'hello bob', '2021-01-20T10:00:01.100000Z'));

    const sent = await aSend.next();
    expect(Object.keys(sent)).toEqual(['msg_from', 'msg_to', 'message', 'command', 'sent_timestamp']);
    expect(sent).toMatchObject({ msg_from: a.phone, msg_to: b.phone, message: '2021-01-20T10:00:01.100000Z', command: 'msg_sent' });
    expect(sent.sent_timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);

    const delivered = await bRecv.next();
    expect(bRecv.lastRaw).toBe(
      JSON.stringify({ message: 'hello bob', msg_from: a.phone, msg_to: b.phone, command: 'new_msg', sent_timestamp: '2021-01-20T10:00:01.100000Z' }),
    );
    expect(delivered.message).toBe('hello bob');
    expect(await aRecv.quiet()).toEqual([]);
    expect(await aSend.quiet()).toEqual([]);
  });

  it('keeps the raw client timestamp in the live delivery', async () => {
    const { a, b } = await pair();
    const bRecv = await receiveSocket(server, b);
    const aSend = await personalSocket(server, a, b);
    await sendPersonal(aSend, a, b, 'are you there?', '2021-01-20 10:00:04.5');
    expect((await bRecv.next()).sent_timestamp).toBe('2021-01-20 10:00:04.5');
  });

  it('delivers each message exactly once to every receive socket of the recipient and to nobody else', async () => {
    const { a, b } = await pair();
    const c = await signup(server);
    const tabs = [await receiveSocket(server, b), await receiveSocket(server, b), await receiveSocket(server, b)];
    const cRecv = await receiveSocket(server, c);
    const aSend = await personalSocket(server, a, b);
    for (let i = 0; i < 5; i++) await sendPersonal(aSend, a, b, `m${i}`, `2021-01-20T10:00:0${i}Z`);
    for (const tab of tabs) {
      const got = [];
      for (let i = 0; i < 5; i++) got.push((await tab.next()).message);
      expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      expect(await tab.quiet(100)).toEqual([]);
    }
    expect(await cRecv.quiet(50)).toEqual([]);
  });

  it('refuses a msg_from that is not the caller and a msg_to that is not the peer', async () => {
    const { a, b } = await pair();
    const c = await signup(server);
    const bRecv = await receiveSocket(server, b);
    const aSend = await personalSocket(server, a, b);
    aSend.send(envelope('new_msg', c.phone, b.phone, 'I am totally carol', '2021-01-20T10:03:00Z'));
    const spoof = await aSend.next();
    expect(spoof).toMatchObject({ command: 'error', type: 'new_msg', msg_from: a.phone, msg_to: b.phone });
    expect(spoof.message).toContain('msg_from');
    aSend.send(envelope('new_msg', a.phone, c.phone, 'wrong peer', '2021-01-20T10:03:00Z'));
    expect((await aSend.next()).message).toContain('msg_to');
    expect(await bRecv.quiet()).toEqual([]);
  });

  it('refuses to send without a dialogue and says how to create one', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const aSend = await personalSocket(server, a, b);
    aSend.send(envelope('new_msg', a.phone, b.phone, 'hi', '2021-01-20T10:00:00Z'));
    const error = await aSend.next();
    expect(error).toMatchObject({ command: 'error', type: 'new_msg' });
    expect(error.message).toContain('POST /chat/special/personal/');
  });

  it('refuses an over-long message and an unreadable timestamp, keeping the socket open', async () => {
    const { a, b } = await pair();
    const aSend = await personalSocket(server, a, b);
    aSend.send(envelope('new_msg', a.phone, b.phone, 'x'.repeat(1201), '2021-01-20T10:00:00Z'));
    expect(await aSend.next()).toMatchObject({ command: 'error', type: 'new_msg' });
    aSend.send(envelope('new_msg', a.phone, b.phone, 'hi', 'yesterday'));
    const badTime = await aSend.next();
    expect(badTime).toMatchObject({ command: 'error', type: 'new_msg' });
    expect(badTime.message).toContain('sent_timestamp');
    await sendPersonal(aSend, a, b, 'x'.repeat(1200), '2021-01-20T10:00:00Z');
  });
});

describe('msg_received, msg_read, is_typing', () => {
  it('acknowledging deletes the message, moves the marker and tells the sender', async () => {
    const { a, b } = await pair();
    const aRecv = await receiveSocket(server, a);
    const bRecv = await receiveSocket(server, b);
    const aSend = await personalSocket(server, a, b);
    const bSend = await personalSocket(server, b, a);
    await sendPersonal(aSend, a, b, 'hello', '2021-01-20T10:00:01.100000Z');
    await bRecv.next();

    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20T10:00:01.100000Z', '2021-01-20T10:00:02.200000Z'));
    const receipt = await aRecv.next();
    expect(aRecv.lastRaw).toBe(
      JSON.stringify({ message: '2021-01-20T10:00:01.100000Z', msg_from: b.phone, msg_to: a.phone, command: 'msg_received', sent_timestamp: '2021-01-20T10:00:02.200000Z' }),
    );
    expect(receipt.command).toBe('msg_received');
    expect(await bSend.quiet()).toEqual([]);

    const chunks = await fetchAll(bRecv, b);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.messages).toEqual([]);

    const info = await request(server, 'PATCH', '/chat/info/personal/', { token: a.token, body: { msg_from: b.phone, msg_to: a.phone } });
    expect(info.body.last_received_receiver).toBe('2021-01-20T10:00:02.200Z');
  });

  it('a sender offline while its messages were received and read recovers both receipts over HTTP', async () => {
    const { a, b } = await pair();
    const aSend = await personalSocket(server, a, b);
    await sendPersonal(aSend, a, b, 'first', '2021-01-20T11:00:01.000000Z');
    await sendPersonal(aSend, a, b, 'second', '2021-01-20T11:00:02.000000Z');
    await aSend.close();
    // a has no socket open now: the live receipts have nowhere to go.
    const bRecv = await receiveSocket(server, b);
    const bSend = await personalSocket(server, b, a);
    expect((await fetchAll(bRecv, b))[0]?.messages).toHaveLength(2);
    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20T11:00:01.000000Z', '2021-01-20T11:05:00.000000Z'));
    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20T11:00:02.000000Z', '2021-01-20T11:05:01.000000Z'));
    bSend.send(envelope('msg_read', b.phone, a.phone, '2021-01-20T11:00:02.000000Z', '2021-01-20T11:06:00.000000Z'));
    expect(await bSend.quiet(200)).toEqual([]);

    const aRecv = await receiveSocket(server, a);
    expect(await aRecv.quiet(150)).toEqual([]);
    // b's markers in the dialogue: every message a sent before the first was received, before the second read.
    const markers = await request(server, 'GET', `/chat/info/personal/?msg_from=${b.phone}&msg_to=${a.phone}`, { token: a.token });
    expect(markers.body).toEqual({ last_received_receiver: '2021-01-20T11:05:01Z', last_seen_receiver: '2021-01-20T11:06:00Z', info: 'returned' });
    const summary = await request(server, 'POST', '/chat/special/special/', { token: b.token, body: { msg_from: b.phone } });
    expect(summary.body.data.personal).toContainEqual(expect.objectContaining({ receiver: a.phone, last_received_receiver: expect.stringMatching(/^2021-01-20T11:05:01/) }));
  });

  it('matches the same instant written in another accepted format', async () => {
    const { a, b } = await pair();
    const aRecv = await receiveSocket(server, a);
    const aSend = await personalSocket(server, a, b);
    const bSend = await personalSocket(server, b, a);
    await sendPersonal(aSend, a, b, 'x', '2021-01-20 10:00:04.5');
    // The test pages' own format for the acknowledgement time too (no zone, short fraction).
    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20T15:30:04.500+05:30', '2021-01-20 10:00:09.5'));
    expect((await aRecv.next()).command).toBe('msg_received');
    expect(await bSend.quiet()).toEqual([]);
  });

  it('acknowledging a message that is not pending answers delete_msg and tells nobody', async () => {
    const { a, b } = await pair();
    const aRecv = await receiveSocket(server, a);
    const bSend = await personalSocket(server, b, a);
    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20T10:00:01.100000Z', '2021-01-20T10:00:03.500000Z'));
    const error = await bSend.next();
    expect(error).toMatchObject({ command: 'error', type: 'delete_msg', message: 'could not find the message you wanted to delete', msg_from: b.phone, msg_to: a.phone });
    expect(Object.keys(error)).toEqual(['command', 'type', 'message', 'msg_from', 'msg_to', 'sent_timestamp']);
    expect(await aRecv.quiet()).toEqual([]);
  });

  it('a sender cannot acknowledge (and so delete) their own message', async () => {
    const { a, b } = await pair();
    const aSend = await personalSocket(server, a, b);
    const bRecv = await receiveSocket(server, b);
    await sendPersonal(aSend, a, b, 'keep me', '2021-01-20T10:00:00Z');
    await bRecv.next();
    aSend.send(envelope('msg_received', a.phone, b.phone, '2021-01-20T10:00:00Z', '2021-01-20T10:00:01Z'));
    expect((await aSend.next()).type).toBe('delete_msg');
    const chunks = await fetchAll(bRecv, b);
    expect(chunks[0]?.messages.map((m: any) => m.message)).toEqual(['keep me']);
  });

  it('msg_read relays the receipt and moves the last-seen marker', async () => {
    const { a, b } = await pair();
    const aRecv = await receiveSocket(server, a);
    const bSend = await personalSocket(server, b, a);
    bSend.send(envelope('msg_read', b.phone, a.phone, '2021-01-20T10:00:01.100000Z', '2021-01-20T10:00:03.300000+05:30'));
    expect(await aRecv.next()).toEqual({
      message: '2021-01-20T10:00:01.100000Z',
      msg_from: b.phone,
      msg_to: a.phone,
      command: 'msg_read',
      sent_timestamp: '2021-01-20T10:00:03.300000+05:30',
    });
    const info = await request(server, 'GET', `/chat/info/personal/?msg_from=${b.phone}&msg_to=${a.phone}`, { token: b.token });
    expect(info.body.last_seen_receiver).toBe('2021-01-20T04:30:03.300Z');
  });

  it('is_typing reaches the peer without a message key', async () => {
    const { a, b } = await pair();
    const aRecv = await receiveSocket(server, a);
    const bSend = await personalSocket(server, b, a);
    bSend.send({ command: 'is_typing', msg_from: b.phone, msg_to: a.phone, sent_timestamp: '2021-01-20T10:00:03.400000Z' });
    await aRecv.next();
    expect(aRecv.lastRaw).toBe(
      JSON.stringify({ msg_from: b.phone, msg_to: a.phone, command: 'is_typing', sent_timestamp: '2021-01-20T10:00:03.400000Z' }),
    );
  });

  it('receipts and typing need the dialogue too', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const bSend = await personalSocket(server, b, a);
    for (const command of ['msg_received', 'msg_read', 'is_typing']) {
      bSend.send(envelope(command, b.phone, a.phone, '2021-01-20T10:00:00Z', '2021-01-20T10:00:00Z'));
      const error = await bSend.next();
      expect(error).toMatchObject({ command: 'error', type: command });
      expect(error.message).toContain('no dialogue');
    }
  });
});

describe('fetch_msgs', () => {
  it('answers one empty chunk when nothing waits', async () => {
    const a = await signup(server);
    const aRecv = await receiveSocket(server, a);
    aRecv.send(envelope('fetch_msgs', 'x', a.phone, 'none', 'x'));
    const frame = await aRecv.next();
    expect(aRecv.lastRaw).toBe(JSON.stringify({ command: 'fetch_msgs', messages: '[]', all: true }));
    expect(frame.all).toBe(true);
  });

  it.each([7, 10, 12, 25])('returns %i stored messages once each, oldest first, in chunks of ten', async (n) => {
    const { a, b } = await pair();
    const aSend = await personalSocket(server, a, b);
    for (let i = 0; i < n; i++) {
      await sendPersonal(aSend, a, b, `bulk-${i}`, `2021-01-20T10:01:${String(i).padStart(2, '0')}.000001Z`);
    }
    const bRecv = await receiveSocket(server, b);
    const chunks = await fetchAll(bRecv, b);
    expect(chunks.map((c) => c.messages.length)).toEqual(
      Array.from({ length: Math.ceil(n / 10) }, (_, i) => Math.min(10, n - i * 10)),
    );
    expect(chunks.map((c) => c.frame.all)).toEqual(chunks.map((_, i) => i === chunks.length - 1));
    const all = chunks.flatMap((c) => c.messages);
    expect(all.map((m) => m.message)).toEqual(Array.from({ length: n }, (_, i) => `bulk-${i}`));
    expect(all[0]).toEqual({
      msg_from: a.phone,
      msg_to: b.phone,
      message: 'bulk-0',
      command: 'new_msg',
      sent_timestamp: '2021-01-20T10:01:00.000001Z',
    });
    expect(typeof chunks[0]?.frame.messages).toBe('string');
  });

  it('answers only the asking socket', async () => {
    const { a, b } = await pair();
    const aSend = await personalSocket(server, a, b);
    await sendPersonal(aSend, a, b, 'one', '2021-01-20T10:00:00Z');
    const asking = await receiveSocket(server, b);
    const other = await receiveSocket(server, b);
    const chunks = await fetchAll(asking, b);
    expect(chunks[0]?.messages).toHaveLength(1);
    expect(await other.quiet()).toEqual([]);
  });

  it('shows stored timestamps normalized, without a fraction when it is zero', async () => {
    const { a, b } = await pair();
    const aSend = await personalSocket(server, a, b);
    await sendPersonal(aSend, a, b, 'p', '2021-01-20 10:00:04.5');
    await sendPersonal(aSend, a, b, 'q', '2021-01-21T00:00:00Z');
    const bRecv = await receiveSocket(server, b);
    const [chunk] = await fetchAll(bRecv, b);
    expect(chunk?.messages.map((m: any) => m.sent_timestamp)).toEqual(['2021-01-20T10:00:04.500000Z', '2021-01-21T00:00:00Z']);
  });

  it("refuses a fetch for someone else's phone", async () => {
    const { a, b } = await pair();
    const aRecv = await receiveSocket(server, a);
    aRecv.send(envelope('fetch_msgs', a.phone, b.phone, 'none', 'x'));
    const error = await aRecv.next();
    expect(error).toMatchObject({ command: 'error', type: 'fetch_msgs', msg_from: a.phone, msg_to: a.phone });
  });

  it('keeps an unacknowledged message across a restart and drops it once acknowledged', async () => {
    const { a, b } = await pair();
    const aSend = await personalSocket(server, a, b);
    await sendPersonal(aSend, a, b, 'while you were away', '2021-01-20T10:00:05.123Z');
    await aSend.close();
    await server.restart();

    const bRecv = await receiveSocket(server, b);
    const [chunk] = await fetchAll(bRecv, b);
    expect(chunk?.messages).toEqual([
      { msg_from: a.phone, msg_to: b.phone, message: 'while you were away', command: 'new_msg', sent_timestamp: '2021-01-20T10:00:05.123000Z' },
    ]);
    const bSend = await personalSocket(server, b, a);
    bSend.send(envelope('msg_received', b.phone, a.phone, chunk?.messages[0].sent_timestamp, '2021-01-20T10:00:07Z'));
    expect(await bSend.quiet(200)).toEqual([]);
    const [after] = await fetchAll(bRecv, b);
    expect(after?.messages).toEqual([]);
  });
});

describe('bad input', () => {
  const cases: Array<[string, string | object, string]> = [
    ['malformed JSON', 'not json', 'invalid'],
    ['a JSON array', '[1,2]', 'invalid'],
    ['a JSON string', '"new_msg"', 'invalid'],
    ['no command', { message: 'm', msg_from: 'x', msg_to: 'y', sent_timestamp: 'z' }, 'invalid'],
    ['a numeric command', { command: 7 }, 'invalid'],
    ['an unknown command', { command: 'bogus_cmd', message: 'm', msg_from: 'x', msg_to: 'y', sent_timestamp: 'z' }, 'bogus_cmd'],
    ['an internal handler name', { command: 'update' }, 'update'],
    ['a prototype key as command', { command: 'constructor' }, 'constructor'],
  ];

  it.each(cases)('answers %s with an error frame and keeps both sockets usable', async (_name, frame, type) => {
    const { a, b } = await pair();
    const aRecv = await receiveSocket(server, a);
    const aSend = await personalSocket(server, a, b);
    for (const socket of [aRecv, aSend]) {
      socket.send(frame);
      const error = await socket.next();
      expect(error).toMatchObject({ command: 'error', type });
      expect(typeof error.message).toBe('string');
    }
    await sendPersonal(aSend, a, b, 'still works', '2021-01-20T10:00:00Z');
  });

  it('answers a missing key and a wrong-typed key naming the key', async () => {
    const { a, b } = await pair();
    const aSend = await personalSocket(server, a, b);
    aSend.send({ command: 'new_msg', msg_from: a.phone, msg_to: b.phone });
    expect(await aSend.next()).toMatchObject({ command: 'error', type: 'new_msg', message: 'message is required' });
    aSend.send({ ...envelope('new_msg', a.phone, b.phone, 'm', 'x'), message: 42 });
    expect(await aSend.next()).toMatchObject({ type: 'new_msg', message: 'message must be a string' });
    aSend.send({ ...envelope('new_msg', a.phone, b.phone, 'm', 'x'), sent_timestamp: null });
    expect(await aSend.next()).toMatchObject({ type: 'new_msg', message: 'sent_timestamp must be a string' });
  });

  it('answers an oversize frame with an error frame', async () => {
    const { a, b } = await pair();
    const aSend = await personalSocket(server, a, b);
    aSend.send(envelope('new_msg', a.phone, b.phone, 'x'.repeat(20_000), '2021-01-20T10:00:00Z'));
    const error = await aSend.next();
    expect(error).toMatchObject({ command: 'error', type: 'invalid' });
    expect(error.message).toContain('too large');
  });

  it('points a command sent on the wrong socket to the right one', async () => {
    const { a, b } = await pair();
    const aRecv = await receiveSocket(server, a);
    const bRecv = await receiveSocket(server, b);
    aRecv.send(envelope('new_msg', a.phone, b.phone, 'forged via receive socket', '2021-01-21T02:00:00Z'));
    const error = await aRecv.next();
    expect(error).toMatchObject({ command: 'error', type: 'new_msg' });
    expect(error.message).toContain('/ws/chat/personal/');
    expect(await bRecv.quiet()).toEqual([]);
  });

  it('closes a socket that floods frames with 4429', async () => {
    const a = await signup(server);
    const aRecv = await receiveSocket(server, a);
    for (let i = 0; i < 400; i++) aRecv.send('{}');
    expect(await aRecv.closed).toBe(4429);
  });
});
