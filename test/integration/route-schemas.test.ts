// What the route schemas decide before the core sees a request: the core's limits, in the
// originals' words, and one value per query parameter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup } from '../support/clients.js';
import { createRoom, roomsUser, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let owner: RoomsUser;
beforeAll(async () => {
  server = await startTestServer();
  owner = await roomsUser(server);
});
afterAll(async () => {
  await server.close();
});

describe('room limits come from the core', () => {
  it('refuses a name over 50 characters, however long, in the core words', async () => {
    for (const length of [51, 201, 5000]) {
      const result = await request(server, 'POST', '/api/chat/create-group/', { token: owner.token, body: { name: 'x'.repeat(length), members: [] } });
      expect(result.status).toBe(400);
      expect(result.body).toEqual({ name: ['Ensure this field has no more than 50 characters.'] });
    }
    const fits = await request(server, 'POST', '/api/chat/create-group/', { token: owner.token, body: { name: 'y'.repeat(50), members: [] } });
    expect(fits.status).toBe(201);
  });

  it('refuses a description over 1000 characters, and a blank name, on edit too', async () => {
    const room = await createRoom(server, owner, []);
    const long = await request(server, 'PUT', `/api/chat/edit-group/${room}/`, { token: owner.token, body: { description: 'd'.repeat(5001) } });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({ description: ['Ensure this field has no more than 1000 characters.'] });
    const blank = await request(server, 'PUT', `/api/chat/edit-group/${room}/`, { token: owner.token, body: { name: ' \t ' } });
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual({ name: ['This field may not be blank.'] });
  });
});

describe('schema refusals', () => {
  it('word an over-long text as Django REST framework does', async () => {
    const user = await signup(server);
    const result = await request(server, 'GET', `/chat/info/active/?user_num=${'1'.repeat(33)}`, { token: user.token });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ user_num: ['Ensure this field has no more than 32 characters.'] });
  });

  it('take one value per query parameter', async () => {
    const room = await createRoom(server, owner, []);
    const result = await request(server, 'GET', `/api/chat/groups/${room}/messages/?page=1&page=2`, { token: owner.token });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ page: ['Not a valid string.'] });
  });
});
