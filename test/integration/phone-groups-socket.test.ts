// Group chat over the phone dialect's sockets: the group socket's commands, fetch_grp_msgs,
// pending lists, and the wrong callers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeOf, signup, SocketClient, type User } from '../support/clients.js';
import { createGroup, envelope, fetchAll, groupCommand, groupSocket, receiveSocket } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function trio(): Promise<{ a: User; b: User; c: User; key: string }> {
  const a = await signup(server);
  const b = await signup(server);
  const c = await signup(server);
  const key = await createGroup(server, a, [b, c]);
  return { a, b, c, key };
}

/** Sends a group message and waits for its msg_sent. */
async function post(socket: SocketClient, from: User, key: string, text: string, ts: string) {
  socket.send(envelope('new_grp_msg', from.phone, key, text, ts));
  const sent = await socket.next();
  if (sent.command !== 'msg_sent') throw new Error(`expected msg_sent, got ${JSON.stringify(sent)}`);
  return sent;
}

const updates = (socket: SocketClient) => socket.quiet().then((frames) => frames.filter((f) => f.command !== 'update'));

describe('group socket access', () => {
  it('admits the owner of the phone while a member, and nobody else', async () => {
    const { a, b, key } = await trio();
    const outsider = await signup(server);
    expect(await closeCodeOf(server, `/ws/chat/group/${a.phone}/${key}/`)).toBe(4401);
    expect(await closeCodeOf(server, `/ws/chat/group/${a.phone}/${key}/`, { token: 'f'.repeat(40) })).toBe(4401);
    expect(await closeCodeOf(server, `/ws/chat/group/${b.phone}/${key}/`, { token: a.token })).toBe(4403);
    expect(await closeCodeOf(server, `/ws/chat/group/${outsider.phone}/${key}/`, { token: outsider.token })).toBe(4403);
    expect(await closeCodeOf(server, `/ws/chat/group/${a.phone}/NOSUCHKEY1/`, { token: a.token })).toBe(4404);
  });
});

