// The rooms dialect's REST endpoints: accounts, rooms, members, history and read state, each
// with bad input and the wrong caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/clients.js';
import { openDialogue } from '../support/phone.js';
import { createRoom, roomSocket, roomsUser, sendAll, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const get = (path: string, user?: RoomsUser) => request(server, 'GET', path, { token: user?.token });
const post = (path: string, user?: RoomsUser, body?: unknown) => request(server, 'POST', path, { token: user?.token, body });

async function trio(): Promise<{ a: RoomsUser; b: RoomsUser; c: RoomsUser; roomId: number }> {
  const a = await roomsUser(server, 'Anagh', 'Jaiswar');
  const b = await roomsUser(server, 'Achal', 'Vishnoi');
  const c = await roomsUser(server, 'Carol', 'Out');
  return { a, b, c, roomId: await createRoom(server, a, [b]) };
}

describe('accounts', () => {
  it('logs in accounts made by /auth/signup/, and refuses bad credentials like the original', async () => {
    const a = await roomsUser(server);
    expect((await post('/api/user/login/', undefined, { email: a.email, password: 'wrong' })).body).toEqual({
      detail: 'Invalid email or password.',
    });
    expect((await post('/api/user/login/', undefined, {})).status).toBe(403);
    expect((await post('/api/user/login/', undefined, { email: a.email })).status).toBe(403);
    expect((await post('/api/user/login/', undefined, { email: 5, password: 'x' })).status).toBe(400);
    const raw = await request(server, 'POST', '/api/user/login/', { raw: '{"email":' });
    expect(raw.status).toBe(400);
    const upper = await post('/api/user/login/', undefined, { email: a.email.toUpperCase(), password: a.password });
    expect(upper.status).toBe(200);
    expect(upper.body).toMatchObject({ year: null, is_completed: false, missing_fields: ['photo', 'year'], message: 'Welcome Anagh!' });
    // The same account through the phone dialect's login.
    expect((await post('/auth/login/', undefined, { email: a.email, password: a.password })).status).toBe(200);
  });

  it('serves the profile and logs out only the token presented', async () => {
    const a = await roomsUser(server);
    const profile = await get('/api/user/profile/detail/', a);
    expect(profile.body).toMatchObject({ id: a.id, email: a.email, first_name: 'Anagh', last_name: 'Jaiswar', full_name: 'Anagh Jaiswar', role: 'member' });
    expect((await get('/api/user/profile/detail/')).status).toBe(401);
    const second = (await post('/api/user/login/', undefined, { email: a.email, password: a.password })).body.token;
    expect((await post('/api/user/logout/')).status).toBe(401);
    expect((await post('/api/user/logout/', a)).body).toEqual({ message: 'Successfully logged out.' });
    expect((await get('/api/user/profile/detail/', a)).body).toMatchObject({ detail: 'Invalid token.' });
    expect((await request(server, 'GET', '/api/user/profile/detail/', { token: second })).status).toBe(200);
  });
});

describe('room lists', () => {
  it('lists my active rooms only, with read state, and refuses callers without a valid token', async () => {
    const { a, b, c, roomId } = await trio();
    const hidden = await createRoom(server, a, []);
    await request(server, 'PUT', `/api/chat/edit-group/${hidden}/`, { token: a.token, body: { is_active: false } });
    expect((await get('/api/chat/groups/')).status).toBe(401);
    expect((await request(server, 'GET', '/api/chat/groups/', { token: 'deadbeef' })).status).toBe(401);
    expect((await get('/api/chat/groups/', c)).body).toEqual([]);
    const mine = await get('/api/chat/groups/', b);
    expect(mine.body.map((r: any) => r.id)).toEqual([roomId]);
    expect(Object.keys(mine.body[0])).toEqual([
      'id', 'name', 'description', 'room_avatar', 'is_active', 'unread_count', 'last_read_timestamp',
      'last_read_message_id', 'created_by', 'created_at', 'updated_at', 'last_message',
    ]);
    expect(mine.body[0].created_by).toEqual({ id: a.id, first_name: 'Anagh', last_name: 'Jaiswar' });
    const list = await get('/api/chat/groups/list/', c);
    expect(list.body).toEqual([]);
    const listed = await get('/api/chat/groups/list/', a);
    expect(listed.body.map((r: any) => [r.id, r.members_count])).toEqual([[roomId, 2]]);
  });

  it('searches my rooms by name or description', async () => {
    const { a, c, roomId } = await trio();
    const name = (await get('/api/chat/groups/', a)).body[0].name as string;
    expect((await get('/api/chat/groups/search/', a)).body).toEqual({ error: 'Please Provide a search query.' });
    expect((await get('/api/chat/groups/search/?q=zzzz', a)).status).toBe(404);
    expect((await get(`/api/chat/groups/search/?q=${name.toUpperCase()}`, a)).body.map((r: any) => r.id)).toEqual([roomId]);
    expect((await get('/api/chat/groups/search/?q=a%20room', a)).body.map((r: any) => r.id)).toEqual([roomId]);
    expect((await get(`/api/chat/groups/search/?q=${name}`, c)).body).toEqual({ message: 'No groups Found' });
    expect((await get('/api/chat/groups/search/?q=%25', a)).status).toBe(404);
  });
});

describe('members', () => {
  it('lists and searches members for members only', async () => {
    const { a, b, c, roomId } = await trio();
    const members = await get(`/api/chat/groups/${roomId}/members/`, b);
    expect(members.body.map((m: any) => m.id)).toEqual([a.id, b.id]);
    expect(Object.keys(members.body[0])).toEqual(['id', 'first_name', 'last_name', 'role', 'photo', 'year', 'current_status']);
    expect((await get(`/api/chat/groups/${roomId}/members/`, c)).status).toBe(403);
    expect((await get('/api/chat/groups/999999/members/', c)).status).toBe(404);
    expect((await get('/api/chat/groups/abc/members/', c)).status).toBe(404);
    expect((await get(`/api/chat/groups/${roomId}/search/members/?q=ach`, c)).body).toEqual({ message: 'You are not a member of this group' });
    expect((await get(`/api/chat/groups/${roomId}/search/members/`, a)).status).toBe(400);
    expect((await get(`/api/chat/groups/${roomId}/search/members/?q=zzz`, a)).body).toEqual({ message: 'no user found' });
    expect((await get(`/api/chat/groups/999999/search/members/?q=a`, a)).status).toBe(404);
  });
});

describe('create, edit, delete', () => {
  it('creates a room with the creator as a member, and refuses bad input', async () => {
    const a = await roomsUser(server);
    const name = `made_${Date.now()}`;
    const created = await post('/api/chat/create-group/', a, { name, description: 'd', members: [] });
    expect(created.status).toBe(201);
    expect(created.body.message).toBe('Room created successfully');
    expect(created.body.room).toMatchObject({ name, is_active: true, unread_count: 0, last_message: null });
    expect((await get('/api/chat/groups/', a)).body.map((r: any) => r.id)).toEqual([created.body.room.id]);
    expect((await get(`/api/chat/groups/${created.body.room.id}/members/`, a)).body.map((m: any) => m.id)).toEqual([a.id]);
    expect((await post('/api/chat/create-group/', a, { name, members: [] })).body).toEqual({ name: ['room with this name already exists.'] });
    expect((await post('/api/chat/create-group/', a, { name: 'x_no_members' })).body).toEqual({ members: ['This field is required.'] });
    expect((await post('/api/chat/create-group/', a, { name: 'x', members: [99999999] })).body).toEqual({
      members: ['Invalid pk "99999999" - object does not exist.'],
    });
    expect((await post('/api/chat/create-group/', a, { name: 7, members: [] })).status).toBe(400);
    expect((await post('/api/chat/create-group/', a, { name: '  ', members: [] })).body).toEqual({ name: ['This field may not be blank.'] });
    expect((await post('/api/chat/create-group/', a, { name: 'x'.repeat(51), members: [] })).status).toBe(400);
    expect((await post('/api/chat/create-group/', undefined, { name: 'y', members: [] })).status).toBe(401);
  });

  it('lets only the creator or a room admin edit and delete', async () => {
    const { a, b, c, roomId } = await trio();
    const edit = (user: RoomsUser, body: unknown, id = roomId) => request(server, 'PUT', `/api/chat/edit-group/${id}/`, { token: user.token, body });
    expect((await edit(c, { name: 'pwned' })).status).toBe(403);
    expect((await edit(b, { description: 'renamed by B' })).body).toMatchObject({ detail: 'You do not have permission to edit this room.' });
    expect((await edit(a, { description: 'renamed by A' })).body).toMatchObject({ message: 'Room updated successfully', room: { description: 'renamed by A' } });
    expect((await edit(a, { name: 5 })).status).toBe(400);
    expect((await edit(a, {}, 999999)).status).toBe(404);
    const other = await createRoom(server, c, []);
    const otherName = (await get('/api/chat/groups/', c)).body.find((r: any) => r.id === other).name;
    expect((await edit(a, { name: otherName })).body).toEqual({ name: ['room with this name already exists.'] });

    expect((await request(server, 'DELETE', `/api/chat/delete-group/${roomId}/`, { token: b.token })).status).toBe(403);
    expect((await request(server, 'DELETE', `/api/chat/delete-group/${roomId}/`, { token: c.token })).status).toBe(403);
    expect((await post(`/api/chat/group/${roomId}/transfer-ownership/`, a, { new_owner_id: b.id })).body).toEqual({
      message: 'Ownership transferred successfully.',
      new_owner: { id: b.id, first_name: 'Achal', last_name: 'Vishnoi' },
    });
    expect((await edit(b, { description: 'now mine' })).status).toBe(200);
    expect((await request(server, 'DELETE', `/api/chat/delete-group/${roomId}/`, { token: b.token })).body).toEqual({ message: 'Room deleted successfully.' });
    expect((await get(`/api/chat/groups/${roomId}/messages/`, b)).status).toBe(404);
  });
});

describe('membership', () => {
  it('offers no self-join; admins add members; members leave; the creator hands over first', async () => {
    const { a, b, c, roomId } = await trio();
    expect((await post(`/api/chat/group/${roomId}/add-yourself/`, c)).status).toBe(404);
    expect((await post(`/api/chat/group/${roomId}/add-members/`, c, { members: [c.id] })).status).toBe(403);
    expect((await post(`/api/chat/group/${roomId}/add-members/`, b, { members: [c.id] })).status).toBe(403);
    expect((await post(`/api/chat/group/${roomId}/add-members/`, a, { members: [99999999] })).status).toBe(400);
    expect((await post(`/api/chat/group/${roomId}/add-members/`, a, { members: 'all' })).status).toBe(400);
    await openDialogue(server, a, c);
    expect((await post(`/api/chat/group/${roomId}/add-members/`, a, { members: [c.id] })).body).toEqual({
      message: 'Members added successfully.',
      members_count: 3,
    });
    expect((await get(`/api/chat/groups/${roomId}/messages/`, c)).status).toBe(200);
    expect((await post(`/api/chat/group/${roomId}/remove-yourself/`, c)).body).toEqual({
      message: 'You have successfully removed yourself from the group.',
    });
    expect((await get(`/api/chat/groups/${roomId}/messages/`, c)).body).toMatchObject({ detail: 'You are not a member of this room.' });
    expect((await post(`/api/chat/group/${roomId}/remove-yourself/`, c)).status).toBe(403);
    expect((await post(`/api/chat/group/${roomId}/remove-yourself/`, a)).body).toMatchObject({
      detail: 'You are the group creator. Transfer ownership before leaving.',
    });
    expect((await post(`/api/chat/group/${roomId}/transfer-ownership/`, b, { new_owner_id: b.id })).status).toBe(403);
    expect((await post(`/api/chat/group/${roomId}/transfer-ownership/`, a, { new_owner_id: c.id })).body).toMatchObject({
      detail: 'The specified user is not a member of this group.',
    });
    expect((await post(`/api/chat/group/${roomId}/transfer-ownership/`, a, {})).status).toBe(400);
  });
});

describe('history', () => {
  it('pages newest first with DRF links, for members of active rooms only', async () => {
    const { a, b, c, roomId } = await trio();
    const ids = await sendAll(server, a, roomId, ['one', 'two', 'three']);
    const page2 = await get(`/api/chat/groups/${roomId}/messages/?page=2&page_size=2`, b);
    expect(page2.body.count).toBe(3);
    expect(page2.body.results.map((m: any) => m.id)).toEqual([ids[0]]);
    expect(page2.body.next).toBeNull();
    expect(page2.body.previous).toBe(`${server.url}/api/chat/groups/${roomId}/messages/?page_size=2`);
    const page1 = await get(`/api/chat/groups/${roomId}/messages/?page_size=2`, b);
    expect(page1.body.results.map((m: any) => m.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.next).toBe(`${server.url}/api/chat/groups/${roomId}/messages/?page=2&page_size=2`);
    expect(page1.body.previous).toBeNull();
    const posted = await post(`/api/chat/groups/${roomId}/messages/?page_size=2`, b);
    expect(posted.body).toEqual(page1.body);
    expect((await get(`/api/chat/groups/${roomId}/messages/?page=99`, b)).body).toEqual({ detail: 'Invalid page.' });
    expect((await get(`/api/chat/groups/${roomId}/messages/?page=abc`, b)).status).toBe(404);
    expect((await get(`/api/chat/groups/${roomId}/messages/?page=0`, b)).status).toBe(404);
    expect((await get(`/api/chat/groups/${roomId}/messages/?page_size=abc`, b)).body.results).toHaveLength(3);
    expect((await get(`/api/chat/groups/${roomId}/messages/`, c)).status).toBe(403);
    expect((await get(`/api/chat/groups/${roomId}/messages/`)).status).toBe(401);
    expect((await get('/api/chat/groups/999999/messages/', a)).body).toMatchObject({ detail: 'Not found.' });
    expect((await get('/api/chat/groups/abc/messages/', a)).status).toBe(404);
    const empty = await createRoom(server, a, []);
    expect((await get(`/api/chat/groups/${empty}/messages/`, a)).body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  it('counts unread messages of others after the last mark-as-read, for members only', async () => {
    const { a, b, c, roomId } = await trio();
    await sendAll(server, a, roomId, ['one', 'two']);
    const before = (await get('/api/chat/groups/', b)).body[0];
    expect(before).toMatchObject({ unread_count: 2, last_read_timestamp: null, last_read_message_id: null });
    expect((await get('/api/chat/groups/', a)).body[0].unread_count).toBe(0);
    expect((await post(`/api/chat/groups/${roomId}/mark-as-read/`, b)).body).toEqual({ message: 'Room marked as read.' });
    const after = (await get('/api/chat/groups/', b)).body[0];
    expect(after.unread_count).toBe(0);
    expect(after.last_read_timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    expect(after.last_read_message_id).toBe(after.last_message.id);
    const [third] = await sendAll(server, a, roomId, ['three']);
    const later = (await get('/api/chat/groups/', b)).body[0];
    expect(later).toMatchObject({ unread_count: 1, last_message: { id: third, content: 'three' } });
    expect((await post(`/api/chat/groups/${roomId}/mark-as-read/`, c)).status).toBe(403);
    expect((await post('/api/chat/groups/999999/mark-as-read/', c)).status).toBe(404);
    expect((await post(`/api/chat/groups/${roomId}/mark-as-read/`)).status).toBe(401);
  });
});

describe('time zone', () => {
  it('writes REST times in PARLEY_TIME_ZONE and socket times in UTC, for the same instant', async () => {
    const zoned = await startTestServer({ timeZone: 'Asia/Kolkata' });
    try {
      const previous = server;
      server = zoned;
      const a = await roomsUser(zoned);
      const roomId = await createRoom(zoned, a, []);
      const socket = await roomSocket(zoned, roomId, a);
      socket.send({ message: 'when?' });
      const frame = await socket.next();
      await socket.close();
      const [item] = (await get(`/api/chat/groups/${roomId}/messages/`, a)).body.results;
      server = previous;
      expect(frame.created_at).toMatch(/\.\d{6}\+00:00$/);
      expect(item.created_at).toMatch(/\.\d{6}\+05:30$/);
      expect(Date.parse(item.created_at)).toBe(Date.parse(frame.created_at));
      expect(item.created_at.slice(20, 26)).toBe(frame.created_at.slice(20, 26));
    } finally {
      await zoned.close();
    }
  });
});
