// A log-out on one process closes the sockets of that token on the others, and a process whose
// Redis came back checks its sockets' tokens against the store for revocations it missed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup } from '../support/clients.js';
import { envelope, receiveSocket } from '../support/phone.js';
import { startCluster, startNode, type Cluster } from './support.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster(0);
});
afterAll(async () => {
  await cluster.stop();
});

describe('revoking a token', () => {
  it('closes the sockets of that token on every process with 4401 within a second', async () => {
    const a = await startNode(cluster);
    const b = await startNode(cluster);
    const user = await signup(a);
    const onB = await receiveSocket(b, user);
    const onA = await receiveSocket(a, user);
    expect((await request(a, 'POST', '/auth/logout/', { token: user.token })).status).toBe(200);
    expect(await onB.closedWithin(1000)).toBe(4401);
    expect(await onA.closedWithin(1000)).toBe(4401);
  });

  it('closes, once Redis is back, a socket whose token was revoked while Redis was away', async () => {
    const survivor = await startNode(cluster);
    const doomed = await startNode(cluster);
    const user = await signup(survivor);
    const kept = await signup(survivor);
    const revokedSocket = await receiveSocket(survivor, user);
    const keptSocket = await receiveSocket(survivor, kept);

    await cluster.redis.stop();
    // Revoked in the store, but the invalidation waits in the doomed process's Redis queue, and
    // is lost with it: the survivor can only learn of the revocation from the store.
    expect((await request(doomed, 'POST', '/auth/logout/', { token: user.token })).status).toBe(200);
    await doomed.kill('SIGKILL');
    expect(revokedSocket.closeCode).toBeUndefined();
    await cluster.redis.resume();

    expect(await revokedSocket.closedWithin(15_000)).toBe(4401);
    // The survivor's cached token went with the reconnection: HTTP refuses it too.
    expect((await request(survivor, 'PATCH', '/chat/info/active/', { token: user.token, body: { user_num: user.phone } })).status).toBe(401);
    expect(keptSocket.closeCode).toBeUndefined();
    keptSocket.send(envelope('fetch_msgs', kept.phone, kept.phone, 'none', 'x'));
    expect((await keptSocket.take((f) => f.command === 'fetch_msgs')).all).toBe(true);
  });
});
