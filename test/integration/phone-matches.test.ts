// Match rooms: pairing, the room socket (where the partner is always "room"), ending, grading,
// expiry, and the room endpoints' wrong callers and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeOf, request, signup, type User } from '../support/clients.js';
import { envelope, fetchAll, openRoom, personalSocket, receiveSocket, roomSocket, sendPersonal } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/;
const roomInfo = (user: User) => request(server, 'PATCH', '/chat/info/room/', { token: user.token, body: { msg_from: user.phone } });
const endRoom = (user: User) => request(server, 'PUT', '/chat/special/room/', { token: user.token, body: { msg_from: user.phone } });
const grade = (user: User, response: string) =>
  request(server, 'DELETE', '/chat/special/room/', { token: user.token, body: { msg_from: user.phone, response } });

async function pair(): Promise<{ a: User; c: User }> {
  const a = await signup(server);
  const c = await signup(server);
  await openRoom(server, a, c);
  return { a, c };
}

describe('POST /chat/special/room/', () => {
  it('pairs two free users and tells both, hiding each from the other', async () => {
    const a = await signup(server);
    const c = await signup(server);
    const aRecv = await receiveSocket(server, a);
    const cRecv = await receiveSocket(server, c);
    const created = await request(server, 'POST', '/chat/special/room/', { token: a.token, body: { msg_from: a.phone, msg_to: c.phone } });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['participants', 'active', 'created', 'finished']);
    expect(created.body).toMatchObject({ participants: [a.phone, c.phone], active: true });
    expect(created.body.created).toMatch(TIMESTAMP);
    expect(Date.parse(created.body.finished) - Date.parse(created.body.created)).toBeCloseTo(24 * 3600 * 1000, -3);
    expect(await aRecv.next()).toMatchObject({ message: { type: 'room', command: 'create', msg_from: a.phone, msg_to: 'room' }, msg_from: a.phone, msg_to: a.phone, command: 'update' });
    const told = await cRecv.next();
    expect(told).toMatchObject({ message: { type: 'room', command: 'create', msg_from: 'room', msg_to: c.phone }, msg_from: 'room', msg_to: c.phone, command: 'update' });
    expect(cRecv.raw.join()).not.toContain(a.phone);
  });

  it('refuses anyone already in an active room, and tells nobody', async () => {
    const { a, c } = await pair();
    const d = await signup(server);
    const dRecv = await receiveSocket(server, d);
    const busy = { status: 409, body: { info: 'error', message: 'participant(s) are already in room' } };
    expect(await request(server, 'POST', '/chat/special/room/', { token: d.token, body: { msg_from: d.phone, msg_to: a.phone } })).toMatchObject(busy);
    expect(await request(server, 'POST', '/chat/special/room/', { token: c.token, body: { msg_from: c.phone, msg_to: d.phone } })).toMatchObject(busy);
    expect(await dRecv.quiet()).toEqual([]);
  });

  it('pairs one of two racing requests only', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const c = await signup(server);
    const results = await Promise.all([
      request(server, 'POST', '/chat/special/room/', { token: a.token, body: { msg_from: a.phone, msg_to: c.phone } }),
      request(server, 'POST', '/chat/special/room/', { token: b.token, body: { msg_from: b.phone, msg_to: c.phone } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('refuses the wrong caller and bad input', async () => {
    const a = await signup(server);
    const c = await signup(server);
    const post = (token: string | undefined, body: unknown) => request(server, 'POST', '/chat/special/room/', { token, body });
    expect((await post(undefined, { msg_from: a.phone, msg_to: c.phone })).status).toBe(401);
    expect((await post('f'.repeat(40), { msg_from: a.phone, msg_to: c.phone })).status).toBe(401);
    expect(await post(c.token, { msg_from: a.phone, msg_to: c.phone })).toMatchObject({ status: 403, body: { detail: 'msg_from must be your own phone.' } });
    expect(await post(a.token, { msg_from: a.phone, msg_to: '0000000000' })).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect((await post(a.token, { msg_from: a.phone, msg_to: a.phone })).status).toBe(400);
    expect(await post(a.token, { msg_from: a.phone })).toMatchObject({ status: 400, body: { msg_to: ['This field is required.'] } });
    expect((await post(a.token, { msg_from: a.phone, msg_to: 1 })).status).toBe(400);
    expect((await request(server, 'POST', '/chat/special/room/', { token: a.token, raw: '{"msg_from"' })).status).toBe(400);
    expect((await roomInfo(a)).status).toBe(404);
  });
});

describe('room socket', () => {
  it('admits the owner of the phone while in a room', async () => {
    const { a } = await pair();
    const loner = await signup(server);
    expect(await closeCodeOf(server, `/ws/chat/room/${a.phone}/`)).toBe(4401);
    expect(await closeCodeOf(server, `/ws/chat/room/${a.phone}/`, { token: loner.token })).toBe(4403);
    expect(await closeCodeOf(server, `/ws/chat/room/${loner.phone}/`, { token: loner.token })).toBe(4404);
  });

  it('carries messages, receipts and typing with the partner shown as "room"', async () => {
    const { a, c } = await pair();
    const aRecv = await receiveSocket(server, a);
    const cRecv = await receiveSocket(server, c);
    const aRoom = await roomSocket(server, a);
    const cRoom = await roomSocket(server, c);
    const ts = '2021-01-20T12:00:00.500000Z';
    aRoom.send(envelope('new_msg', a.phone, 'room', 'hi stranger', ts));
    const sent = await aRoom.next();
    expect(Object.keys(sent)).toEqual(['msg_from', 'msg_to', 'message', 'sent_timestamp', 'command']);
    expect(sent).toMatchObject({ msg_from: 'room', msg_to: 'room', message: ts, command: 'msg_sent' });
    expect(await cRecv.next()).toEqual({ message: 'hi stranger', msg_from: 'room', msg_to: c.phone, command: 'new_msg', sent_timestamp: ts });

    const [fetched] = await fetchAll(cRecv, c, 'fetch_room_msgs');
    expect(fetched?.messages).toEqual([{ msg_from: 'room', msg_to: c.phone, message: 'hi stranger', command: 'new_msg', sent_timestamp: ts }]);
    expect(fetched?.frame.all).toBe(true);

    cRoom.send(envelope('is_typing', c.phone, 'room', '-null-', '2021-01-20T12:00:01.000000Z'));
    expect(await aRecv.next()).toEqual({ msg_from: 'room', msg_to: a.phone, command: 'is_typing', sent_timestamp: '2021-01-20T12:00:01.000000Z' });
    cRoom.send(envelope('msg_read', c.phone, 'room', ts, '2021-01-20T12:00:02.000000Z'));
    expect(await aRecv.next()).toEqual({ message: ts, msg_from: 'room', msg_to: a.phone, command: 'msg_read', sent_timestamp: '2021-01-20T12:00:02.000000Z' });
    cRoom.send(envelope('msg_received', c.phone, 'room', ts, '2021-01-20T12:00:03.000000Z'));
    expect(await aRecv.next()).toEqual({ message: ts, msg_from: 'room', msg_to: a.phone, command: 'msg_received', sent_timestamp: '2021-01-20T12:00:03.000000Z' });
    cRoom.send(envelope('msg_received', c.phone, 'room', ts, '2021-01-20T12:00:04.000000Z'));
    expect(await cRoom.next()).toMatchObject({ command: 'error', type: 'delete_msg', message: 'could not find the message you wanted to delete', msg_from: c.phone, msg_to: 'room' });
    expect((await fetchAll(cRecv, c, 'fetch_room_msgs'))[0]?.messages).toEqual([]);

    expect(await aRecv.quiet()).toEqual([]);
    for (const socket of [aRecv, cRecv, aRoom, cRoom]) {
      expect(socket.raw.join()).not.toContain(socket === aRecv || socket === aRoom ? c.phone : a.phone);
    }
  });

  it('answers bad input with an error frame and stays open', async () => {
    const { a, c } = await pair();
    const aRoom = await roomSocket(server, a);
    const cases: Array<[unknown, string]> = [
      ['nope', 'invalid'],
      [{ command: 'new_msg', msg_from: a.phone, sent_timestamp: '2021-01-20T12:00:00Z' }, 'new_msg'],
      [envelope('new_msg', c.phone, 'room', 'spoof', '2021-01-20T12:00:00Z'), 'new_msg'],
      [envelope('new_msg', a.phone, 'room', 'x', 'not a time'), 'new_msg'],
      [envelope('new_grp_msg', a.phone, 'room', 'x', '2021-01-20T12:00:00Z'), 'new_grp_msg'],
      [envelope('fetch_room_msgs', 'room', a.phone, 'x', 'x'), 'fetch_room_msgs'],
    ];
    for (const [frame, type] of cases) {
      aRoom.send(frame);
      expect(await aRoom.next()).toMatchObject({ command: 'error', type, msg_from: a.phone, msg_to: 'room' });
    }
    aRoom.send(envelope('new_msg', a.phone, 'room', 'fine', '2021-01-20T12:00:00Z'));
    expect((await aRoom.next()).command).toBe('msg_sent');
  });
});

describe('ending and grading', () => {
  it('ends the room on PUT; an ended room blocks nobody and takes no messages', async () => {
    const { a, c } = await pair();
    const cRecv = await receiveSocket(server, c);
    const aRoom = await roomSocket(server, a);
    expect((await roomInfo(a)).body).toMatchObject({ info: 'active', message: 'User is in a Room', data: [{ participants: [a.phone, 'room'], active: true }] });
    expect(await endRoom(a)).toMatchObject({ status: 200, body: { info: 'deactivated', message: 'No Room is active anymore' } });
    expect(await cRecv.next()).toMatchObject({ message: { type: 'room', command: 'deactive', msg_from: 'room', msg_to: null }, msg_from: 'room', msg_to: c.phone });
    expect(await endRoom(a)).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect(await roomInfo(c)).toMatchObject({ status: 404 });
    aRoom.send(envelope('new_msg', a.phone, 'room', 'anyone?', '2021-01-20T12:00:00Z'));
    expect(await aRoom.next()).toMatchObject({ command: 'error', type: 'new_msg', message: 'your room has ended' });
    const d = await signup(server);
    await openRoom(server, c, d);
  });

  it('replaces the room by a dialogue when both like each other, introducing them', async () => {
    const { a, c } = await pair();
    const aRecv = await receiveSocket(server, a);
    const cRecv = await receiveSocket(server, c);
    const cRoom = await roomSocket(server, c);
    cRoom.send(envelope('new_msg', c.phone, 'room', 'unread', '2021-01-20T12:00:00Z'));
    await cRoom.next();
    await aRecv.next();
    expect(await grade(a, '1')).toMatchObject({ status: 200, body: { info: 'graded' } });
    expect((await cRecv.next()).message).toEqual({ type: 'room', command: 'grade', msg_from: 'room', msg_to: null });
    expect((await aRecv.next()).message).toMatchObject({ command: 'grade', msg_from: a.phone });
    expect(await grade(a, '0')).toMatchObject({ status: 409, body: { info: 'error' } });
    expect(await grade(c, '1')).toMatchObject({ status: 200, body: { info: 'replaced' } });
    const aFrames = [await aRecv.next(), await aRecv.next()];
    expect(aFrames).toContainEqual(expect.objectContaining({ message: { type: 'personal', command: 'create' }, msg_from: c.phone }));
    expect(aFrames).toContainEqual(expect.objectContaining({ message: { type: 'room', command: 'replace', msg_from: c.phone, msg_to: a.phone } }));
    expect((await cRecv.next()).message).toEqual({ type: 'room', command: 'replace', msg_from: c.phone, msg_to: a.phone });
    const aSend = await personalSocket(server, a, c);
    await sendPersonal(aSend, a, c, 'hello, it is me', '2021-01-20T13:00:00Z');
    expect(await grade(a, '1')).toMatchObject({ status: 404 });
    expect((await fetchAll(aRecv, a, 'fetch_room_msgs'))[0]?.messages).toEqual([]);
  });

  it('deletes the room when one partner did not like the other, even after it ended', async () => {
    const { a, c } = await pair();
    const cRecv = await receiveSocket(server, c);
    expect((await endRoom(c)).status).toBe(200);
    await cRecv.next();
    expect(await grade(c, '0')).toMatchObject({ status: 200, body: { info: 'graded' } });
    await cRecv.next();
    expect(await grade(a, '1')).toMatchObject({ status: 200, body: { info: 'deleted', message: 'The room has been deleted' } });
    expect((await cRecv.next()).message).toEqual({ type: 'room', command: 'delete', msg_from: 'room', msg_to: null });
    const special = await request(server, 'POST', '/chat/special/special/', { token: a.token, body: { msg_from: a.phone } });
    expect(special.body.data).toEqual({ personal: [], group: [], room: [] });
  });

  it('refuses bad grades and wrong callers', async () => {
    const { a, c } = await pair();
    expect(await grade(a, '2')).toMatchObject({ status: 400, body: { response: ['"2" is not a valid choice.'] } });
    const del = (token: string | undefined, body: unknown) => request(server, 'DELETE', '/chat/special/room/', { token, body });
    expect((await del(undefined, { msg_from: a.phone, response: '1' })).status).toBe(401);
    expect((await del(c.token, { msg_from: a.phone, response: '1' })).status).toBe(403);
    expect(await del(a.token, { msg_from: a.phone })).toMatchObject({ status: 400, body: { response: ['This field is required.'] } });
    expect((await del(a.token, { msg_from: a.phone, response: 1 })).status).toBe(400);
    expect((await grade(await signup(server), '1')).status).toBe(404);
    expect((await request(server, 'PUT', '/chat/special/room/', { token: c.token, body: { msg_from: a.phone } })).status).toBe(403);
    expect((await request(server, 'PUT', '/chat/special/room/', { token: c.token, body: {} })).status).toBe(400);
    expect((await request(server, 'PATCH', '/chat/info/room/', { token: c.token, body: { msg_from: a.phone } })).status).toBe(403);
    expect((await request(server, 'PATCH', '/chat/info/room/', { body: { msg_from: a.phone } })).status).toBe(401);
  });
});

describe('expiry', () => {
  it('ends a room by itself after PARLEY_MATCH_ROOM_HOURS', async () => {
    // Rooms of two seconds: long enough to send once under load, short enough to wait out.
    const short = await startTestServer({ matchRoomHours: 2 / 3600 });
    try {
      const a = await signup(short);
      const c = await signup(short);
      const opened = Date.now();
      await openRoom(short, a, c);
      const aRoom = await roomSocket(short, a);
      aRoom.send(envelope('new_msg', a.phone, 'room', 'quick', '2021-01-20T12:00:00Z'));
      expect((await aRoom.next()).command).toBe('msg_sent');
      await new Promise((resolve) => setTimeout(resolve, opened + 2200 - Date.now()));
      aRoom.send(envelope('new_msg', a.phone, 'room', 'too late', '2021-01-20T12:00:01Z'));
      expect(await aRoom.next()).toMatchObject({ command: 'error', message: 'your room has ended' });
      expect((await request(short, 'PATCH', '/chat/info/room/', { token: a.token, body: { msg_from: a.phone } })).status).toBe(404);
      const special = await request(short, 'POST', '/chat/special/special/', { token: a.token, body: { msg_from: a.phone } });
      expect(special.body.data.room).toMatchObject({ participants: [a.phone, 'room'], active: false });
      // The partner can still fetch and acknowledge what was sent before the end.
      const cRecv = await receiveSocket(short, c);
      expect((await fetchAll(cRecv, c, 'fetch_room_msgs'))[0]?.messages.map((m: { message: string }) => m.message)).toEqual(['quick']);
      const cRoom = await roomSocket(short, c);
      cRoom.send(envelope('msg_received', c.phone, 'room', '2021-01-20T12:00:00Z', '2021-01-20T12:00:05Z'));
      expect(await cRoom.quiet(300)).toEqual([]);
      const d = await signup(short);
      await openRoom(short, d, a);
    } finally {
      await short.close();
    }
  });
});
