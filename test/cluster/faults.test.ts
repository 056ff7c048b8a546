// Faults: a process killed mid-traffic, Redis restarted, PostgreSQL restarted, a drain on SIGTERM.
// Redis and (for its own test) PostgreSQL are private servers of this file, so stopping them
// disturbs nobody else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, SocketClient } from '../support/clients.js';
import { envelope, fetchAll, openDialogue, personalSocket, receiveSocket, sendPersonal } from '../support/phone.js';
import { PrivatePostgres, startCluster, startNode, type Cluster } from './support.js';

// Processes are started per test, on the cluster's database and Redis.
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster(0);
});
afterAll(async () => {
  await cluster.stop();
});

describe('a process killed with SIGKILL mid-traffic', () => {
  it('loses no acknowledged message; its clients reconnect elsewhere and catch up', async () => {
    const doomed = await startNode(cluster);
    const survivor = await startNode(cluster);
    const a = await signup(survivor);
    const b = await signup(survivor);
    await openDialogue(survivor, a, b);

    const aSend = await personalSocket(doomed, a, b);
    const acknowledged: string[] = [];
    aSend.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { command: string; message: string };
      if (frame.command === 'msg_sent') acknowledged.push(frame.message);
    });
    // Open loop: 150 messages (within the rate limit's burst) sent without waiting; the process
    // dies while they are in flight.
    const sent: string[] = [];
    for (let i = 0; i < 150; i++) {
      const stamp = new Date(Date.UTC(2021, 0, 1, 0, 0, 0, i)).toISOString();
      sent.push(stamp);
      aSend.send(envelope('new_msg', a.phone, b.phone, `m${i}`, stamp));
    }
    while (acknowledged.length < 30 && aSend.closeCode === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
    await doomed.kill('SIGKILL');
    await aSend.closed;
    expect(acknowledged.length).toBeGreaterThanOrEqual(30);

    // b catches up on the survivor: every message a was told was stored is there, once.
    const bRecv = await receiveSocket(survivor, b);
    const fetched = (await fetchAll(bRecv, b)).flatMap((chunk) => chunk.messages as Array<{ message: string; sent_timestamp: string }>);
    const fetchedStamps = new Set(fetched.map((m) => new Date(m.sent_timestamp).toISOString()));
    for (const stamp of acknowledged) expect(fetchedStamps.has(stamp)).toBe(true);
    expect(new Set(fetched.map((m) => m.message)).size).toBe(fetched.length);
    expect(fetched.length).toBeLessThanOrEqual(sent.length);

    // a reconnects to the survivor and carries on.
    const aAgain = await personalSocket(survivor, a, b);
    await sendPersonal(aAgain, a, b, 'after the crash', '2021-01-02T00:00:00Z');
    expect((await bRecv.take((f) => f.command === 'new_msg')).message).toBe('after the crash');
  });
});

describe('Redis restarted mid-traffic', () => {
  it('reconnects by itself, resumes live delivery, and keeps what was stored meanwhile', async () => {
    const one = await startNode(cluster);
    const two = await startNode(cluster);
    const a = await signup(one);
    const b = await signup(two);
    await openDialogue(one, a, b);
    const aSend = await personalSocket(one, a, b);
    const bRecv = await receiveSocket(two, b);
    await sendPersonal(aSend, a, b, 'before', '2021-03-01T00:00:00Z');
    expect((await bRecv.take((f) => f.command === 'new_msg')).message).toBe('before');

    await cluster.redis.stop();
    // Stored and acknowledged without Redis: the store, not the bus, is what msg_sent promises.
    await sendPersonal(aSend, a, b, 'during', '2021-03-01T00:00:01Z');
    const notReady = await fetch(`${one.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ store: true, bus: false });

    await cluster.redis.resume();
    await one.waitReady();
    await two.waitReady();
    // Subscriptions are restored by the reconnection: live delivery resumes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sendPersonal(aSend, a, b, 'after', '2021-03-01T00:00:02Z');
    expect((await bRecv.take((f) => f.command === 'new_msg' && f.message === 'after', 10_000)).message).toBe('after');

    const fetched = (await fetchAll(bRecv, b)).flatMap((chunk) => chunk.messages.map((m: { message: string }) => m.message));
    expect(fetched).toEqual(['before', 'during', 'after']);
  });
});

describe('PostgreSQL restarted', () => {
  it('answers clear errors while it is down and recovers without a restart', async () => {
    const postgres = await PrivatePostgres.start();
    try {
      const node = await startNode(cluster, { PARLEY_DATABASE_URL: postgres.url });
      const a = await signup(node);
      const b = await signup(node);
      await openDialogue(node, a, b);
      const aSend = await personalSocket(node, a, b);
      await sendPersonal(aSend, a, b, 'before', '2021-04-01T00:00:00Z');

      await postgres.stop();
      const down = await request(node, 'POST', '/auth/login/', { body: { username: a.username, password: a.password } });
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ code: 'store_unavailable' });
      expect((await fetch(`${node.url}/readyz`)).status).toBe(503);
      aSend.send(envelope('new_msg', a.phone, b.phone, 'lost?', '2021-04-01T00:00:01Z'));
      const refused = await aSend.next(10_000);
      expect(refused).toMatchObject({ command: 'error', type: 'new_msg' });
      expect(refused.message).toMatch(/database is unavailable/);

      await postgres.resume();
      await node.waitReady();
      await sendPersonal(aSend, a, b, 'after', '2021-04-01T00:00:02Z');
      const bRecv = await receiveSocket(node, b);
      const fetched = (await fetchAll(bRecv, b)).flatMap((chunk) => chunk.messages.map((m: { message: string }) => m.message));
      expect(fetched).toEqual(['before', 'after']);
    } finally {
      await postgres.destroy();
    }
  });
});

describe('SIGTERM', () => {
  it('closes sockets with 1001, never drops an acknowledged message, refuses new sockets and exits cleanly', async () => {
    const node = await startNode(cluster);
    const a = await signup(node);
    const b = await signup(node);
    await openDialogue(node, a, b);
    const aSend = await personalSocket(node, a, b);
    const bRecv = await receiveSocket(node, b);
    const acknowledged: string[] = [];
    aSend.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { command: string; message: string };
      if (frame.command === 'msg_sent') acknowledged.push(frame.message);
    });
    for (let i = 0; i < 50; i++) aSend.send(envelope('new_msg', a.phone, b.phone, `m${i}`, `2021-05-01T00:00:${String(i).padStart(2, '0')}Z`));
    const exited = node.kill('SIGTERM');
    expect(await aSend.closed).toBe(1001);
    expect(await bRecv.closed).toBe(1001);
    expect(await exited).toBe(0);
    await expect(SocketClient.open(node, `/ws/chat/special/${b.phone}/`, { token: b.token })).rejects.toThrow();

    const next = await startNode(cluster);
    const bAgain = await receiveSocket(next, b);
    const stored = new Set(
      (await fetchAll(bAgain, b)).flatMap((chunk) => chunk.messages.map((m: { sent_timestamp: string }) => m.sent_timestamp)),
    );
    for (const stamp of acknowledged) expect(stored.has(stamp)).toBe(true);
  });
});
