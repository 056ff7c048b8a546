// Attachments as an attacker sees them: a type is decided from the file's bytes, never from the
// client; files are served with a fixed type, inline only for media, seekable; a deleted message
// or room takes its files along; uploads stream to disk, a few at a time per account, and an
// upload and its message are stored together or not at all.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser, type RoomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let attachments: string;
beforeAll(async () => {
  server = await startTestServer({ uploadsPerAccount: 1 });
  attachments = path.join(server.env.PARLEY_DATA_DIR, 'attachments');
});
afterAll(async () => {
  await server.close();
});

interface FilePart {
  bytes: Buffer;
  type: string;
  name: string;
}

const BOUNDARY = 'parley-test-boundary';

/** A multipart body written by hand, so that a part's Content-Type is exactly what a test says. */
function multipart(file: FilePart, fields: Record<string, string> = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  chunks.push(
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="attachment"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`),
    file.bytes,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  );
  return Buffer.concat(chunks);
}

const uploadPath = (roomId: number): string => `/api/chat/groups/${roomId}/messages/upload/`;

async function upload(user: RoomsUser, roomId: number, file: FilePart): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${uploadPath(roomId)}`, {
    method: 'POST',
    headers: { authorization: `Token ${user.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: new Uint8Array(multipart(file)),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** An upload whose body is held back: the first part is sent now, the rest on finish(). */
function slowUpload(user: RoomsUser, roomId: number, file: FilePart): { finish(): Promise<{ status: number; body: any }> } {
  const body = multipart(file);
  const split = body.length - 100;
  let release: () => void = () => undefined;
  const finishing = new Promise<void>((resolve) => (release = resolve));
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    const outgoing = http.request(`${server.url}${uploadPath(roomId)}`, {
      method: 'POST',
      headers: {
        authorization: `Token ${user.token}`,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(body.length),
      },
    });
    outgoing.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    outgoing.on('error', reject);
    outgoing.write(body.subarray(0, split));
    void finishing.then(() => outgoing.end(body.subarray(split)));
  });
  return {
    finish: () => {
      release();
      return answer;
    },
  };
}

const incomingFiles = (): string[] => (fs.existsSync(path.join(attachments, 'incoming')) ? fs.readdirSync(path.join(attachments, 'incoming')) : []);
const keptFiles = (): string[] => (fs.existsSync(attachments) ? fs.readdirSync(attachments).filter((name) => name !== 'incoming') : []);

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = (): FilePart => ({ bytes: Buffer.concat([Buffer.from(PNG_SIGNATURE), Buffer.alloc(200, 1)]), type: 'image/png', name: 'p.png' });
const HTML = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>');
/** An MP4 file's start (an `ftyp` box) and enough bytes to seek in. */
const mp4 = (): FilePart => ({
  bytes: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(12), Buffer.alloc(64 * 1024, 9)]),
  type: 'video/mp4',
  name: 'clip.mp4',
});

/** A ZIP with stored entries named as Word names them. */
function docx(): FilePart {
  const entry = (name: string, data: string): Buffer => {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(name.length, 26);
    return Buffer.concat([header, Buffer.from(name), Buffer.from(data)]);
  };
  const bytes = Buffer.concat([entry('[Content_Types].xml', '<Types/>'), entry('_rels/.rels', '<Relationships/>'), entry('word/document.xml', '<w:document/>')]);
  return { bytes, type: 'application/octet-stream', name: 'report.docx' };
}

async function room(): Promise<{ owner: RoomsUser; member: RoomsUser; roomId: number }> {
  const owner = await roomsUser(server, 'Owner', 'One');
  const member = await roomsUser(server, 'Member', 'Two');
  return { owner, member, roomId: await createRoom(server, owner, [member]) };
}

describe('the type of an upload', () => {
  it('is refused when the declared type is no single media type', async () => {
    const { owner, roomId } = await room();
    for (const type of ['image/png,text/html', 'image/../text/html', 'image/', 'image png']) {
      const result = await upload(owner, roomId, { bytes: HTML, type, name: 'x.png' });
      expect(result, type).toEqual({ status: 415, body: { attachment: [`${JSON.stringify(type)} is not a media type.`] } });
    }
    expect(keptFiles()).toEqual([]);
    expect(incomingFiles()).toEqual([]);
  });

  it('comes from the bytes: HTML declared as an image is stored and served as plain text to download', async () => {
    const { owner, member, roomId } = await room();
    const socket = await roomSocket(server, roomId, member);
    const result = await upload(owner, roomId, { bytes: HTML, type: 'image/x-evil', name: 'evil.png' });
    expect(result.status).toBe(201);
    expect((await socket.next()).message_type).toBe('file');
    await socket.close();
    const served = await fetch(result.body.attachment);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(served.headers.get('content-disposition')).toBe('attachment; filename="evil.png"');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(Buffer.from(await served.arrayBuffer())).toEqual(HTML);
  });

  it('never serves SVG inline: it is text', async () => {
    const { owner, roomId } = await room();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const result = await upload(owner, roomId, { bytes: svg, type: 'image/svg+xml', name: 'logo.svg' });
    expect(result.status).toBe(201);
    const served = await fetch(result.body.attachment);
    expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(served.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('shows images inline whatever the client declared, and refuses bytes that are no known type', async () => {
    const { owner, member, roomId } = await room();
    const socket = await roomSocket(server, roomId, member);
    const image = await upload(owner, roomId, { ...png(), type: 'application/octet-stream' });
    expect(image.status).toBe(201);
    expect((await socket.next()).message_type).toBe('image');
    await socket.close();
    const served = await fetch(image.body.attachment);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('content-disposition')).toBe('inline; filename="p.png"');

    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe]);
    const refused = await upload(owner, roomId, { bytes: binary, type: 'image/png', name: 'a.png' });
    expect(refused).toEqual({ status: 415, body: { attachment: ['The file is of no type Parley accepts.'] } });
    const badText = await upload(owner, roomId, { bytes: Buffer.from([0x68, 0x69, 0xc3]), type: 'text/plain', name: 'cut.txt' });
    expect(badText.status).toBe(415);
  });

  it('tells Office files inside a ZIP and PDFs apart, and has them downloaded', async () => {
    const { owner, roomId } = await room();
    const word = await upload(owner, roomId, docx());
    expect(word.status).toBe(201);
    const served = await fetch(word.body.attachment);
    expect(served.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(served.headers.get('content-disposition')).toBe('attachment; filename="report.docx"');
    const pdf = await upload(owner, roomId, { bytes: Buffer.from('%PDF-1.7\n%...'), type: 'application/pdf', name: 'a.pdf' });
    const pdfServed = await fetch(pdf.body.attachment);
    expect(pdfServed.headers.get('content-type')).toBe('application/pdf');
    expect(pdfServed.headers.get('content-disposition')).toMatch(/^attachment;/);
  });
});

describe('serving /media/', () => {
  it('lets a video be seeked: ranges, ETag and conditional requests', async () => {
    const { owner, roomId } = await room();
    const video = mp4();
    const result = await upload(owner, roomId, video);
    expect(result.status).toBe(201);
    const whole = await fetch(result.body.attachment);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('content-disposition')).toBe('inline; filename="clip.mp4"');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const etag = whole.headers.get('etag');
    expect(etag).toBeTruthy();
    const part = await fetch(result.body.attachment, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${video.bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(video.bytes.subarray(100, 200));
    // fetch() would add `Cache-Control: no-cache` to a conditional request: plain HTTP here.
    const again = await new Promise<number>((resolve, reject) =>
      http.get(result.body.attachment, { headers: { 'if-none-match': etag ?? '' } }, (response) => resolve(response.resume().statusCode ?? 0)).on('error', reject),
    );
    expect(again).toBe(304);
  });
});

describe('deleting', () => {
  it("a message takes its file at once: the URL is 404 and the bytes are gone, also after the author left", async () => {
    const { owner, member, roomId } = await room();
    const result = await upload(member, roomId, png());
    const key = /\/media\/([0-9a-f]{32})\//.exec(result.body.attachment)?.[1] ?? '';
    expect(keptFiles()).toContain(key);
    const socket = await roomSocket(server, roomId, member);
    const history = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/`, { token: member.token });
    socket.send({ action: 'delete_message', message_id: history.body.results[0].id });
    expect((await socket.take((frame) => frame.action === 'deleted')).id).toBe(history.body.results[0].id);
    expect((await fetch(result.body.attachment)).status).toBe(404);
    expect(keptFiles()).not.toContain(key);
    await socket.close();
    await request(server, 'POST', `/api/chat/group/${roomId}/remove-yourself/`, { token: member.token });
    expect((await fetch(result.body.attachment)).status).toBe(404);
    expect((await request(server, 'GET', `/api/chat/groups/${roomId}/messages/`, { token: owner.token })).body.results[0].attachment).toBeNull();
  });

  it('a room removes the files uploaded to it', async () => {
    const { owner, member, roomId } = await room();
    const first = await upload(owner, roomId, png());
    const second = await upload(member, roomId, docx());
    const keys = [first, second].map((r) => /\/media\/([0-9a-f]{32})\//.exec(r.body.attachment)?.[1] ?? '');
    expect(keptFiles()).toEqual(expect.arrayContaining(keys));
    expect((await request(server, 'DELETE', `/api/chat/delete-group/${roomId}/`, { token: owner.token })).status).toBe(200);
    for (const r of [first, second]) expect((await fetch(r.body.attachment)).status).toBe(404);
    for (const key of keys) expect(keptFiles()).not.toContain(key);
  });
});

