// Who may add whom to a room or a group: only contacts (accounts that already share a
// dialogue, group or room), and the answer for anyone else is the answer for an id or phone
// nobody has, so adding members is no way to list the accounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, type User } from '../support/clients.js';
import { createGroup, groupCommand, openDialogue, openRoom } from '../support/phone.js';
import { createRoom, roomsUser, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const post = (path: string, user: RoomsUser, body: unknown) => request(server, 'POST', path, { token: user.token, body });
const doesNotExist = (id: number) => `Invalid pk "${id}" - object does not exist.`;
const NO_SUCH_ID = 99_999_999;

async function memberIds(user: RoomsUser, roomId: number): Promise<number[]> {
  const members = await request(server, 'GET', `/api/chat/groups/${roomId}/members/`, { token: user.token });
  return (members.body as Array<{ id: number }>).map((m) => m.id).sort((x, y) => x - y);
}

describe('rooms: create-group and add-members', () => {
  it('refuses a stranger exactly as an id nobody has, and adds nobody', async () => {
    const a = await roomsUser(server);
    const stranger = await roomsUser(server);
    const roomId = await createRoom(server, a, []);
    const added = await post(`/api/chat/group/${roomId}/add-members/`, a, { members: [stranger.id, NO_SUCH_ID] });
    expect(added.status).toBe(400);
    expect(added.body).toEqual({ members: [doesNotExist(stranger.id), doesNotExist(NO_SUCH_ID)] });
    const alone = await post(`/api/chat/group/${roomId}/add-members/`, a, { members: [stranger.id] });
    const unknown = await post(`/api/chat/group/${roomId}/add-members/`, a, { members: [NO_SUCH_ID] });
    expect(alone.status).toBe(unknown.status);
    expect(JSON.stringify(alone.body).replace(String(stranger.id), 'ID')).toBe(JSON.stringify(unknown.body).replace(String(NO_SUCH_ID), 'ID'));
    expect(await memberIds(a, roomId)).toEqual([a.id]);

    const created = await post('/api/chat/create-group/', a, { name: `consent_${stranger.id}`, members: [stranger.id] });
    expect(created).toMatchObject({ status: 400, body: { members: [doesNotExist(stranger.id)] } });
  });

  it('adds contacts: a dialogue partner, and members of a room one shares', async () => {
    const a = await roomsUser(server);
    const b = await roomsUser(server);
    const c = await roomsUser(server);
    await openDialogue(server, a, b);
    const first = await createRoom(server, a, []);
    expect((await post(`/api/chat/group/${first}/add-members/`, a, { members: [b.id] })).body).toEqual({
      message: 'Members added successfully.',
      members_count: 2,
    });
    // c shares nothing with b until b and c are in a room together.
    const second = await post('/api/chat/create-group/', b, { name: `contacts_${c.id}`, members: [c.id] });
    expect(second.body).toEqual({ members: [doesNotExist(c.id)] });
    await createRoom(server, a, [c]);
    const third = await post('/api/chat/create-group/', a, { name: `contacts_${b.id}_${c.id}`, members: [b.id, c.id] });
    expect(third.status).toBe(201);
    expect(await memberIds(a, third.body.room.id)).toEqual([a.id, b.id, c.id].sort((x, y) => x - y));
  });

  it('does not count a match room: its partner is anonymous', async () => {
    const a = await roomsUser(server);
    const b = await roomsUser(server);
    await openRoom(server, a, b);
    const roomId = await createRoom(server, a, []);
    expect((await post(`/api/chat/group/${roomId}/add-members/`, a, { members: [b.id] })).body).toEqual({ members: [doesNotExist(b.id)] });
  });

  it('caps the ids of one request', async () => {
    const a = await roomsUser(server);
    const roomId = await createRoom(server, a, []);
    const many = Array.from({ length: 501 }, (_, i) => i + 1);
    const refused = await post(`/api/chat/group/${roomId}/add-members/`, a, { members: many });
    expect(refused.status).toBe(400);
    expect(refused.body.members[0]).toMatch(/500/);
    expect((await post('/api/chat/create-group/', a, { name: `cap_${a.id}`, members: many })).status).toBe(400);
  });
});

describe('phone groups: creation and add', () => {
  const groupBody = (admin: User, participants: string[]) =>
    request(server, 'POST', '/chat/special/group/', { token: admin.token, body: { name: 'g', admin: [], participants } });

  it('names a stranger as a phone that does not exist, and creates nothing', async () => {
    const a = await signup(server);
    const stranger = await signup(server);
    const friend = await signup(server);
    await openDialogue(server, a, friend);
    const refused = await groupBody(a, [friend.phone, stranger.phone, '0000000000']);
    expect(refused).toMatchObject({
      status: 400,
      body: {
        message: { participants: [`Object with ph_num=${stranger.phone} does not exist.`, 'Object with ph_num=0000000000 does not exist.'] },
        info: 'error',
      },
    });
    const created = await groupBody(a, [friend.phone]);
    expect(created.status).toBe(201);
    expect([...created.body.participants].sort()).toEqual([a.phone, friend.phone].sort());
  });

  it('answers add, remove and promote of a stranger as of a phone nobody has', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const stranger = await signup(server);
    const key = await createGroup(server, a, [b]);
    const nobody = { ...stranger, phone: '0000000000' };
    for (const command of ['add', 'remove', 'promote', 'demote']) {
      const known = await groupCommand(server, a, command, key, stranger);
      const unknown = await groupCommand(server, a, command, key, nobody);
      expect([command, known.status, known.body]).toEqual([command, unknown.status, unknown.body]);
      // A member who is no admin is refused the same way for both, too.
      const byMember = await groupCommand(server, b, command, key, stranger);
      expect([command, byMember.status, byMember.body]).toEqual([command, 403, { info: 'error', message: 'The Sender is not an Admin' }]);
      expect((await groupCommand(server, b, command, key, nobody)).body).toEqual(byMember.body);
    }
    expect((await groupCommand(server, a, 'add', key, stranger)).body).toEqual({ detail: 'Not found.', code: 'not_found' });
    const info = await request(server, 'PATCH', '/chat/info/group/', { token: a.token, body: { grp_name: key } });
    expect(info.body.participants).not.toContain(stranger.phone);
    await openDialogue(server, a, stranger);
    expect((await groupCommand(server, a, 'add', key, stranger)).body).toMatchObject({ info: 'added' });
  });
});
