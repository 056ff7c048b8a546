// The phone dialect's group endpoints: creation, admin commands, leaving, deleting, info, and
// the update notifications each one sends (or, when refused, does not send).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, SocketClient, type User } from '../support/clients.js';
import { createGroup, envelope, fetchAll, groupCommand, groupSocket, openDialogue, receiveSocket } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const info = (user: User, key: string) => request(server, 'PATCH', '/chat/info/group/', { token: user.token, body: { grp_name: key } });

/**
 * Users with their receive sockets open, each a contact of the others (one may add only
 * contacts): their dialogues are opened before the sockets, so no socket hears of them.
 */
async function online(count: number): Promise<Array<{ user: User; recv: SocketClient }>> {
  const users: User[] = [];
  for (let i = 0; i < count; i++) users.push(await signup(server));
  for (const [i, user] of users.entries()) for (const other of users.slice(i + 1)) await openDialogue(server, user, other);
  const list = [];
  for (const user of users) list.push({ user, recv: await receiveSocket(server, user) });
  return list;
}

const UPDATE_KEYS = ['message', 'msg_from', 'msg_to', 'sent_timestamp', 'command'];

describe('POST /chat/special/group/', () => {
  it('creates the group with the caller as admin and tells every participant', async () => {
    const [a, b, c] = await online(3);
    const created = await request(server, 'POST', '/chat/special/group/', {
      token: a!.user.token,
      body: { name: 'Test Group', bio: 'we are the best', admin: [], participants: [b!.user.phone, c!.user.phone] },
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['name', 'key', 'bio', 'participants', 'admin', 'info']);
    const key = created.body.key as string;
    expect(key).toMatch(/^[0-9A-F]{10}$/);
    expect(created.body).toMatchObject({ name: 'Test Group', bio: 'we are the best', admin: [a!.user.phone], info: 'created' });
    expect([...created.body.participants].sort()).toEqual([a!.user.phone, b!.user.phone, c!.user.phone].sort());
    for (const { user, recv } of [a!, b!, c!]) {
      const update = await recv.next();
      expect(Object.keys(update)).toEqual(UPDATE_KEYS);
      expect(update).toMatchObject({
        message: { type: 'group', command: 'create', msg_from: a!.user.phone, msg_to: null },
        msg_from: key,
        msg_to: user.phone,
        command: 'update',
      });
      expect(update.sent_timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    }
    const second = await request(server, 'POST', '/chat/special/group/', { token: a!.user.token, body: { admin: [], participants: [] } });
    expect(second).toMatchObject({ status: 201, body: { name: null, bio: null, participants: [a!.user.phone], admin: [a!.user.phone] } });
    expect(second.body.key).not.toBe(key);
  });

  it("refuses bad input in the original's serializer-error shape and creates nothing", async () => {
    const [a] = await online(1);
    const token = a!.user.token;
    const bad = await request(server, 'POST', '/chat/special/group/', {
      token,
      body: { name: 'x'.repeat(31), bio: 'y'.repeat(81), admin: ['0000000000'], participants: 'nope' },
    });
    expect({ status: bad.status, body: bad.body }).toEqual({
      status: 400,
      body: {
        message: {
          name: ['Ensure this field has no more than 30 characters.'],
          bio: ['Ensure this field has no more than 80 characters.'],
          admin: ['Object with ph_num=0000000000 does not exist.'],
          participants: ['Expected a list of items but got type "string".'],
        },
        debug: "serializer error occured in 'GenericGroupViewSet'",
        info: 'error',
      },
    });
    const missing = await request(server, 'POST', '/chat/special/group/', { token, body: { name: 'n', participants: [5] } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toEqual({ admin: ['This field is required.'], participants: ['Incorrect type. Expected pk value, received number.'] });
    expect((await request(server, 'POST', '/chat/special/group/', { token, raw: '{"name":' })).status).toBe(400);
    expect((await request(server, 'POST', '/chat/special/group/', { token, body: [1, 2] })).status).toBe(400);
    expect(await a!.recv.quiet()).toEqual([]);
  });

  it('holds at most 128 participants at creation, the caller included', async () => {
    const [a] = await online(1);
    const others: User[] = [];
    for (let i = 0; i < 128; i++) {
      others.push(await signup(server));
      await openDialogue(server, a!.user, others[i]!);
    }
    const tooMany = await request(server, 'POST', '/chat/special/group/', {
      token: a!.user.token,
      body: { admin: [], participants: others.map((o) => o.phone) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message.participants[0]).toMatch(/at most 128/);
    const full = await request(server, 'POST', '/chat/special/group/', {
      token: a!.user.token,
      body: { admin: [], participants: others.slice(1).map((o) => o.phone) },
    });
    expect(full.status).toBe(201);
    expect(full.body.participants).toHaveLength(128);
    const add = await groupCommand(server, a!.user, 'add', full.body.key, others[0]);
    expect(add).toMatchObject({ status: 409, body: { info: 'error', message: 'Group Full' } });
  }, 60_000);

  it('needs credentials', async () => {
    expect((await request(server, 'POST', '/chat/special/group/', { body: { admin: [], participants: [] } })).status).toBe(401);
    const bad = await request(server, 'POST', '/chat/special/group/', { token: 'f'.repeat(40), body: { admin: [], participants: [] } });
    expect(bad).toMatchObject({ status: 401, body: { detail: 'Invalid token.' } });
  });
});

describe('PUT /chat/special/group/ admin commands', () => {
  it('adds, promotes, demotes and removes, telling the members concerned', async () => {
    const [a, b, d] = await online(3);
    const key = await createGroup(server, a!.user, [b!.user]);
    for (const { recv } of [a!, b!]) await recv.next();

    const added = await groupCommand(server, a!.user, 'add', key, d!.user);
    expect(added).toMatchObject({ status: 200, body: { info: 'added', message: 'The user has been added sucessfully' } });
    for (const { user, recv } of [a!, b!, d!]) {
      expect(await recv.next()).toMatchObject({
        message: { type: 'group', command: 'add', msg_from: a!.user.phone, msg_to: d!.user.phone },
        msg_from: key,
        msg_to: user.phone,
        command: 'update',
      });
    }

    const promoted = await groupCommand(server, a!.user, 'promote', key, b!.user);
    expect(promoted).toMatchObject({ status: 200, body: { info: 'promoted', message: 'The user has been promoted sucessfully' } });
    for (const { recv } of [a!, b!, d!]) expect((await recv.next()).message.command).toBe('promote');
    expect((await info(a!.user, key)).body.admin.sort()).toEqual([a!.user.phone, b!.user.phone].sort());

    const demoted = await groupCommand(server, b!.user, 'demote', key, a!.user);
    expect(demoted).toMatchObject({ status: 200, body: { info: 'demoted', message: 'The user has been demoted sucessfully' } });
    for (const { recv } of [a!, b!, d!]) expect((await recv.next()).message).toMatchObject({ command: 'demote', msg_from: b!.user.phone, msg_to: a!.user.phone });

    const lastAdmin = await groupCommand(server, b!.user, 'demote', key, b!.user);
    expect(lastAdmin).toMatchObject({ status: 409, body: { info: 'error', message: 'A group needs at least one admin' } });

    const removed = await groupCommand(server, b!.user, 'remove', key, a!.user);
    expect(removed).toMatchObject({ status: 200, body: { info: 'removed', message: 'The user has been removed sucessfully' } });
    for (const { recv } of [b!, d!]) expect((await recv.next()).message).toMatchObject({ command: 'remove', msg_to: a!.user.phone });
    expect(await a!.recv.quiet()).toEqual([]);
    const after = await info(b!.user, key);
    expect(after.body.participants.sort()).toEqual([b!.user.phone, d!.user.phone].sort());
    expect(after.body.admin).toEqual([b!.user.phone]);
  });

  it('refuses wrong operations, non-admins and bad input, and tells nobody', async () => {
    const [a, b, c] = await online(3);
    const outsider = await signup(server);
    const key = await createGroup(server, a!.user, [b!.user]);
    for (const { recv } of [a!, b!]) await recv.next();
    const wrong = { status: 400, body: { info: 'error', message: 'Wrong Operation' } };
    expect(await groupCommand(server, a!.user, 'add', key, b!.user)).toMatchObject(wrong);
    expect(await groupCommand(server, a!.user, 'remove', key, c!.user)).toMatchObject(wrong);
    expect(await groupCommand(server, a!.user, 'remove', key, a!.user)).toMatchObject(wrong);
    expect(await groupCommand(server, a!.user, 'promote', key, a!.user)).toMatchObject(wrong);
    expect(await groupCommand(server, a!.user, 'promote', key, c!.user)).toMatchObject(wrong);
    expect(await groupCommand(server, a!.user, 'demote', key, b!.user)).toMatchObject(wrong);
    expect(await groupCommand(server, a!.user, 'explode', key, b!.user)).toMatchObject(wrong);
    const notAdmin = { status: 403, body: { info: 'error', message: 'The Sender is not an Admin' } };
    expect(await groupCommand(server, b!.user, 'add', key, c!.user)).toMatchObject(notAdmin);
    expect(await groupCommand(server, outsider, 'remove', key, b!.user)).toMatchObject(notAdmin);
    expect(await groupCommand(server, b!.user, 'delete', key)).toMatchObject(notAdmin);

    const put = (token: string | undefined, body: unknown) => request(server, 'PUT', '/chat/special/group/', { token, body });
    expect((await put(undefined, { command: 'add', key, msg_from: a!.user.phone, msg_to: c!.user.phone })).status).toBe(401);
    const spoofed = await put(c!.user.token, { command: 'add', key, msg_from: a!.user.phone, msg_to: c!.user.phone });
    expect(spoofed).toMatchObject({ status: 403, body: { detail: 'msg_from must be your own phone.' } });
    expect(await put(a!.user.token, { command: 'add', key: 'NOSUCHKEY1', msg_from: a!.user.phone, msg_to: c!.user.phone })).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect(await put(a!.user.token, { command: 'add', key, msg_from: a!.user.phone, msg_to: '0000000000' })).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect(await put(a!.user.token, { command: 'add', key, msg_from: a!.user.phone })).toMatchObject({ status: 400, body: { msg_to: ['This field is required.'] } });
    expect(await put(a!.user.token, { key, msg_from: a!.user.phone })).toMatchObject({ status: 400, body: { command: ['This field is required.'] } });
    expect((await put(a!.user.token, { command: 'add', key: 5, msg_from: a!.user.phone, msg_to: c!.user.phone })).status).toBe(400);
    expect((await request(server, 'PUT', '/chat/special/group/', { token: a!.user.token, raw: '{' })).status).toBe(400);

    for (const { recv } of [a!, b!, c!]) expect(await recv.quiet()).toEqual([]);
  });
});

describe('leaving and deleting', () => {
  it('tells everyone who was a member, hands the admin role to the longest-standing member, and deletes an empty group', async () => {
    const [a, b, c] = await online(3);
    const key = await createGroup(server, a!.user, [b!.user, c!.user]);
    for (const { recv } of [a!, b!, c!]) await recv.next();
    const aGrp = await groupSocket(server, a!.user, key);
    aGrp.send(envelope('new_grp_msg', a!.user.phone, key, 'bye', '2021-01-20T11:00:00Z'));
    expect((await aGrp.next()).command).toBe('msg_sent');
    for (const { recv } of [b!, c!]) await recv.next();

    const left = await groupCommand(server, a!.user, 'leave', key);
    expect(left).toMatchObject({ status: 200, body: { info: 'left', message: 'the user has left the group' } });
    for (const { user, recv } of [a!, b!, c!]) {
      expect(await recv.next()).toMatchObject({ message: { type: 'group', command: 'leave', msg_from: a!.user.phone, msg_to: null }, msg_from: key, msg_to: user.phone });
    }
    const after = await info(b!.user, key);
    expect(after.body.admin).toHaveLength(1);
    expect([b!.user.phone, c!.user.phone]).toContain(after.body.admin[0]);
    expect(after.body.participants).not.toContain(a!.user.phone);
    expect(await groupCommand(server, a!.user, 'leave', key)).toMatchObject({ status: 403 });
    expect(await info(a!.user, key)).toMatchObject({ status: 403 });

    expect((await groupCommand(server, b!.user, 'leave', key)).status).toBe(200);
    expect((await groupCommand(server, c!.user, 'leave', key)).status).toBe(200);
    expect(await info(c!.user, key)).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
  });

  it('lets an admin delete the group with its messages, by PUT or DELETE', async () => {
    const [a, b] = await online(2);
    for (const method of ['PUT', 'DELETE']) {
      const key = await createGroup(server, a!.user, [b!.user]);
      for (const { recv } of [a!, b!]) await recv.next();
      const aGrp = await groupSocket(server, a!.user, key);
      aGrp.send(envelope('new_grp_msg', a!.user.phone, key, 'doomed', '2021-01-20T11:00:00Z'));
      expect((await aGrp.next()).command).toBe('msg_sent');
      await b!.recv.next();
      const deleted =
        method === 'PUT'
          ? await groupCommand(server, a!.user, 'delete', key)
          : await request(server, 'DELETE', '/chat/special/group/', { token: a!.user.token, body: { key, msg_from: a!.user.phone } });
      expect(deleted).toMatchObject({ status: 200, body: { info: 'deleted', message: 'The group has been deleted' } });
      for (const { recv } of [a!, b!]) expect((await recv.next()).message).toMatchObject({ type: 'group', command: 'delete' });
      expect((await fetchAll(b!.recv, b!.user, 'fetch_grp_msgs'))[0]?.messages).toEqual([]);
      expect(await info(a!.user, key)).toMatchObject({ status: 404 });
      aGrp.send(envelope('new_grp_msg', a!.user.phone, key, 'too late', '2021-01-20T11:00:01Z'));
      expect(await aGrp.next()).toMatchObject({ command: 'error', type: 'new_grp_msg' });
    }
    const missing = await request(server, 'DELETE', '/chat/special/group/', { token: a!.user.token, body: { msg_from: a!.user.phone } });
    expect(missing).toMatchObject({ status: 400, body: { key: ['This field is required.'] } });
  });
});

describe('PATCH /chat/info/group/', () => {
  it('answers members only, with the original body', async () => {
    const [a, b] = await online(2);
    const outsider = await signup(server);
    const key = await createGroup(server, a!.user, [b!.user]);
    const result = await info(b!.user, key);
    expect(result.status).toBe(200);
    expect(Object.keys(result.body)).toEqual(['name', 'key', 'bio', 'participants', 'admin', 'info']);
    expect(result.body).toMatchObject({ name: 'Test Group', key, bio: 'we are the best', admin: [a!.user.phone], info: 'returned' });
    const byGet = await request(server, 'GET', `/chat/info/group/?grp_name=${key}`, { token: a!.user.token });
    expect(byGet.body).toEqual(result.body);
    expect(await info(outsider, key)).toMatchObject({ status: 403, body: { info: 'error' } });
    expect(await info(a!.user, 'NOSUCHKEY1')).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect((await request(server, 'PATCH', '/chat/info/group/', { body: { grp_name: key } })).status).toBe(401);
    expect(await request(server, 'PATCH', '/chat/info/group/', { token: a!.user.token, body: {} })).toMatchObject({ status: 400, body: { grp_name: ['This field is required.'] } });
  });
});
