// Golden transcripts of the rooms dialect's REST side (/api/user/, /api/chat/, /api/notifications/)
// and the routes every client shares (/web/me, /healthz, /readyz, 404, 405, 401). REST timestamps
// are written in Asia/Kolkata here, so that the zone conversion is pinned too.
// How to update the golden files: test/support/golden.ts.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { request, type SocketClient } from '../support/clients.js';
import { Transcript } from '../support/golden.js';
import { makeContacts } from '../support/golden-phone.js';
import { roomSocket, roomsUser, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let anagh: RoomsUser;
let achal: RoomsUser;
let sparsh: RoomsUser;
let carol: RoomsUser;
beforeAll(async () => {
  server = await startTestServer({ timeZone: 'Asia/Kolkata' });
  anagh = await roomsUser(server, 'Anagh', 'Jaiswar', '00000000a001');
  achal = await roomsUser(server, 'Achal', 'Vishnoi', '00000000a002');
  sparsh = await roomsUser(server, 'Sparsh', '', '00000000a003');
  carol = await roomsUser(server, 'Carol', 'Out', '00000000a004');
  await makeContacts(server, anagh, [achal, sparsh, carol]);
});
afterAll(async () => {
  await server.close();
});

/** Sends a frame on a setup socket (outside the transcript) and returns the id of the message it makes. */
async function say(socket: SocketClient, frame: Record<string, unknown>): Promise<number> {
  socket.send(frame);
  const echo = await socket.take((f) => f.id !== undefined && f.is_self === true);
  return echo.id as number;
}

describe('golden: rooms dialect, REST', () => {
  it('rooms-accounts: log-in, profile, log-out, and the routes every client shares', async () => {
    const t = new Transcript(server);
    await t.http('POST', '/api/user/login/', { body: { email: anagh.email, password: anagh.password } });
    await t.http('POST', '/api/user/login/', { body: { email: anagh.email.toUpperCase(), password: anagh.password } });
    await t.http('POST', '/api/user/login/', { body: { email: anagh.email, password: 'wrong-password' } });
    await t.http('POST', '/api/user/login/', { body: { email: 'nobody@example.com', password: 'pass-word-123' } });
    await t.http('POST', '/api/user/login/', { body: {} });
    await t.http('POST', '/api/user/login/', { body: { email: 5, password: 'x' } });
    await t.http('GET', '/api/user/profile/detail/', { token: anagh.token });
    await t.http('GET', '/api/user/profile/detail/', { token: sparsh.token });
    await t.http('GET', '/api/user/profile/detail/');
    await t.http('GET', '/api/user/profile/detail/', { token: 'f'.repeat(40) });
    await t.http('GET', '/api/user/profile/detail/', { headers: { authorization: 'Token' } });
    const extra = await t.http('POST', '/api/user/login/', { body: { email: achal.email, password: achal.password } });
    await t.http('POST', '/api/user/logout/', { token: extra.body.token as string });
    await t.http('POST', '/api/user/logout/', { token: extra.body.token as string });
    await t.http('GET', '/web/me', { token: achal.token });
    await t.http('GET', '/web/me');
    await t.http('GET', '/healthz');
    await t.http('GET', '/readyz');
    await t.http('GET', '/api/nothing/here/', { token: anagh.token });
    await t.http('DELETE', '/api/user/login/');
    await t.http('PATCH', '/api/chat/groups/');
    await t.matchesGolden('rooms-accounts');
  });

  it('rooms-http: rooms, members, history pages, read state, administration and notifications', async () => {
    const t = new Transcript(server);
    const created = await t.http('POST', '/api/chat/create-group/', {
      token: anagh.token,
      body: { name: '2nd_year', description: 'CSI 2nd year', members: [achal.id, sparsh.id] },
    });
    const room = created.body.room.id as number;
    const other = (
      await t.http('POST', '/api/chat/create-group/', { token: achal.token, body: { name: 'design', members: [anagh.id] } })
    ).body.room.id as number;
    await t.http('POST', '/api/chat/create-group/', { token: anagh.token, body: { name: '  ', description: 'd'.repeat(1001), members: [] } });
    await t.http('POST', '/api/chat/create-group/', { token: anagh.token, body: { name: 'x'.repeat(51), members: [] } });
    await t.http('POST', '/api/chat/create-group/', { token: anagh.token, body: { name: 'no members' } });
    await t.http('POST', '/api/chat/create-group/', { token: anagh.token, body: { name: 'bad members', members: ['x'], is_active: 'yes' } });
    await t.http('POST', '/api/chat/create-group/', { body: { name: 'anonymous', members: [] } });
    await t.http('GET', '/api/chat/groups/', { token: carol.token });

    // History, made outside the transcript: 25 messages with a mention, a reply, an edit, a
    // reaction, a deletion and a pin. Anagh and Achal stay online; Sparsh goes away.
    const a = await roomSocket(server, room, anagh);
    const b = await roomSocket(server, room, achal);
    const s = await roomSocket(server, room, sparsh);
    const first = await say(a, { action: 'send_message', message: 'hello everyone', message_type: 'text' });
    await say(b, { message: 'hi @anagh', mentions: [anagh.id] });
    await say(s, { message: 'a reply', parent_message_id: first });
    for (let i = 4; i <= 25; i += 1) await say(i % 2 === 0 ? a : b, { message: `message ${i}` });
    a.send({ action: 'edit_message', message_id: first, new_content: 'hello everyone (edited)' });
    await a.take((f) => f.action === 'edited');
    b.send({ action: 'react_message', message_id: first, reaction: 'Like' });
    await b.take((f) => f.action === 'reacted');
    a.send({ action: 'pin_message', message_id: first });
    await a.take((f) => f.action === 'message_pinned');
    b.send({ action: 'delete_message', message_id: first + 4 });
    await b.take((f) => f.action === 'deleted');
    await s.close();
    for (;;) {
      const members = await request(server, 'GET', `/api/chat/groups/${room}/members/`, { token: anagh.token });
      if (members.body.every((m: { id: number; current_status: string }) => m.id !== sparsh.id || m.current_status !== 'online')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    await t.http('GET', '/api/chat/groups/', { token: anagh.token });
    await t.http('GET', '/api/chat/groups/', { token: achal.token });
    await t.http('GET', '/api/chat/groups/list/', { token: anagh.token });
    await t.http('GET', '/api/chat/groups/search/', { token: anagh.token, query: 'q=2nd' });
    await t.http('GET', '/api/chat/groups/search/', { token: anagh.token, query: 'q=DES' });
    await t.http('GET', '/api/chat/groups/search/', { token: anagh.token, query: 'q=zzz' });
    await t.http('GET', '/api/chat/groups/search/', { token: anagh.token });
    await t.http('GET', '/api/chat/groups/{id}/members/', { token: anagh.token, params: { id: room } });
    await t.http('GET', '/api/chat/groups/{id}/members/', { token: carol.token, params: { id: room } });
    await t.http('GET', '/api/chat/groups/{id}/members/', { token: anagh.token, params: { id: 999 } });
    await t.http('GET', '/api/chat/groups/{id}/members/', { token: anagh.token, params: { id: 'abc' } });
    await t.http('GET', '/api/chat/groups/{id}/search/members/', { token: anagh.token, params: { id: room }, query: 'q=ach' });
    await t.http('GET', '/api/chat/groups/{id}/search/members/', { token: anagh.token, params: { id: room }, query: 'q=zzz' });
    await t.http('GET', '/api/chat/groups/{id}/search/members/', { token: anagh.token, params: { id: room } });
    await t.http('GET', '/api/chat/groups/{id}/search/members/', { token: carol.token, params: { id: room }, query: 'q=a' });

    const history = '/api/chat/groups/{id}/messages/';
    await t.http('GET', history, { token: achal.token, params: { id: room } });
    await t.http('GET', history, { token: achal.token, params: { id: room }, query: 'page=2' });
    await t.http('GET', history, { token: achal.token, params: { id: room }, query: 'page=3' });
    await t.http('GET', history, { token: achal.token, params: { id: room }, query: 'page=2&page_size=10' });
    await t.http('POST', history, { token: achal.token, params: { id: room }, query: 'page_size=3' });
    await t.http('GET', history, { token: achal.token, params: { id: room }, query: 'page_size=500&page=2' });
    await t.http('GET', history, { token: achal.token, params: { id: room }, query: 'page=0' });
    await t.http('GET', history, { token: achal.token, params: { id: room }, query: 'page=abc&page_size=abc' });
    await t.http('GET', history, { token: anagh.token, params: { id: other } });
    await t.http('GET', history, { token: anagh.token, params: { id: other }, query: 'page=2' });
    await t.http('GET', history, { token: carol.token, params: { id: room } });
    await t.http('GET', history, { token: carol.token, params: { id: 999 } });
    await t.http('GET', history, { params: { id: room } });

    const markRead = '/api/chat/groups/{id}/mark-as-read/';
    await t.http('POST', markRead, { token: achal.token, params: { id: room } });
    await t.http('POST', markRead, { token: carol.token, params: { id: room } });
    await t.http('POST', markRead, { token: achal.token, params: { id: 999 } });
    await t.http('GET', '/api/chat/groups/', { token: achal.token });

    await t.http('GET', '/api/notifications/unread-count/', { token: anagh.token });
    await t.http('PATCH', '/api/notifications/mark-as-read/', { token: anagh.token, body: { notification_ids: [1] } });
    await t.http('PATCH', '/api/notifications/mark-as-read/', { token: anagh.token });
    await t.http('PATCH', '/api/notifications/mark-as-read/', { token: anagh.token, body: { notification_ids: ['x'] } });
    await t.http('GET', '/api/notifications/unread-count/', { token: anagh.token });
    await t.http('GET', '/api/notifications/unread-count/');
    await t.http('POST', '/api/notifications/register-device/', {
      token: achal.token,
      body: { device_token: 'fcm-token-achal', device_type: 'android' },
    });
    await t.http('POST', '/api/notifications/register-device/', { token: achal.token, body: { device_token: 'fcm-x', device_type: 'web' } });
    await t.http('POST', '/api/notifications/register-device/', { token: achal.token, body: {} });

    const edit = '/api/chat/edit-group/{id}/';
    await t.http('PUT', edit, { token: anagh.token, params: { id: room }, body: { description: 'CSI members of the 2nd year', room_avatar: null } });
    await t.http('PUT', edit, { token: achal.token, params: { id: room }, body: { name: 'mine now' } });
    await t.http('PUT', edit, { token: carol.token, params: { id: room }, body: { name: 'mine now' } });
    await t.http('PUT', edit, { token: anagh.token, params: { id: room }, body: { name: '' } });
    await t.http('PUT', edit, { token: anagh.token, params: { id: room }, body: { name: 'design' } });
    await t.http('PUT', edit, { token: anagh.token, params: { id: 999 }, body: { name: 'x' } });

    const add = '/api/chat/group/{id}/add-members/';
    await t.http('POST', add, { token: anagh.token, params: { id: room }, body: { members: [carol.id] } });
    await t.http('POST', add, { token: achal.token, params: { id: room }, body: { members: [carol.id] } });
    await t.http('POST', add, { token: anagh.token, params: { id: room }, body: { members: [] } });

    const transfer = '/api/chat/group/{id}/transfer-ownership/';
    await t.http('POST', transfer, { token: achal.token, params: { id: room }, body: { new_owner_id: carol.id } });
    await t.http('POST', transfer, { token: achal.token, params: { id: other }, body: { new_owner_id: 999 } });
    await t.http('POST', transfer, { token: anagh.token, params: { id: room }, body: {} });
    await t.http('POST', transfer, { token: anagh.token, params: { id: room }, body: { new_owner_id: achal.id } });

    const leave = '/api/chat/group/{id}/remove-yourself/';
    await t.http('POST', leave, { token: achal.token, params: { id: room } });
    await t.http('POST', leave, { token: carol.token, params: { id: room } });
    await t.http('POST', leave, { token: carol.token, params: { id: room } });
    await t.http('POST', leave, { token: carol.token, params: { id: 999 } });

    const remove = '/api/chat/delete-group/{id}/';
    await t.http('DELETE', remove, { token: sparsh.token, params: { id: room } });
    await t.http('DELETE', remove, { token: achal.token, params: { id: room } });
    await t.http('DELETE', remove, { token: achal.token, params: { id: room } });
    await t.http('GET', history, { token: achal.token, params: { id: room } });

    await t.http('PUT', edit, { token: achal.token, params: { id: other }, body: { is_active: false } });
    await t.http('GET', '/api/chat/groups/', { token: anagh.token });
    await t.http('GET', '/api/chat/groups/list/', { token: achal.token });
    // Last: on PostgreSQL a refused insert still uses up an id of the sequence.
    await t.http('POST', '/api/chat/create-group/', { token: anagh.token, body: { name: 'design', members: [] } });
    await a.close();
    await b.close();
    await t.matchesGolden('rooms-http');
  });
});
