// Idempotent send in the phone dialect: a new_msg / new_grp_msg / match-room new_msg repeated
// with the same sender, conversation and client timestamp (its msg_sent was lost) is stored and
// delivered once, and answered with msg_sent each time; also after the first was delivered and dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signup } from '../support/clients.js';
import { createGroup, envelope, fetchAll, groupSocket, openDialogue, openRoom, personalSocket, receiveSocket, roomSocket, sendPersonal } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const fetched = async (...args: Parameters<typeof fetchAll>) => (await fetchAll(...args)).flatMap((chunk) => chunk.messages);

describe('a resent message', () => {
  it('in a dialogue: three sends store one message and make one delivery', async () => {
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const aSend = await personalSocket(server, a, b);
    const ts = '2021-01-20 10:00:01.100';
    for (let i = 0; i < 3; i++) expect(await sendPersonal(aSend, a, b, 'only once', ts)).toMatchObject({ command: 'msg_sent', message: ts });
    // The same timestamp written another way is the same instant: still the same message.
    expect(await sendPersonal(aSend, a, b, 'only once', '2021-01-20T10:00:01.1Z')).toMatchObject({ command: 'msg_sent' });
    await sendPersonal(aSend, a, b, 'another', '2021-01-20 10:00:02.000');
    const bRecv = await receiveSocket(server, b);
    expect((await fetched(bRecv, b)).map((m) => m.message)).toEqual(['only once', 'another']);
    await aSend.close();
    await bRecv.close();
  });

  it('in a dialogue, live: the recipient gets it once, and a resend after it was acknowledged and dropped is still no new message', async () => {
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const bRecv = await receiveSocket(server, b);
    const bSend = await personalSocket(server, b, a);
    const aSend = await personalSocket(server, a, b);
    const ts = '2021-01-20 10:00:03.300';
    await sendPersonal(aSend, a, b, 'hello', ts);
    expect(await bRecv.next()).toMatchObject({ command: 'new_msg', message: 'hello', sent_timestamp: ts });
    await sendPersonal(aSend, a, b, 'hello', ts);
    expect(await bRecv.quiet()).toEqual([]);
    // b acknowledges: the phone dialect drops a delivered message; its key stays.
    bSend.send(envelope('msg_received', b.phone, a.phone, ts, '2021-01-20 10:00:04.000'));
    await sendPersonal(aSend, a, b, 'hello', ts);
    expect(await bRecv.quiet()).toEqual([]);
    expect(await fetched(bRecv, b)).toEqual([]);
    for (const socket of [aSend, bSend, bRecv]) await socket.close();
  });

  it('in a group and in a match room: stored and delivered once', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const key = await createGroup(server, a, [a, b]);
    const aGroup = await groupSocket(server, a, key);
    const ts = '2021-01-20 11:00:00.000';
    for (let i = 0; i < 3; i++) {
      aGroup.send(envelope('new_grp_msg', a.phone, key, 'group once', ts));
      expect(await aGroup.take((f) => f.command === 'msg_sent')).toMatchObject({ command: 'msg_sent' });
    }
    const bRecv = await receiveSocket(server, b);
    expect((await fetched(bRecv, b, 'fetch_grp_msgs')).map((m) => m.message)).toEqual(['group once']);

    const c = await signup(server);
    const d = await signup(server);
    await openRoom(server, c, d);
    const cRoom = await roomSocket(server, c);
    for (let i = 0; i < 3; i++) {
      cRoom.send(envelope('new_msg', c.phone, 'room', 'match once', ts));
      expect(await cRoom.take((f) => f.command === 'msg_sent')).toMatchObject({ command: 'msg_sent' });
    }
    const dRecv = await receiveSocket(server, d);
    expect((await fetched(dRecv, d, 'fetch_room_msgs')).map((m) => m.message)).toEqual(['match once']);
    for (const socket of [aGroup, bRecv, cRoom, dRecv]) await socket.close();
  });

  it('at once, many times over: still one message', async () => {
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const senders = await Promise.all([0, 1, 2, 3, 4].map(() => personalSocket(server, a, b)));
    const ts = '2021-01-20 12:00:00.000';
    for (const socket of senders) for (let i = 0; i < 4; i++) socket.send(envelope('new_msg', a.phone, b.phone, 'racing', ts));
    for (const socket of senders) for (let i = 0; i < 4; i++) expect(await socket.take((f) => f.command === 'msg_sent')).toMatchObject({ message: ts });
    const bRecv = await receiveSocket(server, b);
    expect((await fetched(bRecv, b)).map((m) => m.message)).toEqual(['racing']);
    for (const socket of [...senders, bRecv]) await socket.close();
  });
});
