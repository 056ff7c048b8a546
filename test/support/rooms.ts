// Rooms-dialect helpers for the integration suite: accounts logged in through /api/user/login/,
// rooms made through /api/chat/create-group/, and room sockets.
import { randomBytes } from 'node:crypto';
import { request, SocketClient } from './clients.js';
import { openDialogue } from './phone.js';
import type { Endpoint } from './server.js';

export interface RoomsUser {
  id: number;
  token: string;
  phone: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

/**
 * Signs up through /auth/signup/ and logs in through /api/user/login/: one account table.
 * `unique` (12 hex digits) fixes the e-mail, username and phone; random by default.
 */
export async function roomsUser(server: Endpoint, firstName = 'Anagh', lastName = 'Jaiswar', unique = randomBytes(6).toString('hex')): Promise<RoomsUser> {
  const email = `${firstName.toLowerCase()}.${unique}@example.com`;
  const password = 'pass-word-123';
  const phone = `8${String(parseInt(unique, 16) % 1_000_000_000).padStart(9, '0')}`;
  const created = await request(server, 'POST', '/auth/signup/', {
    body: { email, username: `u${unique}`, password, ph_num: phone, first_name: firstName, last_name: lastName },
  });
  if (created.status !== 201) throw new Error(`signup failed: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await request(server, 'POST', '/api/user/login/', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.token as string;
  const profile = await request(server, 'GET', '/api/user/profile/detail/', { token });
  return { id: profile.body.id as number, token, phone, email, password, firstName, lastName };
}

let rooms = 0;

/**
 * Creates a room with the members. One may add only contacts, so the creator first opens a
 * (phone-dialect) dialogue with each member.
 */
export async function createRoom(server: Endpoint, creator: RoomsUser, members: RoomsUser[], name?: string): Promise<number> {
  for (const member of members) if (member.id !== creator.id) await openDialogue(server, creator, member);
  rooms += 1;
  const result = await request(server, 'POST', '/api/chat/create-group/', {
    token: creator.token,
    body: { name: name ?? `room_${process.pid}_${rooms}`, description: 'a room', members: members.map((m) => m.id) },
  });
  if (result.status !== 201) throw new Error(`create-group failed: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body.room.id as number;
}

/**
 * Opens a room socket and waits until the server's session is open (subscribed to the room):
 * the handshake completes before that, and frames sent meanwhile wait for it, so one round
 * trip (an unknown action, answered with an error frame) proves it.
 */
export async function roomSocket(server: Endpoint, roomId: number | string, user: RoomsUser): Promise<SocketClient> {
  const socket = await SocketClient.open(server, `/ws/chat/${roomId}/`, { token: user.token });
  socket.send({ action: 'ready?' });
  const answer = await socket.next();
  if (answer.error !== 'Unknown action') throw new Error(`unexpected first frame ${JSON.stringify(answer)}`);
  return socket;
}

/** Sends each text over a room socket of the user's, one after the other; the stored ids, in order. */
export async function sendAll(server: Endpoint, user: RoomsUser, roomId: number, texts: readonly string[]): Promise<number[]> {
  const socket = await roomSocket(server, roomId, user);
  const ids: number[] = [];
  for (const text of texts) {
    socket.send({ message: text });
    ids.push((await socket.take((f) => f.message === text)).id);
  }
  await socket.close();
  return ids;
}
