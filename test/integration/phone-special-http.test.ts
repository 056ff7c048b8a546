// POST /chat/special/special/: the caller's dialogues, groups and room, whatever the room state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup } from '../support/clients.js';
import { createGroup, openDialogue, openRoom } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/;

describe('POST /chat/special/special/', () => {
  it('lists dialogues and groups without a room, and the room while it is active or ended', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const c = await signup(server);
    await openDialogue(server, a, b);
    const key = await createGroup(server, b, [a], 'friends');
    const special = () => request(server, 'POST', '/chat/special/special/', { token: a.token, body: { msg_from: a.phone } });

    const before = await special();
    expect(before.status).toBe(200);
    expect(Object.keys(before.body)).toEqual(['data', 'info', 'message']);
    expect(before.body).toMatchObject({ info: 'success', message: 'the data has been returned' });
    expect(before.body.data.personal).toHaveLength(1);
    const [dialogue] = before.body.data.personal;
    expect(Object.keys(dialogue)).toEqual(['sender', 'receiver', 'last_received_receiver', 'last_seen_receiver']);
    expect(dialogue).toMatchObject({ sender: a.phone, receiver: b.phone });
    expect(dialogue.last_received_receiver).toMatch(TIMESTAMP);
    expect(before.body.data.group).toEqual([
      { name: 'friends', key, bio: 'we are the best', participants: expect.arrayContaining([a.phone, b.phone]), admin: [b.phone] },
    ]);
    expect(before.body.data.room).toEqual([]);

    await openRoom(server, c, a);
    const during = await special();
    expect(during.body.data.room).toMatchObject({ participants: [a.phone, 'room'], active: true });
    expect(during.body.data.room.created).toMatch(TIMESTAMP);
    expect(during.body.data.personal).toHaveLength(1);
    expect(JSON.stringify(during.body)).not.toContain(c.phone);

    expect((await request(server, 'PUT', '/chat/special/room/', { token: c.token, body: { msg_from: c.phone } })).status).toBe(200);
    expect((await special()).body.data.room).toMatchObject({ active: false });
  });

  it('refuses the wrong caller and bad input', async () => {
    const a = await signup(server);
    const b = await signup(server);
    const post = (token: string | undefined, body: unknown) => request(server, 'POST', '/chat/special/special/', { token, body });
    expect((await post(undefined, { msg_from: a.phone })).status).toBe(401);
    expect((await post('f'.repeat(40), { msg_from: a.phone })).status).toBe(401);
    expect(await post(b.token, { msg_from: a.phone })).toMatchObject({ status: 403, body: { detail: 'msg_from must be your own phone.' } });
    expect(await post(a.token, {})).toMatchObject({ status: 400, body: { msg_from: ['This field is required.'] } });
    expect((await post(a.token, { msg_from: 42 })).status).toBe(400);
    expect((await request(server, 'POST', '/chat/special/special/', { token: a.token, raw: '[' })).status).toBe(400);
    expect((await request(server, 'GET', '/chat/special/special/', { token: a.token })).status).toBe(405);
  });
});