describe('new_grp_msg', () => {
  it('delivers to every other member as "<key>-<phone>" with the normalized timestamp and confirms to the sender', async () => {
    const { a, b, c, key } = await trio();
    const aRecv = await receiveSocket(server, a);
    const bRecv = await receiveSocket(server, b);
    const cRecv = await receiveSocket(server, c);
    const aGrp = await groupSocket(server, a, key);
    const sent = await post(aGrp, a, key, 'hi group', '2021-01-20 11:00:04.75');
    expect(Object.keys(sent)).toEqual(['message', 'msg_from', 'msg_to', 'sent_timestamp', 'command']);
    expect(sent).toMatchObject({ message: '2021-01-20T11:00:04.750000Z', msg_from: `${key}-${a.phone}`, msg_to: key });
    expect(sent.sent_timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    for (const [socket, user] of [[bRecv, b], [cRecv, c]] as const) {
      const frame = await socket.take((f) => f.command === 'new_msg');
      expect(socket.lastRaw).toBe(
        JSON.stringify({ message: 'hi group', msg_from: `${key}-${a.phone}`, msg_to: user.phone, command: 'new_msg', sent_timestamp: '2021-01-20T11:00:04.750000Z' }),
      );
      expect(frame.message).toBe('hi group');
    }
    expect(await updates(aRecv)).toEqual([]);
  });

  it('refuses bad input with an error frame and keeps the socket open', async () => {
    const { a, b, key } = await trio();
    const aGrp = await groupSocket(server, a, key);
    const cases: Array<[unknown, string]> = [
      ['{not json', 'invalid'],
      [{ message: 'x', msg_from: a.phone, msg_to: key, sent_timestamp: '2021-01-20T11:00:00Z' }, 'invalid'],
      [{ command: 'new_grp_msg', msg_from: a.phone, msg_to: key, sent_timestamp: '2021-01-20T11:00:00Z' }, 'new_grp_msg'],
      [{ command: 'new_grp_msg', message: 5, msg_from: a.phone, msg_to: key, sent_timestamp: '2021-01-20T11:00:00Z' }, 'new_grp_msg'],
      [envelope('new_grp_msg', a.phone, key, 'x'.repeat(1201), '2021-01-20T11:00:00Z'), 'new_grp_msg'],
      [envelope('new_grp_msg', a.phone, key, 'x', 'yesterday'), 'new_grp_msg'],
      [envelope('new_grp_msg', b.phone, key, 'spoofed', '2021-01-20T11:00:00Z'), 'new_grp_msg'],
      [envelope('new_grp_msg', a.phone, 'OTHERKEY00', 'elsewhere', '2021-01-20T11:00:00Z'), 'new_grp_msg'],
      [envelope('delete_msg', a.phone, key, '2021-01-20T11:00:00Z', 'x'), 'delete_msg'],
      [envelope('fetch_grp_msgs', key, a.phone, '--null--', 'x'), 'fetch_grp_msgs'],
    ];
    for (const [frame, type] of cases) {
      aGrp.send(frame);
      const error = await aGrp.next();
      expect(Object.keys(error)).toEqual(['command', 'type', 'message', 'msg_from', 'msg_to', 'sent_timestamp']);
      expect(error).toMatchObject({ command: 'error', type, msg_from: a.phone, msg_to: key });
    }
    await post(aGrp, a, key, 'still open', '2021-01-20T11:00:01Z');
    const bRecv = await receiveSocket(server, b);
    const chunks = await fetchAll(bRecv, b, 'fetch_grp_msgs');
    expect(chunks.flatMap((c) => c.messages).map((m) => m.message)).toEqual(['still open']);
  });

  it('refuses a member who was removed, on a socket opened before', async () => {
    const { a, b, key } = await trio();
    const bGrp = await groupSocket(server, b, key);
    expect((await groupCommand(server, a, 'remove', key, b)).status).toBe(200);
    bGrp.send(envelope('new_grp_msg', b.phone, key, 'still here?', '2021-01-20T11:00:00Z'));
    expect(await bGrp.next()).toMatchObject({ command: 'error', type: 'new_grp_msg' });
    for (const command of ['grp_msg_received', 'grp_msg_read', 'is_grp_typing']) {
      bGrp.send(envelope(command, b.phone, key, '2021-01-20T11:00:00Z', '2021-01-20T11:00:01Z'));
      expect(await bGrp.next()).toMatchObject({ command: 'error', type: command, message: 'you are not a member of this conversation' });
    }
  });
});

describe('grp_msg_received, grp_msg_read, is_grp_typing', () => {
  it('shrinks pending with each acknowledgement, tells the other members, and drops the message after the last', async () => {
    const { a, b, c, key } = await trio();
    const aGrp = await groupSocket(server, a, key);
    const ts = '2021-01-20T11:00:00.250000Z';
    await post(aGrp, a, key, 'hi group', ts);

    const bRecv = await receiveSocket(server, b);
    const [first] = await fetchAll(bRecv, b, 'fetch_grp_msgs');
    expect(first?.messages).toEqual([
      { msg_from: `${key}-${a.phone}`, msg_to: b.phone, message: 'hi group', command: 'new_msg', sent_timestamp: ts, pending: [b.phone, c.phone].sort() },
    ]);

    const aRecv = await receiveSocket(server, a);
    const cRecv = await receiveSocket(server, c);
    const bGrp = await groupSocket(server, b, key);
    bGrp.send(envelope('grp_msg_received', b.phone, key, ts, '2021-01-20T11:00:01.000000Z'));
    for (const [socket, user] of [[aRecv, a], [cRecv, c]] as const) {
      expect(await socket.next()).toEqual({ message: ts, msg_from: `${key}-${b.phone}`, msg_to: user.phone, command: 'msg_received', sent_timestamp: '2021-01-20T11:00:01.000000Z' });
    }
    expect(await bRecv.quiet()).toEqual([]);
    expect(await bGrp.quiet()).toEqual([]);

    // A second acknowledgement by the same member finds nothing pending for them.
    bGrp.send(envelope('grp_msg_received', b.phone, key, ts, '2021-01-20T11:00:01.500000Z'));
    expect(await bGrp.next()).toMatchObject({ command: 'error', type: 'delete_msg', message: 'could not find the message you wanted to delete' });
    expect(await aRecv.quiet()).toEqual([]);

    const [afterB] = await fetchAll(cRecv, c, 'fetch_grp_msgs');
    expect(afterB?.messages[0].pending).toEqual([c.phone]);
    expect((await fetchAll(bRecv, b, 'fetch_grp_msgs'))[0]?.messages).toEqual([]);

    const cGrp = await groupSocket(server, c, key);
    cGrp.send(envelope('grp_msg_received', c.phone, key, ts, '2021-01-20T11:00:02Z'));
    expect((await aRecv.next()).msg_from).toBe(`${key}-${c.phone}`);
    expect((await bRecv.next()).msg_from).toBe(`${key}-${c.phone}`);
    expect((await fetchAll(cRecv, c, 'fetch_grp_msgs'))[0]?.messages).toEqual([]);
  });

  it('relays reads and typing to the other members only', async () => {
    const { a, b, c, key } = await trio();
    const aRecv = await receiveSocket(server, a);
    const bRecv = await receiveSocket(server, b);
    const cRecv = await receiveSocket(server, c);
    const bGrp = await groupSocket(server, b, key);
    bGrp.send(envelope('grp_msg_read', b.phone, key, '2021-01-20T11:00:00.250000Z', '2021-01-20T11:00:02.000000Z'));
    for (const [socket, user] of [[aRecv, a], [cRecv, c]] as const) {
      expect(await socket.next()).toEqual({ message: '2021-01-20T11:00:00.250000Z', msg_from: `${key}-${b.phone}`, msg_to: user.phone, command: 'msg_read', sent_timestamp: '2021-01-20T11:00:02.000000Z' });
    }
    bGrp.send(envelope('is_grp_typing', b.phone, key, '--null--', '2021-01-20T11:00:03.000000Z'));
    for (const [socket, user] of [[aRecv, a], [cRecv, c]] as const) {
      const typing = await socket.next();
      expect(Object.keys(typing)).toEqual(['msg_from', 'msg_to', 'command', 'sent_timestamp']);
      expect(typing).toEqual({ msg_from: `${key}-${b.phone}`, msg_to: user.phone, command: 'is_typing', sent_timestamp: '2021-01-20T11:00:03.000000Z' });
    }
    expect(await bRecv.quiet()).toEqual([]);
    bGrp.send(envelope('grp_msg_read', a.phone, key, 'x', 'y'));
    expect(await bGrp.next()).toMatchObject({ command: 'error', type: 'grp_msg_read' });
  });
});

describe('fetch_grp_msgs', () => {
  it('chunks by ten, oldest first, and answers only its own phone', async () => {
    const { a, b, key } = await trio();
    const aGrp = await groupSocket(server, a, key);
    for (let i = 0; i < 12; i++) await post(aGrp, a, key, `m${i}`, `2021-01-20T11:00:${String(i).padStart(2, '0')}Z`);
    const bRecv = await receiveSocket(server, b);
    const chunks = await fetchAll(bRecv, b, 'fetch_grp_msgs');
    expect(chunks.map((c) => [c.messages.length, c.frame.all])).toEqual([[10, false], [2, true]]);
    expect(typeof chunks[0]?.frame.messages).toBe('string');
    expect(chunks.flatMap((c) => c.messages).map((m) => m.message)).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
    bRecv.send(envelope('fetch_grp_msgs', key, a.phone, '--null--', 'x'));
    expect(await bRecv.next()).toMatchObject({ command: 'error', type: 'fetch_grp_msgs' });
  });

  it('stops listing a member as pending once they leave or are removed', async () => {
    const { a, b, c, key } = await trio();
    const aGrp = await groupSocket(server, a, key);
    await post(aGrp, a, key, 'before', '2021-01-20T11:00:00Z');
    expect((await groupCommand(server, c, 'leave', key)).status).toBe(200);
    const bRecv = await receiveSocket(server, b);
    expect((await fetchAll(bRecv, b, 'fetch_grp_msgs'))[0]?.messages[0].pending).toEqual([b.phone]);
    const cRecv = await receiveSocket(server, c);
    expect((await fetchAll(cRecv, c, 'fetch_grp_msgs'))[0]?.messages).toEqual([]);
    // The last pending member removed: the message goes.
    expect((await groupCommand(server, a, 'remove', key, b)).status).toBe(200);
    expect((await groupCommand(server, a, 'add', key, b)).status).toBe(200);
    expect((await fetchAll(bRecv, b, 'fetch_grp_msgs')).at(-1)?.messages).toEqual([]);
  });
});

describe('a 128-member group', () => {
  it('gives every receive socket each message exactly once and drops it after the last acknowledgement', async () => {
    const admin = await signup(server);
    const others: User[] = [];
    for (let i = 0; i < 127; i++) others.push(await signup(server));
    const key = await createGroup(server, admin, others);
    const sockets = new Map<string, SocketClient[]>();
    for (const [i, member] of others.entries()) {
      const count = i < 8 ? 3 : 1;
      const list = [];
      for (let s = 0; s < count; s++) list.push(await receiveSocket(server, member));
      sockets.set(member.phone, list);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const list of sockets.values()) for (const socket of list) socket.frames.splice(0);

    const adminGrp = await groupSocket(server, admin, key);
    const adminRecv = await receiveSocket(server, admin);
    const stamps = ['2021-02-01T00:00:00.000001Z', '2021-02-01T00:00:00.000002Z'];
    for (const [i, ts] of stamps.entries()) await post(adminGrp, admin, key, `broadcast ${i}`, ts);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const [phoneNumber, list] of sockets) {
      for (const socket of list) {
        const delivered = socket.frames.splice(0).filter((f) => f.command === 'new_msg');
        expect(delivered.map((f) => f.message)).toEqual(['broadcast 0', 'broadcast 1']);
        expect(delivered.every((f) => f.msg_to === phoneNumber && f.msg_from === `${key}-${admin.phone}`)).toBe(true);
      }
    }

    const watcher = others[0]!;
    const watcherRecv = sockets.get(watcher.phone)![0]!;
    const pendingOf = async () => {
      const chunks = await fetchAll(watcherRecv, watcher, 'fetch_grp_msgs');
      return chunks.flatMap((c) => c.messages).find((m) => m.sent_timestamp === stamps[0])?.pending as string[] | undefined;
    };
    expect((await pendingOf())?.length).toBe(127);
    const ackers = others.slice(1);
    for (const [i, member] of ackers.entries()) {
      const grp = await groupSocket(server, member, key);
      grp.send(envelope('grp_msg_received', member.phone, key, stamps[0]!, '2021-02-01T00:01:00Z'));
      const receipt = await watcherRecv.take((f) => f.command === 'msg_received');
      expect(receipt.msg_from).toBe(`${key}-${member.phone}`);
      expect((await pendingOf())?.length).toBe(127 - (i + 1));
      await grp.close();
    }
    expect(await pendingOf()).toEqual([watcher.phone]);
    const watcherGrp = await groupSocket(server, watcher, key);
    watcherGrp.send(envelope('grp_msg_received', watcher.phone, key, stamps[0]!, '2021-02-01T00:02:00Z'));
    expect(await adminRecv.take((f) => f.command === 'msg_received' && f.msg_from === `${key}-${watcher.phone}`)).toBeDefined();
    expect(await pendingOf()).toBeUndefined();
    expect((await fetchAll(watcherRecv, watcher, 'fetch_grp_msgs'))[0]?.messages.map((m: { message: string }) => m.message)).toEqual(['broadcast 1']);
    expect(await watcherGrp.quiet()).toEqual([]);
    for (const list of sockets.values()) for (const socket of list) await socket.close();
  }, 60_000);
});
