// Rules that hold under concurrency because they are checked inside the write: a room's pin
// cap, and a group admin's rights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup } from '../support/clients.js';
import { createGroup, groupCommand } from '../support/phone.js';
import { createRoom, roomSocket, roomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('the pin cap', () => {
  it('holds when 10 members pin 10 messages at once: exactly 3 are pinned, 7 are refused', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => roomsUser(server, `Pinner${i}`, 'P')));
    const [owner] = users;
    if (!owner) throw new Error('no owner');
    const roomId = await createRoom(server, owner, users.slice(1));
    const sockets = await Promise.all(users.map((user) => roomSocket(server, roomId, user)));
    const ids: number[] = [];
    for (const [i, socket] of sockets.entries()) {
      socket.send({ action: 'send_message', message: `pin me ${i}` });
      ids.push((await socket.take((frame) => frame.message === `pin me ${i}`)).id as number);
    }
    // Every frame in the same tick: the ten pins race through the server together.
    for (const [i, socket] of sockets.entries()) socket.send({ action: 'pin_message', message_id: ids[i] });
    const outcomes = await Promise.all(
      sockets.map((socket, i) => socket.take((frame) => frame.error !== undefined || (frame.action === 'message_pinned' && frame.id === ids[i]))),
    );
    expect(outcomes.filter((frame) => frame.is_pinned === true)).toHaveLength(3);
    expect(outcomes.filter((frame) => frame.error !== undefined)).toEqual(
      Array.from({ length: 7 }, () => ({ error: 'A room can have at most 3 pinned messages.' })),
    );
    const history = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/?page_size=100`, { token: owner.token });
    expect(history.body.results.filter((message: { is_pinned: boolean }) => message.is_pinned)).toHaveLength(3);
    await Promise.all(sockets.map((socket) => socket.close()));
  });
});

describe('a group admin', () => {
  it('demoted while a command of theirs was under way cannot act: the rights are checked in the write', async () => {
    const [a, b, c] = [await signup(server), await signup(server), await signup(server)];
    const key = await createGroup(server, a, [b, c]);
    expect((await groupCommand(server, a, 'promote', key, b)).status).toBe(200);
    // B's request has read the group (B an admin) when A's demotion of B commits; only then does
    // B's command write. The core's entry point is used so that the interleaving is certain.
    const { core } = server.parley;
    const seenByB = await core.groups.byKey(key);
    const actorB = await core.accounts.byPhone(b.phone);
    const targetC = await core.accounts.byPhone(c.phone);
    if (!seenByB || !actorB || !targetC) throw new Error('group or accounts missing');
    expect(seenByB.members.find((m) => m.accountId === actorB.id)?.role).toBe('admin');
    expect((await groupCommand(server, a, 'demote', key, b)).status).toBe(200);

    for (const command of ['remove', 'demote'] as const) expect(await core.groups.administer(command, actorB, seenByB, targetC)).toBe('not_admin');
    expect(await core.groups.delete(actorB, seenByB)).toBe('not_admin');
    const group = await core.groups.byKey(key);
    expect(group?.members.map((m) => [m.accountId, m.role]).sort()).toEqual(
      [
        [(await core.accounts.byPhone(a.phone))?.id, 'admin'],
        [actorB.id, 'member'],
        [targetC.id, 'member'],
      ].sort(),
    );
  });
});
