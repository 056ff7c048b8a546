// Golden transcripts of the phone dialect's accounts (/auth/), dialogues (/chat/special/personal/,
// /chat/info/personal/, /chat/info/active/), the receive socket and the personal socket.
// How to update the golden files: test/support/golden.ts.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Transcript } from '../support/golden.js';
import { FIXED_PASSWORD as PASSWORD, fixedUser, openReceiveSocket, RECEIVE_SOCKET } from '../support/golden-phone.js';
import { envelope } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const PERSONAL = '/ws/chat/personal/{from}/{to}/';

describe('golden: phone dialect, accounts and dialogues', () => {
  it('phone-auth: sign-up, log-in by username, e-mail and phone, log-out', async () => {
    const t = new Transcript(server);
    const signupBody = { email: 'alice@example.com', username: 'alice', password: PASSWORD, ph_num: '1000000001' };
    const created = await t.http('POST', '/auth/signup/', { body: signupBody });
    const token = created.body.token as string;
    await t.http('POST', '/auth/signup/', {
      body: { email: 'Alice@Example.com', username: 'alice2', password: PASSWORD, ph_num: '1000000002' },
    });
    await t.http('POST', '/auth/signup/', { body: { email: 'not-an-email', username: 'bad name!', password: 'short', ph_num: '12345' } });
    await t.http('POST', '/auth/signup/', {
      body: { email: 'carol@example.com', username: 'carol', password: PASSWORD, ph_num: '1000000001', first_name: 7 },
    });
    await t.http('POST', '/auth/signup/', { body: { email: 'carol@example.com', username: 'alice', password: PASSWORD, ph_num: '1000000004' } });
    await t.http('POST', '/auth/signup/', { body: { email: 'carol@example.com', username: 'carol', password: PASSWORD, ph_num: '1000000001' } });
    await t.http('POST', '/auth/signup/', { body: {} });
    await t.http('POST', '/auth/signup/', {
      body: { email: 'bob@example.com', username: 'bob', password: PASSWORD, ph_num: '1000000003', first_name: 'Bob', last_name: 'Builder' },
    });

    const byUsername = await t.http('POST', '/auth/login/', { body: { username: 'alice', password: PASSWORD } });
    await t.http('POST', '/auth/login/', { body: { email: 'ALICE@example.com', password: PASSWORD } });
    await t.http('POST', '/auth/login/', { body: { ph_num: '1000000001', password: PASSWORD } });
    await t.http('POST', '/auth/login/', { form: { username: 'alice', password: PASSWORD } });
    await t.http('POST', '/auth/login/', { body: { username: 'alice', password: 'wrong-password' } });
    await t.http('POST', '/auth/login/', { body: { password: PASSWORD } });
    await t.http('POST', '/auth/login/', { body: { username: 'alice' } });
    await t.http('POST', '/auth/login/', { raw: '{"username":' });

    const second = byUsername.body.token as string;
    await t.http('POST', '/auth/logout/', { token: second });
    await t.http('POST', '/auth/logout/', { token: second });
    await t.http('POST', '/auth/logout/');
    // The first token is still good: log-out revokes the presented token only.
    await t.http('GET', '/web/me', { token });
    await t.http('GET', '/auth/signup/');
    await t.matchesGolden('phone-auth');
  });

  it('phone-personal-http: opening and deleting dialogues, receipt markers, presence', async () => {
    const t = new Transcript(server);
    const a = await fixedUser(server, '1000000011', 'anna');
    const b = await fixedUser(server, '1000000012', 'ben');
    const c = await fixedUser(server, '1000000013', 'cleo');
    const pair = { msg_from: a.phone, msg_to: b.phone };

    await t.http('POST', '/chat/special/personal/', { token: a.token, body: pair });
    await t.http('POST', '/chat/special/personal/', { token: b.token, body: { msg_from: b.phone, msg_to: a.phone } });
    await t.http('POST', '/chat/special/personal', { token: a.token, form: { msg_from: a.phone, msg_to: c.phone } });
    await t.http('POST', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: a.phone } });
    await t.http('POST', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: '1999999999' } });
    await t.http('POST', '/chat/special/personal/', { token: c.token, body: pair });
    await t.http('POST', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone } });
    await t.http('POST', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: 1000000012 } });
    await t.http('POST', '/chat/special/personal/', { token: a.token, raw: '{"msg_from":' });
    await t.http('POST', '/chat/special/personal/', { token: a.token, raw: 'msg_from', headers: { 'content-type': 'text/plain' } });
    await t.http('POST', '/chat/special/personal/', { token: a.token, raw: '<msg_from/>', headers: { 'content-type': 'application/xml' } });
    await t.http('POST', '/chat/special/personal/', { body: pair });
    await t.http('POST', '/chat/special/personal/', { token: 'f'.repeat(40), body: pair });
    await t.http('GET', '/chat/special/personal/', { token: a.token });

    await t.http('PATCH', '/chat/info/personal/', { token: a.token, body: pair });
    await t.http('GET', '/chat/info/personal/', { token: b.token, query: `msg_from=${b.phone}&msg_to=${a.phone}` });
    await t.http('PATCH', '/chat/info/personal/', { token: c.token, body: pair });
    await t.http('PATCH', '/chat/info/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: '1999999999' } });
    await t.http('PATCH', '/chat/info/personal/', { token: b.token, body: { msg_from: b.phone, msg_to: c.phone } });

    await t.http('PATCH', '/chat/info/active/', { token: a.token, body: { user_num: b.phone } });
    const bReceive = await openReceiveSocket(t, b);
    await t.http('GET', '/chat/info/active/', { token: a.token, query: `user_num=${b.phone}` });
    await t.http('PATCH', '/chat/info/active/', { token: a.token, body: { user_num: a.phone } });
    await t.http('PATCH', '/chat/info/active/', { token: a.token, body: {} });
    await t.http('PUT', '/chat/info/active/', {
      token: b.token,
      body: { user_num: b.phone, command: 'deactivate', last_active: '2020-11-25 07:36:50' },
    });
    await t.http('PUT', '/chat/info/active/', { token: b.token, body: { user_num: b.phone, command: 'activate' } });
    await t.http('PUT', '/chat/info/active/', { token: b.token, body: { user_num: b.phone, command: 'sleep' } });
    await t.http('PUT', '/chat/info/active/', { token: b.token, body: { user_num: b.phone } });
    await t.http('PUT', '/chat/info/active/', { token: a.token, body: { user_num: b.phone, command: 'activate' } });

    await t.http('DELETE', '/chat/special/personal/', { token: a.token, body: pair });
    await bReceive.receive();
    await t.http('DELETE', '/chat/special/personal/', { token: a.token, body: pair });
    await t.http('DELETE', '/chat/special/personal/', { token: c.token, body: pair });
    await t.matchesGolden('phone-personal-http');
  });

  it('phone-personal-socket: deliveries, receipts, typing, fetches, updates and every refusal', async () => {
    const t = new Transcript(server);
    const a = await fixedUser(server, '1000000021', 'amir');
    const b = await fixedUser(server, '1000000022', 'bea');
    const c = await fixedUser(server, '1000000023', 'cai');

    await t.refused(RECEIVE_SOCKET, { phone: a.phone });
    await t.refused(RECEIVE_SOCKET, { phone: a.phone }, { token: 'f'.repeat(40) });
    await t.refused(RECEIVE_SOCKET, { phone: b.phone }, { token: a.token });
    await t.refused(PERSONAL, { from: a.phone, to: b.phone });
    await t.refused(PERSONAL, { from: b.phone, to: a.phone }, { token: a.token });
    await t.refused('/ws/chat/nowhere/{phone}/', { phone: a.phone }, { token: a.token });

    const aReceive = await openReceiveSocket(t, a);
    const bReceive = await openReceiveSocket(t, b);
    await t.http('POST', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: b.phone } });
    await bReceive.receive();

    const aSend = await t.socket(PERSONAL, { from: a.phone, to: b.phone }, { token: a.token });
    const bSend = await t.socket(PERSONAL, { from: b.phone, to: a.phone }, { token: b.token });
    aSend.send(envelope('new_msg', a.phone, b.phone, 'hello bea', '2021-01-20 10:00:01.100'));
    await aSend.receive();
    await bReceive.receive();
    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20 10:00:01.100', '2021-01-20T10:00:02.200000+00:00'));
    await aReceive.receive();
    bSend.send(envelope('msg_read', b.phone, a.phone, '2021-01-20 10:00:01.100', '2021-01-20 10:00:03.300'));
    await aReceive.receive();
    bSend.send(envelope('is_typing', b.phone, a.phone, '-null-', '2021-01-20 10:00:04.400'));
    await aReceive.receive();
    // The markers moved to the client's timestamps.
    await t.http('PATCH', '/chat/info/personal/', { token: a.token, body: { msg_from: b.phone, msg_to: a.phone } });

    // Nothing pending at that instant any more: the original's delete_msg error.
    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20 10:00:01.100', '2021-01-20 10:00:05.500'));
    await bSend.receive();

    // Every refusal of a frame: an error frame on the same socket, which stays open.
    const refusals: unknown[] = [
      envelope('dance', a.phone, b.phone, 'x', '2021-01-20 10:00:06.000'),
      envelope('delete_msg', a.phone, b.phone, '2021-01-20 10:00:01.100', '2021-01-20 10:00:06.000'),
      envelope('fetch_msgs', a.phone, b.phone, '--null--', '2021-01-20 10:00:06.000'),
      'not json{',
      '[1,2,3]',
      '"new_msg"',
      '{"message":"no command"}',
      { command: 7 },
      { message: 'x', command: 'new_msg', msg_from: a.phone, msg_to: b.phone },
      { message: 5, command: 'new_msg', msg_from: a.phone, msg_to: b.phone, sent_timestamp: '2021-01-20 10:00:06.000' },
      envelope('new_msg', a.phone, b.phone, 'x'.repeat(1201), '2021-01-20 10:00:06.000'),
      envelope('new_msg', a.phone, b.phone, 'bad time', 'yesterday'),
      envelope('new_msg', b.phone, b.phone, 'spoofed', '2021-01-20 10:00:06.000'),
      envelope('new_msg', a.phone, c.phone, 'misdirected', '2021-01-20 10:00:06.000'),
      envelope('is_typing', a.phone, b.phone, '-null-', 'x'.repeat(65)),
    ];
    for (const frame of refusals) {
      aSend.send(frame);
      await aSend.receive();
    }
    aReceive.send(envelope('new_msg', a.phone, b.phone, 'wrong socket', '2021-01-20 10:00:06.000'));
    await aReceive.receive();
    aReceive.send(envelope('fetch_msgs', a.phone, b.phone, '--null--', '2021-01-20 10:00:06.000'));
    await aReceive.receive();
    aReceive.send(envelope('fetch_grp_msgs', a.phone, a.phone, '--null--', '2021-01-20 10:00:06.000'));
    await aReceive.receive();
    aReceive.send(envelope('fetch_room_msgs', a.phone, a.phone, '--null--', '2021-01-20 10:00:06.000'));
    await aReceive.receive();
    aReceive.send('{"command":"update"}');
    await aReceive.receive();

    // No dialogue with cai yet: the error says how to open one.
    const toC = await t.socket(PERSONAL, { from: a.phone, to: c.phone }, { token: a.token });
    toC.send(envelope('new_msg', a.phone, c.phone, 'anyone there?', '2021-01-20 10:00:07.000'));
    await toC.receive();

    // Offline: twelve messages wait for bea and come back in chunks of ten, oldest first.
    await bReceive.close();
    for (let i = 10; i < 22; i += 1) {
      aSend.send(envelope('new_msg', a.phone, b.phone, `offline ${i}`, `2021-01-20 10:01:${i}.${i % 2 === 0 ? '5' : '000'}`));
      await aSend.receive();
    }
    const bBack = await t.socket(RECEIVE_SOCKET, { phone: b.phone }, { token: b.token });
    bBack.send(envelope('fetch_msgs', b.phone, b.phone, '--null--', '2021-01-20 10:02:00.000'));
    await bBack.receiveMany(2);
    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20T10:01:10.500Z', '2021-01-20 10:02:01.000'));
    await aReceive.receive();
    bBack.send(envelope('fetch_msgs', '--', b.phone, '--null--', '2021-01-20 10:02:02.000'));
    await bBack.receiveMany(2);

    await t.http('DELETE', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: b.phone } });
    await bBack.receive();
    await t.matchesGolden('phone-personal-socket');
  });
});
