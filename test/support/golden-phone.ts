// Phone-dialect setup for the golden transcripts: accounts with fixed identifiers (so that both
// stores and every run see the same phones) and receive sockets opened through a transcript.
import { signup, type User } from './clients.js';
import type { RecordedSocket, Transcript } from './golden.js';
import { envelope, openDialogue } from './phone.js';
import type { Endpoint } from './server.js';

export const RECEIVE_SOCKET = '/ws/chat/special/{phone}/';
export const FIXED_PASSWORD = 'Sup3r-secret-pw';

/** Signs up (outside the transcript) with a fixed phone, username and e-mail. */
export function fixedUser(server: Endpoint, phone: string, name: string): Promise<User> {
  return signup(server, { phone, username: name, email: `${name}@example.com`, password: FIXED_PASSWORD });
}

/** Opens the user's receive socket; the empty fetch it answers proves it is subscribed. */
export async function openReceiveSocket(t: Transcript, user: User): Promise<RecordedSocket> {
  const socket = await t.socket(RECEIVE_SOCKET, { phone: user.phone }, { token: user.token });
  socket.send(envelope('fetch_msgs', user.phone, user.phone, '--null--', '2021-01-01 09:59:00.000'));
  await socket.receive();
  return socket;
}

/**
 * Makes `user` a contact of each of `others` (outside the transcript), by opening a dialogue with
 * each: one may add only contacts to a group or a room. Before any receive socket opens, so that
 * no update frame is left unread.
 */
export async function makeContacts(
  server: Endpoint,
  user: Pick<User, 'token' | 'phone'>,
  others: ReadonlyArray<Pick<User, 'phone'>>,
): Promise<void> {
  for (const other of others) await openDialogue(server, user, other);
}
