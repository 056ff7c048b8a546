// Golden transcripts of the phone dialect's match rooms (/chat/special/room/, /chat/info/room/,
// the room socket, fetch_room_msgs, room `update` frames) and /chat/special/special/.
// How to update the golden files: test/support/golden.ts.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Transcript } from '../support/golden.js';
import { fixedUser, openReceiveSocket, RECEIVE_SOCKET } from '../support/golden-phone.js';
import { envelope } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const ROOM = '/ws/chat/room/{phone}/';

describe('golden: phone dialect, match rooms', () => {
  it('phone-matches: pairing, the room socket, fetch_room_msgs, ending, grading and special/special', async () => {
    const t = new Transcript(server);
    const a = await fixedUser(server, '4000000001', 'abe');
    const b = await fixedUser(server, '4000000002', 'bel');
    const c = await fixedUser(server, '4000000003', 'col');
    const aR = await openReceiveSocket(t, a);
    const bR = await openReceiveSocket(t, b);
    const cR = await openReceiveSocket(t, c);

    await t.refused(ROOM, { phone: c.phone }, { token: c.token });
    await t.http('POST', '/chat/special/room/', { token: a.token, body: { msg_from: a.phone, msg_to: b.phone } });
    await aR.receive();
    await bR.receive();
    await t.http('POST', '/chat/special/room/', { token: c.token, body: { msg_from: c.phone, msg_to: a.phone } });
    await t.http('POST', '/chat/special/room/', { token: c.token, body: { msg_from: c.phone, msg_to: c.phone } });
    await t.http('POST', '/chat/special/room/', { token: c.token, body: { msg_from: a.phone, msg_to: b.phone } });
    await t.http('POST', '/chat/special/room/', { token: c.token, body: { msg_from: c.phone } });
    await t.http('PATCH', '/chat/info/room/', { token: a.token, body: { msg_from: a.phone } });
    await t.http('GET', '/chat/info/room/', { token: b.token, query: `msg_from=${b.phone}` });
    await t.http('PATCH', '/chat/info/room/', { token: c.token, body: { msg_from: c.phone } });

    await t.refused(ROOM, { phone: a.phone });
    await t.refused(ROOM, { phone: b.phone }, { token: a.token });
    const aS = await t.socket(ROOM, { phone: a.phone }, { token: a.token });
    const bS = await t.socket(ROOM, { phone: b.phone }, { token: b.token });
    aS.send(envelope('new_msg', a.phone, 'room', 'hi stranger', '2021-03-01 12:00:00.100'));
    await aS.receive();
    await bR.receive();
    bS.send(envelope('msg_received', b.phone, 'room', '2021-03-01 12:00:00.100', '2021-03-01 12:00:01.000'));
    await aR.receive();
    bS.send(envelope('msg_read', b.phone, 'room', '2021-03-01 12:00:00.100', '2021-03-01 12:00:02.000'));
    await aR.receive();
    bS.send(envelope('is_typing', b.phone, 'room', '-null-', '2021-03-01 12:00:03.000'));
    await aR.receive();
    bS.send(envelope('msg_received', b.phone, 'room', '2021-03-01 12:00:00.100', '2021-03-01 12:00:04.000'));
    await bS.receive();
    const refusals: unknown[] = [
      envelope('new_msg', b.phone, 'room', 'spoofed', '2021-03-01 12:00:05.000'),
      envelope('fetch_room_msgs', a.phone, a.phone, '--null--', '2021-03-01 12:00:05.000'),
      envelope('new_grp_msg', a.phone, 'room', 'x', '2021-03-01 12:00:05.000'),
      { message: 'x', command: 'new_msg', msg_from: a.phone },
      'not json{',
    ];
    for (const frame of refusals) {
      aS.send(frame);
      await aS.receive();
    }

    // Offline: eleven messages wait for bel, in chunks of ten.
    await bR.close();
    for (let i = 10; i < 21; i += 1) {
      aS.send(envelope('new_msg', a.phone, 'room', `room offline ${i}`, `2021-03-01 12:01:${i}`));
      await aS.receive();
    }
    const bBack = await t.socket(RECEIVE_SOCKET, { phone: b.phone }, { token: b.token });
    bBack.send(envelope('fetch_room_msgs', 'room', b.phone, '--null--', '2021-03-01 12:02:00.000'));
    await bBack.receiveMany(2);
    aR.send(envelope('fetch_room_msgs', 'room', a.phone, '--null--', '2021-03-01 12:02:00.000'));
    await aR.receive();

    await t.http('POST', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: c.phone } });
    await cR.receive();
    await t.http('POST', '/chat/special/group/', {
      token: a.token,
      body: { name: 'Abe and Col', bio: null, admin: [a.phone], participants: [c.phone] },
    }).then((created) => t.groupKey(created.body.key as string));
    await aR.receive();
    await cR.receive();
    await t.http('POST', '/chat/special/special/', { token: a.token, body: { msg_from: a.phone } });
    await t.http('POST', '/chat/special/special/', { token: c.token, body: { msg_from: c.phone } });
    await t.http('POST', '/chat/special/special/', { token: c.token, body: { msg_from: a.phone } });
    await t.http('POST', '/chat/special/special/', { token: c.token, body: {} });

    // Ending the room: nothing more can be sent, what was sent can still be received.
    await t.http('PUT', '/chat/special/room/', { token: b.token, body: { msg_from: b.phone } });
    await aR.receive();
    await bBack.receive();
    await t.http('PUT', '/chat/special/room/', { token: b.token, body: { msg_from: b.phone } });
    await t.http('PATCH', '/chat/info/room/', { token: a.token, body: { msg_from: a.phone } });
    aS.send(envelope('new_msg', a.phone, 'room', 'too late', '2021-03-01 12:03:00.000'));
    await aS.receive();
    bS.send(envelope('msg_received', b.phone, 'room', '2021-03-01 12:01:10', '2021-03-01 12:03:01.000'));
    await aR.receive();
    await t.http('POST', '/chat/special/special/', { token: b.token, body: { msg_from: b.phone } });

    // Grading: two likes replace the room by a dialogue that introduces the partners.
    await t.http('DELETE', '/chat/special/room/', { token: a.token, body: { msg_from: a.phone, response: '2' } });
    await t.http('DELETE', '/chat/special/room/', { token: a.token, body: { msg_from: a.phone } });
    await t.http('DELETE', '/chat/special/room/', { token: a.token, body: { msg_from: a.phone, response: '1' } });
    await aR.receive();
    await bBack.receive();
    await t.http('DELETE', '/chat/special/room/', { token: a.token, body: { msg_from: a.phone, response: '1' } });
    await t.http('DELETE', '/chat/special/room/', { token: b.token, body: { msg_from: b.phone, response: '1' } });
    await aR.receiveMany(2);
    await bBack.receive();
    await t.http('DELETE', '/chat/special/room/', { token: b.token, body: { msg_from: b.phone, response: '1' } });

    // A dislike deletes the room.
    await t.http('POST', '/chat/special/room/', { token: c.token, body: { msg_from: c.phone, msg_to: b.phone } });
    await cR.receive();
    await bBack.receive();
    await t.http('DELETE', '/chat/special/room/', { token: c.token, body: { msg_from: c.phone, response: '0' } });
    await cR.receive();
    await bBack.receive();
    await t.http('DELETE', '/chat/special/room/', { token: b.token, body: { msg_from: b.phone, response: '1' } });
    await cR.receive();
    await bBack.receive();
    await t.http('PATCH', '/chat/info/room/', { token: b.token, body: { msg_from: b.phone } });
    await t.matchesGolden('phone-matches');
  });
});