describe('uploads in progress', () => {
  it('are capped per account (429 with Retry-After) and free their place when done', async () => {
    const { owner, member, roomId } = await room();
    const held = slowUpload(owner, roomId, mp4());
    await until(() => incomingFiles().length === 1);
    const refused = await fetch(`${server.url}${uploadPath(roomId)}`, {
      method: 'POST',
      headers: { authorization: `Token ${owner.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: new Uint8Array(multipart(png())),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ detail: 'At most 1 uploads at a time; wait for one to finish.', code: 'throttled' });
    // Another account is not held back.
    expect((await upload(member, roomId, png())).status).toBe(201);
    expect((await held.finish()).status).toBe(201);
    expect(incomingFiles()).toEqual([]);
    expect((await upload(owner, roomId, png())).status).toBe(201);
  });

  it('cut short are a 400 that frees the place and leaves no file: a body that ends mid-file, one without a boundary', async () => {
    const { owner, roomId } = await room();
    const before = keptFiles();
    const whole = multipart(png(), { content: 'cut' });
    const send = async (body: Buffer, type = `multipart/form-data; boundary=${BOUNDARY}`) => {
      const response = await fetch(`${server.url}${uploadPath(roomId)}`, {
        method: 'POST',
        headers: { authorization: `Token ${owner.token}`, 'content-type': type },
        body: new Uint8Array(body),
        signal: AbortSignal.timeout(5000),
      });
      return { status: response.status, body: await response.json() };
    };
    const cutShort = { attachment: ['The upload was cut short or is not well-formed multipart/form-data.'] };
    // Cut in the file's bytes, and in the boundary after them.
    for (const end of [whole.length - 150, whole.length - 10]) expect(await send(whole.subarray(0, end))).toEqual({ status: 400, body: cutShort });
    expect(await send(whole, 'multipart/form-data')).toEqual({ status: 400, body: cutShort });
    // A file in another field is read past to refuse it: cut short there too.
    const elsewhere = Buffer.from(whole.toString('latin1').replace('name="attachment"', 'name="picture"'), 'latin1');
    expect(await send(elsewhere)).toEqual({ status: 400, body: { picture: ['Only one file, in the field "attachment", is accepted.'] } });
    expect(await send(elsewhere.subarray(0, elsewhere.length - 150))).toEqual({ status: 400, body: cutShort });
    expect(incomingFiles()).toEqual([]);
    expect(keptFiles()).toEqual(before);
    // The one place this account has (uploadsPerAccount: 1) was given back each time.
    expect((await upload(owner, roomId, png())).status).toBe(201);
  });

  it('free their place when the client goes away mid-file', async () => {
    const { owner, roomId } = await room();
    const body = multipart(mp4());
    await new Promise<void>((resolve) => {
      const outgoing = http.request(`${server.url}${uploadPath(roomId)}`, {
        method: 'POST',
        headers: { authorization: `Token ${owner.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(body.length) },
      });
      outgoing.on('error', () => resolve());
      outgoing.on('close', () => resolve());
      outgoing.write(body.subarray(0, body.length / 2));
      void until(() => incomingFiles().length === 1).then(() => outgoing.destroy());
    });
    await until(() => incomingFiles().length === 0);
    let status = 0;
    for (let i = 0; i < 40 && status !== 201; i += 1) {
      status = (await upload(owner, roomId, png())).status;
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(201);
  });

  it('leave neither file nor record when the message is refused after the file was kept: a parent from another room', async () => {
    const { owner, roomId } = await room();
    const other = await room();
    const socket = await roomSocket(server, other.roomId, other.owner);
    socket.send({ action: 'send_message', message: 'elsewhere' });
    const elsewhere = await socket.take((frame) => frame.message === 'elsewhere');
    await socket.close();
    const before = keptFiles();
    const response = await fetch(`${server.url}${uploadPath(roomId)}`, {
      method: 'POST',
      headers: { authorization: `Token ${owner.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: new Uint8Array(multipart(png(), { content: 'a reply', parent_message: String(elsewhere.id) })),
    });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 404, body: { detail: 'Parent message does not exist', code: 'not_found' } });
    expect(incomingFiles()).toEqual([]);
    expect(keptFiles()).toEqual(before);
    expect(await server.parley.core.store.attachments.keysOf(roomId)).toEqual([]);
  });

  it('repeated with the same client_id store one message and one file, broadcast once; the repeat answers the first', async () => {
    const { owner, member, roomId } = await room();
    const watcher = await roomSocket(server, roomId, member);
    const before = keptFiles();
    const send = async (fields: Record<string, string>): Promise<{ status: number; body: any }> => {
      const response = await fetch(`${server.url}${uploadPath(roomId)}`, {
        method: 'POST',
        headers: { authorization: `Token ${owner.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        body: new Uint8Array(multipart(png(), fields)),
      });
      return { status: response.status, body: await response.json() };
    };
    const first = await send({ content: 'once', client_id: 'upload-1' });
    expect(first.status).toBe(201);
    // Three retries (one at a time: this server takes one upload per account at once), each
    // answered with the first message whatever else it says; nothing more is kept.
    const repeats = [];
    for (const fields of [{ content: 'once' }, {}, { content: 'other text' }] as Array<Record<string, string>>) repeats.push(await send({ ...fields, client_id: 'upload-1' }));
    for (const repeat of repeats) expect(repeat).toEqual(first);
    expect(keptFiles().length).toBe(before.length + 1);
    expect(incomingFiles()).toEqual([]);
    expect(await server.parley.core.store.attachments.keysOf(roomId)).toHaveLength(1);
    expect((await watcher.take((f) => f.message === 'once')).attachment).toBe(first.body.attachment);
    expect(await watcher.quiet(200)).toEqual([]);
    const history = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/`, { token: owner.token });
    expect(history.body.count).toBe(1);
    // Another client id is another message; a malformed one is refused and keeps nothing.
    expect((await send({ client_id: 'upload-2' })).status).toBe(201);
    expect(await send({ client_id: 'not ok!' })).toEqual({ status: 400, body: { client_id: ['This field must be 1 to 64 letters, digits or - _ . : characters.'] } });
    expect(keptFiles().length).toBe(before.length + 2);
    expect(incomingFiles()).toEqual([]);
    await watcher.close();
  });

  it('free their place when the client goes away before the body is read (while membership is checked)', async () => {
    const { owner, roomId } = await room();
    const body = multipart(png());
    for (let wait = 0; wait < 10; wait += 1) {
      await new Promise<void>((resolve) => {
        const outgoing = http.request(`${server.url}${uploadPath(roomId)}`, {
          method: 'POST',
          headers: { authorization: `Token ${owner.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(body.length) },
        });
        outgoing.on('error', () => resolve());
        outgoing.on('close', () => resolve());
        outgoing.write(body.subarray(0, 40));
        setTimeout(() => outgoing.destroy(), wait);
      });
    }
    let status = 0;
    for (let i = 0; i < 40 && status !== 201; i += 1) {
      status = (await upload(owner, roomId, png())).status;
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(201);
    expect(incomingFiles()).toEqual([]);
  });

  it('leave no file behind when the message cannot be stored: the room went away meanwhile', async () => {
    const { owner, member, roomId } = await room();
    const before = keptFiles();
    const held = slowUpload(member, roomId, mp4());
    await until(() => incomingFiles().length === 1);
    expect((await request(server, 'DELETE', `/api/chat/delete-group/${roomId}/`, { token: owner.token })).status).toBe(200);
    const result = await held.finish();
    expect(result.status).toBe(404);
    expect(incomingFiles()).toEqual([]);
    expect(keptFiles()).toEqual(before);
  });
});
