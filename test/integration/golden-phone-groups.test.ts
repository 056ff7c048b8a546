// Golden transcripts of the phone dialect's groups: /chat/special/group/, /chat/info/group/, the
// group socket, group deliveries and `update` frames on the receive socket, fetch_grp_msgs.
// How to update the golden files: test/support/golden.ts.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { User } from '../support/clients.js';
import { Transcript, type RecordedSocket } from '../support/golden.js';
import { fixedUser, makeContacts, openReceiveSocket, RECEIVE_SOCKET } from '../support/golden-phone.js';
import { envelope } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const GROUP = '/ws/chat/group/{from}/{key}/';

/** Takes one frame from each socket, in the order given. */
async function eachReceives(sockets: RecordedSocket[]): Promise<void> {
  for (const socket of sockets) await socket.receive();
}

describe('golden: phone dialect, groups', () => {
  it('phone-groups-http: creating, administering, leaving and deleting groups, with their updates', async () => {
    const t = new Transcript(server);
    const a = await fixedUser(server, '3000000001', 'ada');
    const b = await fixedUser(server, '3000000002', 'bo');
    const c = await fixedUser(server, '3000000003', 'cy');
    const d = await fixedUser(server, '3000000004', 'di');
    const e = await fixedUser(server, '3000000005', 'ed');
    await makeContacts(server, a, [b, c, d]);
    await makeContacts(server, c, [d]);
    const aR = await openReceiveSocket(t, a);
    const bR = await openReceiveSocket(t, b);
    const cR = await openReceiveSocket(t, c);
    const dR = await openReceiveSocket(t, d);

    const created = await t.http('POST', '/chat/special/group/', {
      token: a.token,
      body: { name: 'Test Group', bio: 'we are the best', admin: [a.phone], participants: [b.phone, c.phone] },
    });
    const key = t.groupKey(created.body.key as string);
    await eachReceives([aR, bR, cR]);
    await t.http('POST', '/chat/special/group/', {
      token: a.token,
      body: { name: 'x'.repeat(31), bio: 'y'.repeat(81), admin: ['3999999999'], participants: 'nope' },
    });
    await t.http('POST', '/chat/special/group/', { token: a.token, body: { name: 'n', participants: [5] } });
    await t.http('POST', '/chat/special/group/', { token: a.token, body: [1, 2] });
    await t.http('POST', '/chat/special/group/', { body: { admin: [], participants: [] } });

    await t.http('PATCH', '/chat/info/group/', { token: b.token, body: { grp_name: key } });
    await t.http('GET', '/chat/info/group/', { token: c.token, query: `grp_name=${key}` });
    await t.http('PATCH', '/chat/info/group/', { token: e.token, body: { grp_name: key } });
    await t.http('PATCH', '/chat/info/group/', { token: a.token, body: { grp_name: 'NOSUCHKEY0' } });
    await t.http('PATCH', '/chat/info/group/', { token: a.token, body: {} });

    const command = (actor: User, name: string, target?: User, body: Record<string, unknown> = {}) =>
      t.http('PUT', '/chat/special/group/', {
        token: actor.token,
        body: { command: name, key, msg_from: actor.phone, ...(target ? { msg_to: target.phone } : {}), ...body },
      });
    await command(a, 'add', d);
    await eachReceives([aR, bR, cR, dR]);
    await command(a, 'promote', b);
    await eachReceives([aR, bR, cR, dR]);
    await command(a, 'demote', b);
    await eachReceives([aR, bR, cR, dR]);
    await command(a, 'demote', a);
    await command(a, 'remove', c);
    await eachReceives([aR, bR, dR]);
    await command(a, 'remove', c);
    await command(a, 'add', d);
    await command(a, 'fly', d);
    await command(a, 'add');
    await command(b, 'add', e);
    await command(b, 'delete');
    await command(e, 'leave');
    await command(a, 'add', undefined, { msg_to: '3999999999' });
    await t.http('PUT', '/chat/special/group/', { token: a.token, body: { command: 'add', msg_from: a.phone } });
    await t.http('PUT', '/chat/special/group/', { token: a.token, body: { command: 'add', key: 'NOSUCHKEY0', msg_from: a.phone, msg_to: d.phone } });
    await t.http('PUT', '/chat/special/group/', { token: b.token, body: { command: 'add', key, msg_from: a.phone, msg_to: e.phone } });
    await t.http('PATCH', '/chat/info/group/', { token: a.token, body: { grp_name: key } });

    // The last admin leaves: the longest-standing member becomes admin.
    await command(a, 'leave');
    await eachReceives([aR, bR, dR]);
    await t.http('PATCH', '/chat/info/group/', { token: b.token, body: { grp_name: key } });
    await command(d, 'leave');
    await eachReceives([bR, dR]);
    await t.http('DELETE', '/chat/special/group/', { token: d.token, body: { key, msg_from: d.phone } });
    await t.http('DELETE', '/chat/special/group/', { token: b.token, body: { key } });
    await t.http('DELETE', '/chat/special/group/', { token: b.token, body: { key, msg_from: b.phone } });
    await eachReceives([bR]);
    await t.http('DELETE', '/chat/special/group/', { token: b.token, body: { key, msg_from: b.phone } });

    // Deleting by PUT, and a group with no name nor bio.
    const second = await t.http('POST', '/chat/special/group/', { token: c.token, body: { admin: [], participants: [d.phone] } });
    const secondKey = t.groupKey(second.body.key as string);
    await eachReceives([cR, dR]);
    await t.http('PUT', '/chat/special/group/', { token: c.token, body: { command: 'delete', key: secondKey, msg_from: c.phone } });
    await eachReceives([cR, dR]);
    await t.matchesGolden('phone-groups-http');
  });

  it('phone-groups-socket: group messages, receipts, typing, fetch_grp_msgs with pending, refusals', async () => {
    const t = new Transcript(server);
    const a = await fixedUser(server, '3000000011', 'ava');
    const b = await fixedUser(server, '3000000012', 'bud');
    const c = await fixedUser(server, '3000000013', 'cat');
    const e = await fixedUser(server, '3000000015', 'eve');
    await makeContacts(server, a, [b, c]);
    const aR = await openReceiveSocket(t, a);
    const bR = await openReceiveSocket(t, b);
    const cR = await openReceiveSocket(t, c);
    const created = await t.http('POST', '/chat/special/group/', {
      token: a.token,
      body: { name: 'Sockets', bio: 'live', admin: [a.phone], participants: [b.phone, c.phone] },
    });
    const key = t.groupKey(created.body.key as string);
    await eachReceives([aR, bR, cR]);

    await t.refused(GROUP, { from: a.phone, key });
    await t.refused(GROUP, { from: a.phone, key }, { token: 'f'.repeat(40) });
    await t.refused(GROUP, { from: b.phone, key }, { token: a.token });
    await t.refused(GROUP, { from: e.phone, key }, { token: e.token });
    await t.refused(GROUP, { from: a.phone, key: 'NOSUCHKEY1' }, { token: a.token });

    const aG = await t.socket(GROUP, { from: a.phone, key }, { token: a.token });
    const bG = await t.socket(GROUP, { from: b.phone, key }, { token: b.token });
    aG.send(envelope('new_grp_msg', a.phone, key, 'hi group', '2021-02-01 11:00:04.75'));
    await aG.receive();
    await eachReceives([bR, cR]);
    bG.send(envelope('grp_msg_received', b.phone, key, '2021-02-01T11:00:04.750Z', '2021-02-01 11:00:05.000'));
    await eachReceives([aR, cR]);
    bG.send(envelope('grp_msg_read', b.phone, key, '2021-02-01T11:00:04.750Z', '2021-02-01 11:00:06.000'));
    await eachReceives([aR, cR]);
    bG.send(envelope('is_grp_typing', b.phone, key, '--null--', '2021-02-01 11:00:07.000'));
    await eachReceives([aR, cR]);
    bG.send(envelope('grp_msg_received', b.phone, key, '2021-02-01T11:00:04.750Z', '2021-02-01 11:00:08.000'));
    await bG.receive();

    const refusals: unknown[] = [
      envelope('new_msg', a.phone, key, 'fake', '2021-02-01 11:00:09.000'),
      envelope('delete_msg', a.phone, key, '2021-02-01T11:00:04.750Z', '2021-02-01 11:00:09.000'),
      envelope('fetch_grp_msgs', a.phone, a.phone, '--null--', '2021-02-01 11:00:09.000'),
      envelope('new_grp_msg', a.phone, 'ABCDEF1234', 'elsewhere', '2021-02-01 11:00:09.000'),
      envelope('new_grp_msg', b.phone, key, 'spoofed', '2021-02-01 11:00:09.000'),
      { message: 'x', command: 'new_grp_msg', msg_from: a.phone, msg_to: key },
      { message: ['x'], command: 'new_grp_msg', msg_from: a.phone, msg_to: key, sent_timestamp: '2021-02-01 11:00:09.000' },
      envelope('new_grp_msg', a.phone, key, 'x'.repeat(1201), '2021-02-01 11:00:09.000'),
      'not json{',
      'null',
    ];
    for (const frame of refusals) {
      aG.send(frame);
      await aG.receive();
    }
    bR.send(envelope('new_grp_msg', b.phone, key, 'wrong socket', '2021-02-01 11:00:09.000'));
    await bR.receive();
    bR.send(envelope('fetch_grp_msgs', key, a.phone, '--null--', '2021-02-01 11:00:09.000'));
    await bR.receive();

    // Offline: bud and cat miss eleven messages; each comes back with who still has to receive it.
    await bR.close();
    await cR.close();
    for (let i = 10; i < 21; i += 1) {
      aG.send(envelope('new_grp_msg', a.phone, key, `group offline ${i}`, `2021-02-01 11:01:${i}.${i}`));
      await aG.receive();
    }
    const bBack = await t.socket(RECEIVE_SOCKET, { phone: b.phone }, { token: b.token });
    bBack.send(envelope('fetch_grp_msgs', key, b.phone, '--null--', '2021-02-01 11:02:00.000'));
    await bBack.receiveMany(2);
    bG.send(envelope('grp_msg_received', b.phone, key, '2021-02-01 11:01:10.10', '2021-02-01 11:02:01.000'));
    await aR.receive();
    const cBack = await t.socket(RECEIVE_SOCKET, { phone: c.phone }, { token: c.token });
    cBack.send(envelope('fetch_grp_msgs', key, c.phone, '--null--', '2021-02-01 11:02:02.000'));
    await cBack.receiveMany(2);
    cBack.send(envelope('fetch_msgs', c.phone, c.phone, '--null--', '2021-02-01 11:02:03.000'));
    await cBack.receive();

    // A member removed while their group socket is open can no longer use it.
    await t.http('PUT', '/chat/special/group/', { token: a.token, body: { command: 'remove', key, msg_from: a.phone, msg_to: b.phone } });
    await eachReceives([aR, cBack]);
    bG.send(envelope('new_grp_msg', b.phone, key, 'still here?', '2021-02-01 11:03:00.000'));
    await bG.receive();
    await t.matchesGolden('phone-groups-socket');
  });
});
