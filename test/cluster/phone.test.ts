// The phone dialect across three processes on one PostgreSQL and one Redis: senders on one
// process, recipients spread over the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, type User } from '../support/clients.js';
import { envelope, fetchAll, openDialogue, personalSocket, receiveSocket, sendPersonal } from '../support/phone.js';
import { ParleyProcess, startCluster, type Cluster } from './support.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster(3);
});
afterAll(async () => {
  await cluster.stop();
});

const node = (i: number): ParleyProcess => cluster.nodes[i] as ParleyProcess;

/** a signs up on process 0, b on process 1, and the dialogue is opened on process 2. */
async function pair(): Promise<{ a: User; b: User }> {
  const a = await signup(node(0));
  const b = await signup(node(1));
  await openDialogue(node(2), a, b);
  return { a, b };
}

describe('phone dialect across processes', () => {
  it('delivers a message sent on one process to the receive sockets on the others, once each', async () => {
    const { a, b } = await pair();
    const tabs = [await receiveSocket(node(1), b), await receiveSocket(node(2), b), await receiveSocket(node(2), b)];
    const aSend = await personalSocket(node(0), a, b);
    for (let i = 0; i < 5; i++) await sendPersonal(aSend, a, b, `m${i}`, `2021-01-20T10:00:0${i}Z`);
    for (const tab of tabs) {
      const got = [];
      for (let i = 0; i < 5; i++) got.push((await tab.next()).message);
      expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      expect(await tab.quiet(150)).toEqual([]);
    }
  });

  it('carries receipts, typing and update notifications between processes', async () => {
    const a = await signup(node(0));
    const b = await signup(node(1));
    const aRecv = await receiveSocket(node(2), a);
    const bRecv = await receiveSocket(node(1), b);
    await openDialogue(node(0), a, b);
    expect(await bRecv.next()).toMatchObject({ command: 'update', message: { type: 'personal', command: 'create' } });

    const aSend = await personalSocket(node(0), a, b);
    const bSend = await personalSocket(node(1), b, a);
    await sendPersonal(aSend, a, b, 'hello', '2021-01-20T10:00:01Z');
    expect((await bRecv.next()).message).toBe('hello');
    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20T10:00:01Z', '2021-01-20T10:00:02Z'));
    expect(await aRecv.next()).toMatchObject({ command: 'msg_received', msg_from: b.phone });
    bSend.send(envelope('msg_read', b.phone, a.phone, '2021-01-20T10:00:01Z', '2021-01-20T10:00:03Z'));
    expect(await aRecv.next()).toMatchObject({ command: 'msg_read', msg_from: b.phone });
    bSend.send({ command: 'is_typing', msg_from: b.phone, msg_to: a.phone, sent_timestamp: 't' });
    expect(await aRecv.next()).toMatchObject({ command: 'is_typing', msg_from: b.phone });
  });

  it('sees a dialogue deleted on one process as gone on the others', async () => {
    const { a, b } = await pair();
    const bSend = await personalSocket(node(1), b, a);
    await sendPersonal(bSend, b, a, 'before', '2021-01-20T10:00:00Z');
    const deleted = await request(node(0), 'DELETE', '/chat/special/personal/', { token: a.token, body: { msg_from: a.phone, msg_to: b.phone } });
    expect(deleted.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    bSend.send(envelope('new_msg', b.phone, a.phone, 'after', '2021-01-20T10:00:01Z'));
    expect((await bSend.next()).message).toContain('no dialogue');
  });

  it('counts a user as active while any process holds a socket of theirs', async () => {
    const { a, b } = await pair();
    const ask = async (via: number) =>
      (await request(node(via), 'PATCH', '/chat/info/active/', { token: a.token, body: { user_num: b.phone } })).body;
    expect((await ask(0)).active).toBe(false);
    const bRecv = await receiveSocket(node(2), b);
    expect((await ask(0)).active).toBe(true);
    expect((await ask(1)).active).toBe(true);
    await bRecv.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await ask(0);
    expect(after.active).toBe(false);
    expect(after.last_active).toMatch(/Z$/);
  });

  it('lets a message stored on one process be fetched and acknowledged on another', async () => {
    const { a, b } = await pair();
    const aSend = await personalSocket(node(0), a, b);
    await sendPersonal(aSend, a, b, 'stored', '2021-01-20T10:00:00Z');
    const bRecv = await receiveSocket(node(2), b);
    const [chunk] = await fetchAll(bRecv, b);
    expect(chunk?.messages.map((m: { message: string }) => m.message)).toEqual(['stored']);
    const bSend = await personalSocket(node(1), b, a);
    bSend.send(envelope('msg_received', b.phone, a.phone, '2021-01-20T10:00:00Z', '2021-01-20T10:00:01Z'));
    expect(await bSend.quiet(500)).toEqual([]);
    expect(bSend.closeCode).toBeUndefined();
    const [after] = await fetchAll(bRecv, b);
    expect(after?.messages).toEqual([]);
  });
});
