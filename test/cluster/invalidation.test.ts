// Caches stay true across processes: a token revoked, a member removed, on one process or by the
// command line, is refused on every process within a second, also when Redis was restarted in
// between (a process that missed the invalidation drops its caches when its bus comes back).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, within, type SocketClient, type User } from '../support/clients.js';
import { createGroup, envelope, groupCommand, groupSocket } from '../support/phone.js';
import { createRoom, roomsUser } from '../support/rooms.js';
import type { Endpoint } from '../support/server.js';
import { startCluster, startNode, type Cluster, type ParleyProcess } from './support.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/src/cli.js');
const run = promisify(execFile);

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster(0);
});
afterAll(async () => {
  await cluster.stop();
});

/** Whether the process takes the token (an authenticated request that changes nothing). */
async function accepts(node: Endpoint, user: User): Promise<boolean> {
  const { status } = await request(node, 'PATCH', '/chat/info/active/', { token: user.token, body: { user_num: user.phone } });
  if (status !== 200 && status !== 401) throw new Error(`unexpected status ${status}`);
  return status === 200;
}

let stamp = 0;
/** Sends one group message; true when it is refused because the sender is no member. */
async function refusedInGroup(socket: SocketClient, user: User, key: string): Promise<boolean> {
  stamp += 1;
  socket.send(envelope('new_grp_msg', user.phone, key, 'still in?', new Date(Date.UTC(2022, 0, 1, 0, 0, 0, stamp)).toISOString()));
  const answer = await socket.take((f) => f.command === 'msg_sent' || f.command === 'error');
  if (answer.command === 'msg_sent') return false;
  expect(answer.message).toBe('you are not a member of this conversation');
  return true;
}

/** A group of an admin and a member, whose group socket is open (and its membership cached) on each node. */
async function groupWithMember(nodes: ParleyProcess[]): Promise<{ admin: User; member: User; key: string; sockets: SocketClient[] }> {
  const [first] = nodes;
  if (!first) throw new Error('no node');
  const admin = await signup(first);
  const member = await signup(first);
  const key = await createGroup(first, admin, [member]);
  const sockets = await Promise.all(nodes.map((node) => groupSocket(node, member, key)));
  for (const socket of sockets) expect(await refusedInGroup(socket, member, key)).toBe(false);
  return { admin, member, key, sockets };
}

function parley(...args: string[]): Promise<{ stdout: string }> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, ...cluster.env } });
}

describe('a change made on one process', () => {
  it('is refused on every other process within a second: a revoked token, a removed member', async () => {
    const nodes = [await startNode(cluster), await startNode(cluster), await startNode(cluster)];
    const [a] = nodes as [ParleyProcess, ...ParleyProcess[]];
    const user = await signup(a);
    for (const node of nodes) expect(await accepts(node, user)).toBe(true);
    const group = await groupWithMember(nodes);

    expect((await request(a, 'POST', '/auth/logout/', { token: user.token })).status).toBe(200);
    const revoked = await Promise.all(nodes.map((node) => within(1000, async () => !(await accepts(node, user)), 'the revocation')));

    expect((await groupCommand(a, group.admin, 'remove', group.key, group.member)).status).toBe(200);
    const removed = await Promise.all(
      group.sockets.map((socket) => within(1000, () => refusedInGroup(socket, group.member, group.key), 'the removal')),
    );
    console.log(`revocation seen after ${revoked.map((ms) => ms.toFixed(0)).join('/')} ms, removal after ${removed.map((ms) => ms.toFixed(0)).join('/')} ms`);
  });

  it('made by the command line is refused on every process within a second', async () => {
    const nodes = [await startNode(cluster), await startNode(cluster)];
    const [a] = nodes as [ParleyProcess, ...ParleyProcess[]];
    const owner = await roomsUser(a, 'Olga');
    const member = await roomsUser(a, 'Max');
    const roomId = await createRoom(a, owner, [member]);
    const history = (node: Endpoint, who: { token: string }) => request(node, 'GET', `/api/chat/groups/${roomId}/messages/`, { token: who.token });
    for (const node of nodes) expect((await history(node, member)).status).toBe(200);

    await parley('room', 'remove-member', String(roomId), member.email);
    await Promise.all(nodes.map((node) => within(1000, async () => (await history(node, member)).status === 403, 'the removal')));
    await parley('user', 'revoke', owner.email);
    await Promise.all(nodes.map((node) => within(1000, async () => (await history(node, owner)).status === 401, 'the revocation')));
  });
});

describe('with Redis restarted in between', () => {
  it('a process that missed the invalidations refuses the revoked token and the removed member once Redis is back', async () => {
    const survivor = await startNode(cluster);
    const doomed = await startNode(cluster);
    const user = await signup(survivor);
    expect(await accepts(survivor, user)).toBe(true);
    const group = await groupWithMember([survivor]);
    const [socket] = group.sockets as [SocketClient];

    await cluster.redis.stop();
    // Written to the store, but the invalidations wait in the doomed process's Redis queue and
    // die with it: the survivor can only learn of them from the store.
    expect((await request(doomed, 'POST', '/auth/logout/', { token: user.token })).status).toBe(200);
    expect((await groupCommand(doomed, group.admin, 'remove', group.key, group.member)).status).toBe(200);
    await doomed.kill('SIGKILL');
    // Still cached as they were: what the caches would serve without the drop on reconnection.
    expect(await accepts(survivor, user)).toBe(true);
    expect(await refusedInGroup(socket, group.member, group.key)).toBe(false);

    await cluster.redis.resume();
    await survivor.waitReady();
    const revoked = await within(1000, async () => !(await accepts(survivor, user)), 'the missed revocation');
    const removed = await within(1000, () => refusedInGroup(socket, group.member, group.key), 'the missed removal');
    console.log(`after Redis came back: missed revocation refused after ${revoked.toFixed(0)} ms, missed removal after ${removed.toFixed(0)} ms`);
  });

  it('a change made after the restart reaches every process within a second', async () => {
    const nodes = [await startNode(cluster), await startNode(cluster)];
    const [a, b] = nodes as [ParleyProcess, ParleyProcess];
    const user = await signup(a);
    for (const node of nodes) expect(await accepts(node, user)).toBe(true);
    const group = await groupWithMember(nodes);

    await cluster.redis.stop();
    await cluster.redis.resume();
    await Promise.all(nodes.map((node) => node.waitReady()));
    // The caches were dropped on reconnection; fill them again so that only an invalidation can help.
    expect(await accepts(b, user)).toBe(true);
    expect(await refusedInGroup(group.sockets[1] as SocketClient, group.member, group.key)).toBe(false);

    expect((await request(a, 'POST', '/auth/logout/', { token: user.token })).status).toBe(200);
    expect((await groupCommand(a, group.admin, 'remove', group.key, group.member)).status).toBe(200);
    await within(1000, async () => !(await accepts(b, user)), 'the revocation');
    await within(1000, () => refusedInGroup(group.sockets[1] as SocketClient, group.member, group.key), 'the removal');
  });
});
