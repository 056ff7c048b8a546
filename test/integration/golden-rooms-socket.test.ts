// Golden transcripts of the rooms dialect's sockets (/ws/chat/{id}/, /ws/notifications/) and of
// uploads with the files they serve (/api/chat/groups/{id}/messages/upload/, /media/).
// How to update the golden files: test/support/golden.ts.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { multipartBody, Transcript, type RecordedSocket } from '../support/golden.js';
import { makeContacts } from '../support/golden-phone.js';
import { roomsUser, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MAX_BYTES = 64;
let server: TestServer;
let anagh: RoomsUser;
let achal: RoomsUser;
let sparsh: RoomsUser;
let carol: RoomsUser;
beforeAll(async () => {
  server = await startTestServer({ timeZone: 'Asia/Kolkata', uploadMaxBytes: MAX_BYTES, uploadTypes: ['image/*', 'text/plain'] });
  anagh = await roomsUser(server, 'Anagh', 'Jaiswar', '00000000b001');
  achal = await roomsUser(server, 'Achal', 'Vishnoi', '00000000b002');
  sparsh = await roomsUser(server, 'Sparsh', 'Gupta', '00000000b003');
  carol = await roomsUser(server, 'Carol', 'Out', '00000000b004');
  await makeContacts(server, anagh, [achal, sparsh]);
});
afterAll(async () => {
  await server.close();
});

const ROOM = '/ws/chat/{id}/';
const NOTIFICATIONS = '/ws/notifications/';

async function createRoom(t: Transcript, creator: RoomsUser, name: string, members: RoomsUser[]): Promise<number> {
  const created = await t.http('POST', '/api/chat/create-group/', {
    token: creator.token,
    body: { name, description: null, members: members.map((m) => m.id) },
  });
  return created.body.room.id as number;
}

/** Opens a room socket; the answer to an unknown action proves its session is open. */
async function joinRoom(t: Transcript, id: number, user: RoomsUser): Promise<RecordedSocket> {
  const socket = await t.socket(ROOM, { id }, { token: user.token });
  socket.send({ action: 'ready?' });
  await socket.receive();
  return socket;
}

/** Sends a frame and takes its broadcast from every socket, the sender's first. */
async function broadcast(from: RecordedSocket, frame: unknown, others: RecordedSocket[]): Promise<any> {
  from.send(frame);
  const own = await from.receive();
  for (const socket of others) await socket.receive();
  return own;
}

describe('golden: rooms dialect, sockets and uploads', () => {
  it('rooms-socket: every action, its broadcasts, every error frame, and the closes', async () => {
    const t = new Transcript(server);
    const room = await createRoom(t, anagh, '2nd_year', [achal, sparsh]);
    const elsewhere = await createRoom(t, carol, 'elsewhere', []);

    await t.refused(ROOM, { id: room });
    await t.refused(ROOM, { id: room }, { token: 'f'.repeat(40) });
    await t.refused(ROOM, { id: room }, { token: carol.token });
    await t.refused(ROOM, { id: 999 }, { token: anagh.token });
    await t.refused(ROOM, { id: 'abc' }, { token: anagh.token });
    await t.refused(NOTIFICATIONS, {});

    const carolSocket = await joinRoom(t, elsewhere, carol);
    const a = await joinRoom(t, room, anagh);
    const b = await joinRoom(t, room, achal);
    const bNotes = await t.socket(NOTIFICATIONS, {}, { token: achal.token });
    bNotes.send('anything: the notifications socket ignores what it is sent');

    const hello = await broadcast(a, { action: 'send_message', message: 'hello everyone', message_type: 'text' }, [b]);
    const reply = await broadcast(b, { message: 'hi anagh' }, [a]);
    await broadcast(a, { action: 'send_message', message: 'hello @achal and @sparsh', mentions: [achal.id, sparsh.id, 999], parent_message_id: reply.id }, [b]);
    await bNotes.receive();
    await broadcast(a, { message: '', message_type: 'image', mentions: null, parent_message_id: null }, [b]);

    await broadcast(a, { action: 'edit_message', message_id: hello.id, new_content: 'hello csi members' }, [b]);
    await broadcast(b, { action: 'react_message', message_id: hello.id, reaction: 'Like' }, [a]);
    await broadcast(a, { action: 'react_message', message_id: String(hello.id), reaction: 'Heart' }, [b]);
    await broadcast(b, { action: 'react_message', message_id: hello.id, reaction: 'Like' }, [a]);
    await broadcast(a, { action: 'react_message', message_id: hello.id, reaction: 'Heart' }, [b]);
    await broadcast(a, { action: 'pin_message', message_id: hello.id }, [b]);
    // Pinning a pinned message changes nothing and is not broadcast: the next frame is the next action's.
    a.send({ action: 'pin_message', message_id: hello.id, pin: true });
    await broadcast(b, { action: 'pin_message', message_id: reply.id }, [a]);
    const third = await broadcast(b, { message: 'third pin' }, [a]);
    await broadcast(b, { action: 'pin_message', message_id: third.id }, [a]);
    const fourth = await broadcast(b, { message: 'fourth pin' }, [a]);
    b.send({ action: 'pin_message', message_id: fourth.id });
    await b.receive();
    await broadcast(a, { action: 'pin_message', message_id: hello.id, pin: false }, [b]);
    await broadcast(b, { action: 'delete_message', message_id: fourth.id }, [a]);

    a.send({ action: 'typing' });
    await b.receive();
    a.send({ action: 'stop_typing' });
    await b.receive();

    const refusals: unknown[] = [
      'not json{',
      '[1]',
      '"send_message"',
      '42',
      { action: 'fly' },
      { action: 5, message: 'x' },
      { action: 'send_message' },
      { message: 5 },
      { message: 'x', message_type: 5 },
      { message: 'x', message_type: 'video' },
      { message: 'x', mentions: 'everyone' },
      { message: 'x', mentions: [0] },
      { message: 'x', parent_message_id: 'first' },
      { message: 'x', parent_message_id: 9999 },
      { message: 'x', attachment: 'http://example.com/a.png' },
      { message: 'x'.repeat(65537) },
      { action: 'edit_message', message_id: hello.id },
      { action: 'edit_message', new_content: 'x' },
      { action: 'edit_message', message_id: hello.id, new_content: '' },
      { action: 'edit_message', message_id: reply.id, new_content: 'not mine' },
      { action: 'edit_message', message_id: fourth.id, new_content: 'gone' },
      { action: 'edit_message', message_id: 9999, new_content: 'nowhere' },
      { action: 'react_message', message_id: hello.id },
      { action: 'react_message', message_id: hello.id, reaction: 'Wow' },
      { action: 'react_message', message_id: fourth.id, reaction: 'Like' },
      { action: 'delete_message' },
      { action: 'delete_message', message_id: 'x' },
      { action: 'delete_message', message_id: reply.id },
      { action: 'delete_message', message_id: fourth.id },
      { action: 'pin_message' },
      { action: 'pin_message', message_id: hello.id, pin: 'yes' },
      { action: 'pin_message', message_id: fourth.id },
    ];
    for (const frame of refusals) {
      a.send(frame);
      await a.receive();
    }
    // A message of another room is not found in this one.
    carolSocket.send({ message: 'private' });
    const secret = await carolSocket.receive();
    for (const action of ['edit_message', 'react_message', 'delete_message', 'pin_message']) {
      a.send({ action, message_id: secret.id, new_content: 'x', reaction: 'Like' });
      await a.receive();
    }
    a.send({ message: 'x', parent_message_id: secret.id });
    await a.receive();

    // Leaving closes the member's sockets (4403); deactivating the room closes the rest (4404).
    await t.http('POST', '/api/chat/group/{id}/remove-yourself/', { token: achal.token, params: { id: room } });
    await b.closed();
    await t.http('PUT', '/api/chat/edit-group/{id}/', { token: anagh.token, params: { id: room }, body: { is_active: false } });
    await a.closed();
    await t.refused(ROOM, { id: room }, { token: anagh.token });
    await t.http('DELETE', '/api/chat/delete-group/{id}/', { token: carol.token, params: { id: elsewhere } });
    await carolSocket.closed();
    await t.matchesGolden('rooms-socket');
  });

  it('rooms-uploads: images and files, their broadcasts, /media/, and the refusals', async () => {
    const t = new Transcript(server);
    const room = await createRoom(t, anagh, 'uploads', [achal]);
    const a = await joinRoom(t, room, anagh);
    const b = await joinRoom(t, room, achal);
    const upload = '/api/chat/groups/{id}/messages/upload/';

    const image = await t.http('POST', upload, {
      token: anagh.token,
      params: { id: room },
      ...multipartBody([
        { name: 'content', value: 'see pic' },
        { name: 'attachment', fileName: 'p.gif', type: 'image/gif', content: 'GIF89a, the magic bytes of a GIF, then ascii' },
      ]),
    });
    const imageFrame = await a.receive();
    await b.receive();
    await t.http('POST', upload, {
      token: achal.token,
      params: { id: room },
      ...multipartBody([
        { name: 'attachment', fileName: '../my notes.txt', type: 'text/plain', content: 'plain text' },
        { name: 'parent_message', value: String(imageFrame.id) },
      ]),
    });
    await a.receive();
    await b.receive();

    const imageUrl = new URL(image.body.attachment as string);
    await t.http('GET', '/media/{key}/{name}', { params: { key: imageUrl.pathname.split('/')[2] ?? '', name: 'p.gif' } });
    const history = await t.http('GET', '/api/chat/groups/{id}/messages/', { token: anagh.token, params: { id: room } });
    const fileUrl = new URL(history.body.results[0].attachment as string);
    const [, , fileKey = '', fileName = ''] = fileUrl.pathname.split('/');
    await t.http('GET', '/media/{key}/{name}', { params: { key: fileKey, name: fileName } });
    await t.http('GET', '/media/{key}/{name}', { params: { key: '0'.repeat(32), name: 'p.png' } });
    await t.http('GET', '/media/{key}/{name}', { params: { key: 'not-a-key', name: 'p.png' } });

    const file = (content: string, type = 'image/png', parent?: string) =>
      multipartBody([
        { name: 'attachment', fileName: 'f.png', type, content },
        ...(parent === undefined ? [] : [{ name: 'parent_message', value: parent }]),
      ]);
    await t.http('POST', upload, { token: anagh.token, params: { id: room }, ...file('x'.repeat(MAX_BYTES + 1)) });
    await t.http('POST', upload, { token: anagh.token, params: { id: room }, ...file('<script>\u0000', 'text/html') });
    await t.http('POST', upload, { token: anagh.token, params: { id: room }, ...multipartBody([{ name: 'content', value: 'no file' }]) });
    await t.http('POST', upload, {
      token: anagh.token,
      params: { id: room },
      ...multipartBody([{ name: 'photo', fileName: 'f.png', type: 'image/png', content: 'x' }]),
    });
    await t.http('POST', upload, { token: anagh.token, params: { id: room }, ...file('x', 'image/png', 'first') });
    await t.http('POST', upload, { token: anagh.token, params: { id: room }, ...file('x', 'image/png', '9999') });
    await t.http('POST', upload, { token: anagh.token, params: { id: room }, body: { attachment: 'x' } });
    await t.http('POST', upload, { token: carol.token, params: { id: room }, ...file('x') });
    await t.http('POST', upload, { token: anagh.token, params: { id: 999 }, ...file('x') });
    await t.http('POST', upload, { params: { id: room }, ...file('x') });
    await t.matchesGolden('rooms-uploads');
  });

  it('rooms-resume: a socket that resumes with ?since=, a position too old or never handed out, a malformed one', async () => {
    const t = new Transcript(server);
    const room = await createRoom(t, anagh, 'resume', [achal]);
    const a = await joinRoom(t, room, anagh);
    a.send({ message: 'seen before the drop' });
    await a.receive();
    a.send({ message: 'missed' });
    const missed = await a.receive();
    a.send({ message: 'missed, then deleted' });
    const gone = await a.receive();
    for (const frame of [
      { action: 'edit_message', message_id: missed.id, new_content: 'missed, edited' },
      { action: 'react_message', message_id: missed.id, reaction: 'Heart' },
      { action: 'pin_message', message_id: missed.id },
      { action: 'edit_message', message_id: gone.id, new_content: 'edited, then deleted' },
      { action: 'delete_message', message_id: gone.id },
    ]) {
      a.send(frame);
      await a.receive();
    }
    // The client saw position 1: the seven changes after it come first, the deleted message's text hidden.
    const b = await t.socket(ROOM, { id: room }, { token: achal.token, query: 'since=1' });
    await b.receiveMany(7);
    a.send({ message: 'live again' });
    await a.receive();
    await b.receive();
    await server.parley.core.store.changes.forget(room, 3);
    const tooOld = await t.socket(ROOM, { id: room }, { token: achal.token, query: 'since=1' });
    await tooOld.receive();
    const unknown = await t.socket(ROOM, { id: room }, { token: achal.token, query: 'since=99' });
    await unknown.receive();
    await t.refused(ROOM, { id: room }, { token: achal.token, query: 'since=-1' });
    for (const socket of [a, b, tooOld, unknown]) await socket.close();
    await t.matchesGolden('rooms-resume');
  });
});
