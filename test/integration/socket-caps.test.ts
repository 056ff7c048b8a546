// Sockets per account and per client address are capped (PARLEY_MAX_SOCKETS_PER_*): one more
// is closed with 4429 right after the handshake; closing one frees its place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signup, SocketClient, type User } from '../support/clients.js';
import { envelope } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ maxSocketsPerAccount: 3, maxSocketsPerAddress: 5 });
});
afterAll(async () => {
  await server.close();
});

const receive = (user: User, localAddress?: string) =>
  SocketClient.open(server, `/ws/chat/special/${user.phone}/`, { token: user.token, localAddress });

/** The socket answers a fetch: open, authenticated and usable. */
async function expectUsable(socket: SocketClient, user: User): Promise<void> {
  socket.send(envelope('fetch_msgs', user.phone, user.phone, 'none', 'x'));
  expect((await socket.take((f) => f.command === 'fetch_msgs')).all).toBe(true);
}

/** True once the socket has stayed open through a round trip; false when it was closed (4429). */
async function settled(socket: SocketClient): Promise<boolean> {
  socket.send({ command: 'ping?' });
  try {
    await socket.next();
    return true;
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return false;
  }
}

describe('socket caps', () => {
  it('closes an account’s socket over its cap with 4429, and admits one again once a place is free', async () => {
    const a = await signup(server);
    const held = [await receive(a, '127.0.0.2'), await receive(a, '127.0.0.2'), await receive(a, '127.0.0.3')];
    for (const socket of held) await expectUsable(socket, a);
    const over = await receive(a, '127.0.0.4');
    expect(await over.closed).toBe(4429);
    await held[0]!.close();
    // The place is freed once the server has seen the close too, a moment after the client.
    let again = await receive(a, '127.0.0.4');
    for (let attempt = 0; !(await settled(again)) && attempt < 20; attempt++) again = await receive(a, '127.0.0.4');
    await expectUsable(again, a);
    for (const socket of [...held.slice(1), again]) await socket.close();
  });

  it('closes a socket over the address cap with 4429, whatever its account, and admits other addresses', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => signup(server)));
    const sockets = [];
    for (const [i, user] of [users[0], users[0], users[1], users[1], users[2]].entries()) {
      sockets.push(await receive(user!, '127.0.0.5'));
      await expectUsable(sockets[i]!, user!);
    }
    const over = await receive(users[3]!, '127.0.0.5');
    expect(await over.closed).toBe(4429);
    const elsewhere = await receive(users[3]!, '127.0.0.6');
    await expectUsable(elsewhere, users[3]!);
  });
});
