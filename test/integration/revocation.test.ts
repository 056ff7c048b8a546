// Log-out closes every live socket opened with the revoked token (4401), however it presented
// the token, and no other socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, SocketClient } from '../support/clients.js';
import { envelope, fetchAll, openDialogue, receiveSocket } from '../support/phone.js';
import { createRoom, roomSocket, roomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('log-out', () => {
  it('closes the sockets of the revoked token with 4401, by query, header or cookie, and keeps the others', async () => {
    const user = await signup(server);
    const peer = await signup(server);
    await openDialogue(server, user, peer);
    const second = (await request(server, 'POST', '/auth/login/', { body: { username: user.username, password: user.password } })).body
      .token as string;
    const byQuery = await receiveSocket(server, user);
    const byHeader = await SocketClient.open(server, `/ws/chat/personal/${user.phone}/${peer.phone}/`, {
      headers: { authorization: `Token ${user.token}` },
    });
    const byCookie = await SocketClient.open(server, `/ws/chat/special/${user.phone}/`, {
      // A cookie socket must come from one of Parley's own pages.
      headers: { cookie: `parley_session=${user.token}`, origin: server.url },
    });
    const otherDevice = await receiveSocket(server, { ...user, token: second });
    // The cookie socket is open and authenticated before the log-out.
    byCookie.send(envelope('fetch_msgs', user.phone, user.phone, 'none', 'x'));
    expect((await byCookie.next()).command).toBe('fetch_msgs');

    expect((await request(server, 'POST', '/auth/logout/', { token: user.token })).status).toBe(200);
    for (const socket of [byQuery, byHeader, byCookie]) expect(await socket.closedWithin(5000)).toBe(4401);

    expect(otherDevice.closeCode).toBeUndefined();
    const [chunk] = await fetchAll(otherDevice, user);
    expect(chunk?.frame).toMatchObject({ command: 'fetch_msgs', all: true });
    expect(await SocketClient.open(server, `/ws/chat/special/${user.phone}/`, { token: user.token }).then((s) => s.closed)).toBe(4401);
  });

  it('closes the room and notification sockets of a rooms log-out', async () => {
    const a = await roomsUser(server);
    const b = await roomsUser(server);
    const roomId = await createRoom(server, a, [b]);
    const room = await roomSocket(server, roomId, a);
    const notifications = await SocketClient.open(server, '/ws/notifications/', { token: a.token });
    const bRoom = await roomSocket(server, roomId, b);
    expect((await request(server, 'POST', '/api/user/logout/', { token: a.token })).status).toBe(200);
    expect(await room.closedWithin(5000)).toBe(4401);
    expect(await notifications.closedWithin(5000)).toBe(4401);
    bRoom.send({ action: 'send_message', message: 'still here' });
    expect((await bRoom.take((f) => f.message === 'still here')).is_self).toBe(true);
  });
});
