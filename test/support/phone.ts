// Phone-dialect helpers: frames in the five-key envelope, sockets, and dialogues.
import { request, SocketClient, type User } from './clients.js';
import type { Endpoint } from './server.js';

export function envelope(command: string, from: string, to: string, message: string, sentTimestamp: string) {
  return { message, command, msg_from: from, msg_to: to, sent_timestamp: sentTimestamp };
}

/**
 * Opens the user's receive socket and waits until it is subscribed to deliveries: a fetch round
 * trip proves it, since frames are handled only once the socket's session is open.
 */
export async function receiveSocket(server: Endpoint, user: User): Promise<SocketClient> {
  const socket = await SocketClient.open(server, `/ws/chat/special/${user.phone}/`, { token: user.token });
  socket.send(envelope('fetch_msgs', user.phone, user.phone, 'ready?', 'x'));
  while (!(await socket.take((frame) => frame.command === 'fetch_msgs')).all);
  return socket;
}

export function personalSocket(server: Endpoint, user: User, peer: User): Promise<SocketClient> {
  return SocketClient.open(server, `/ws/chat/personal/${user.phone}/${peer.phone}/`, { token: user.token });
}

/** Opens the dialogue between the two phones; it also makes them contacts, who may add each other to groups and rooms. */
export async function openDialogue(server: Endpoint, user: Pick<User, 'token' | 'phone'>, peer: Pick<User, 'phone'>): Promise<void> {
  const result = await request(server, 'POST', '/chat/special/personal/', {
    token: user.token,
    body: { msg_from: user.phone, msg_to: peer.phone },
  });
  if (result.status !== 201 && result.status !== 200) {
    throw new Error(`dialogue not opened: ${result.status} ${JSON.stringify(result.body)}`);
  }
}

/** Sends a new_msg and waits for its msg_sent. */
export async function sendPersonal(socket: SocketClient, from: User, to: User, text: string, ts: string) {
  socket.send(envelope('new_msg', from.phone, to.phone, text, ts));
  const sent = await socket.next();
  if (sent.command !== 'msg_sent') throw new Error(`expected msg_sent, got ${JSON.stringify(sent)}`);
  return sent;
}

/** Sends fetch_msgs (or another fetch) and collects chunks until the one with all: true. */
export async function fetchAll(socket: SocketClient, user: User, command = 'fetch_msgs') {
  socket.send(envelope(command, 'x', user.phone, 'none', 'x'));
  return fetchedChunks(socket, command);
}

/** Collects the chunks of a fetch already asked for, until the one with all: true. */
export async function fetchedChunks(socket: SocketClient, command = 'fetch_msgs') {
  const chunks: Array<{ frame: any; messages: any[] }> = [];
  for (;;) {
    const frame = await socket.take((f) => f.command === command);
    chunks.push({ frame, messages: JSON.parse(frame.messages) });
    if (frame.all === true) return chunks;
  }
}

export function groupSocket(server: Endpoint, user: User, key: string): Promise<SocketClient> {
  return SocketClient.open(server, `/ws/chat/group/${user.phone}/${key}/`, { token: user.token });
}

export function roomSocket(server: Endpoint, user: User): Promise<SocketClient> {
  return SocketClient.open(server, `/ws/chat/room/${user.phone}/`, { token: user.token });
}

/**
 * Creates a group as `admin` with the others as participants; returns its key. One may add only
 * contacts, so the admin first opens a dialogue with each (which tells a participant's open
 * receive socket, if any, with an update).
 */
export async function createGroup(server: Endpoint, admin: User, participants: User[], name = 'Test Group'): Promise<string> {
  for (const participant of participants) if (participant.phone !== admin.phone) await openDialogue(server, admin, participant);
  const result = await request(server, 'POST', '/chat/special/group/', {
    token: admin.token,
    body: { name, bio: 'we are the best', admin: [admin.phone], participants: participants.map((p) => p.phone) },
  });
  if (result.status !== 201) throw new Error(`group not created: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body.key as string;
}

/** Runs a group command over PUT /chat/special/group/. */
export function groupCommand(server: Endpoint, actor: User, command: string, key: string, target?: User) {
  return request(server, 'PUT', '/chat/special/group/', {
    token: actor.token,
    body: { command, key, msg_from: actor.phone, ...(target ? { msg_to: target.phone } : {}) },
  });
}

/** Pairs two users in a match room. */
export async function openRoom(server: Endpoint, user: Pick<User, 'token' | 'phone'>, partner: Pick<User, 'phone'>): Promise<void> {
  const result = await request(server, 'POST', '/chat/special/room/', {
    token: user.token,
    body: { msg_from: user.phone, msg_to: partner.phone },
  });
  if (result.status !== 201) throw new Error(`room not opened: ${result.status} ${JSON.stringify(result.body)}`);
}
