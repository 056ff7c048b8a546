// Fuzzes every socket kind and every HTTP route of a real server at once, for a time budget:
// random bytes, text that is no UTF-8, binary frames, mutated frames and bodies from the golden
// recordings (keys dropped, duplicated or retyped, huge strings, deep nesting, NUL, lone
// surrogates), odd paths, queries and credentials. It asserts no 5xx, no crash, an error frame
// for every frame that promises one, sockets closed only by documented policy, and a healthy
// server afterwards. PARLEY_FUZZ_SEED replays a run (the seed is printed when one fails);
// PARLEY_FUZZ_SECONDS sets the budget.
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { request, SocketClient, UpgradeRefused } from '../support/clients.js';
import { breakUtf8, deepJson, hostileJson, hostileString, mutateJson, mutateText, Random } from '../support/fuzz.js';
import { openDialogue } from '../support/phone.js';
import { createRoom, roomsUser, type RoomsUser } from '../support/rooms.js';
import { logCapture, startTestServer, type TestServer } from '../support/server.js';

const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SECONDS = Number(process.env.PARLEY_FUZZ_SECONDS ?? 15);
const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../golden');
/** ws refuses larger frames with 1009 (src/gateway/limits.ts). */
const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Below the 100 frames a second a socket may send (bursts of 200), so 4429 is never earned. */
const FRAME_GAP_MS = 12;
const ANSWER_TIMEOUT_MS = 10_000;
const MAX_FINDINGS = 40;

interface Finding {
  worker: string;
  iteration: number;
  problem: string;
  input: string;
  answer?: string;
}

const findings: Finding[] = [];
function report(finding: Finding): void {
  if (findings.length < MAX_FINDINGS) findings.push({ ...finding, input: clip(finding.input), answer: finding.answer && clip(finding.answer) });
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

const { lines: logged, destination } = logCapture();

let server: TestServer;
beforeAll(async () => {
  // One upload at a time per account: a place an upload fails to give back shows at once.
  server = await startTestServer({ logLevel: 'warn', uploadsPerAccount: 1 }, { logDestination: destination });
});
afterAll(async () => {
  await server.close();
});

// ---------------------------------------------------------------------------------------------
// The golden recordings: valid frames per socket pattern, valid bodies per route.

interface GoldenEntry {
  pattern?: string;
  in?: string;
  route?: string;
  request?: string;
  requestHeaders?: Record<string, string>;
}

function goldenEntries(): GoldenEntry[] {
  return fs
    .readdirSync(GOLDEN)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => JSON.parse(fs.readFileSync(path.join(GOLDEN, name), 'utf8')) as GoldenEntry[]);
}

/** `/api/chat/groups/:id/members` and `/api/chat/groups/{id}/members/` name the same route. */
function routeKey(method: string, url: string): string {
  return `${method} ${url.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`;
}

// ---------------------------------------------------------------------------------------------
// Sockets.

/** A raw socket that keeps every frame's text and never parses on its own. */
class FuzzSocket {
  private readonly frames: string[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | undefined;
  private lastSend = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(data.toString());
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  static async open(path: string, token: string): Promise<FuzzSocket> {
    const ws = new WebSocket(`${server.wsUrl}${path}?token=${token}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_request, response) => reject(new UpgradeRefused(response.statusCode ?? 0)));
      ws.once('error', reject);
    });
    return new FuzzSocket(ws);
  }

  /** Sends at most one frame per FRAME_GAP_MS. */
  async send(data: Buffer, binary: boolean): Promise<void> {
    const wait = this.lastSend + FRAME_GAP_MS - Date.now();
    if (wait > 0) await sleep(wait);
    this.lastSend = Date.now();
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary });
  }

  /** The frames up to the first that matches (included), or why none came. */
  async until(match: (text: string) => boolean, timeoutMs: number): Promise<string[] | 'closed' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(0, index + 1);
      if (this.closeCode !== undefined) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  take(): string[] {
    return this.frames.splice(0);
  }

  /**
   * Settles once the server has read every frame sent before (its pong follows them), or the
   * socket closed: what those frames earned has arrived by then, however loaded the machine.
   */
  settled(): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.ws.off('pong', done);
        this.ws.off('close', done);
        resolve();
      };
      this.ws.on('pong', done);
      this.ws.on('close', done);
      this.ws.ping();
    });
  }

  close(): Promise<void> {
    if (this.closeCode !== undefined) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close();
    return closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** What one socket kind promises: which frames earn an error frame, how to probe it, a frame that works. */
interface SocketKind {
  name: string;
  path: string;
  token: string;
  corpus: string[];
  keyNames: readonly string[];
  /** Whether the dialect promises an error frame for this frame (undefined: text that is no UTF-8). */
  promisesError(text: string | undefined): boolean;
  isError(frame: unknown): boolean;
  /** A frame whose error frame is told apart from every other. */
  probe(n: number): { frame: string; answers(frame: unknown): boolean };
  /** A frame the socket must still take at the end, and how its answer looks. */
  valid(n: number): { frame: string; answers(frame: unknown): boolean };
}

const UNSTORABLE = /[\0\p{Cs}]/u;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether some string value, however deep, breaks the text rule; walked without recursion. */
function holdsUnstorable(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (UNSTORABLE.test(item)) return true;
    } else if (typeof item === 'object' && item !== null) {
      stack.push(...Object.values(item));
    }
  }
  return false;
}

const ENVELOPE_KEYS = ['message', 'msg_from', 'msg_to', 'sent_timestamp'] as const;
const PHONE_KEY_NAMES = ['command', ...ENVELOPE_KEYS];

/**
 * The phone dialect (docs/sockets.md, "Any other frame"): a frame that is no JSON object, has no
 * text `command`, a command this socket does not take, or an envelope key missing, too long, of
 * the wrong type, or naming the wrong party, is answered with an error frame.
 */
function phoneKind(options: {
  name: string;
  path: string;
  token: string;
  corpus: string[];
  commands: Record<string, readonly string[]>;
  wrongParties(frame: Record<string, unknown>): boolean;
  valid: SocketKind['valid'];
}): SocketKind {
  return {
    name: options.name,
    path: options.path,
    token: options.token,
    corpus: options.corpus,
    keyNames: PHONE_KEY_NAMES,
    promisesError(text) {
      if (text === undefined || text.length > 16 * 1024) return true;
      const frame = parsed(text);
      if (!isRecord(frame)) return true;
      if (typeof frame.command !== 'string' || UNSTORABLE.test(frame.command)) return true;
      for (const key of ENVELOPE_KEYS) {
        const value = frame[key];
        if (value !== undefined && (typeof value !== 'string' || UNSTORABLE.test(value))) return true;
      }
      if (!Object.hasOwn(options.commands, frame.command)) return true;
      for (const key of options.commands[frame.command] ?? []) {
        const value = frame[key];
        if (typeof value !== 'string' || value.length > (key === 'message' ? 1200 : 64)) return true;
      }
      return options.wrongParties(frame);
    },
    isError: (frame) => isRecord(frame) && frame.command === 'error',
    probe: (n) => ({
      frame: JSON.stringify({ command: `probe-${n}` }),
      answers: (frame) => isRecord(frame) && frame.command === 'error' && frame.type === `probe-${n}`,
    }),
    valid: options.valid,
  };
}

const ROOMS_KEY_NAMES = ['action', 'message', 'message_type', 'mentions', 'parent_message_id', 'attachment', 'message_id', 'new_content', 'reaction', 'pin'];

function isId(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isMessageId(value: unknown): boolean {
  return isId(value) || (typeof value === 'string' && /^\d{1,15}$/.test(value) && Number(value) > 0);
}

/**
 * The rooms chat socket (docs/sockets.md): text that is no JSON object, breaks the text rule,
 * names an unknown action, or lacks or mistypes what its action needs, is answered with
 * {"error": …}.
 */
function roomsChatKind(path: string, token: string, corpus: string[]): SocketKind {
  return {
    name: 'rooms chat',
    path,
    token,
    corpus,
    keyNames: ROOMS_KEY_NAMES,
    promisesError(text) {
      if (text === undefined) return true;
      const frame = parsed(text);
      if (!isRecord(frame) || holdsUnstorable(frame)) return true;
      const action = frame.action ?? 'send_message';
      switch (action) {
        case 'send_message': {
          const mentions = frame.mentions ?? [];
          const parent = frame.parent_message_id ?? null;
          return (
            typeof frame.message !== 'string' ||
            typeof (frame.message_type ?? 'text') !== 'string' ||
            (frame.attachment !== undefined && frame.attachment !== null) ||
            !Array.isArray(mentions) ||
            !mentions.every(isId) ||
            (parent !== null && !isId(parent))
          );
        }
        case 'edit_message':
          return !isMessageId(frame.message_id) || typeof frame.new_content !== 'string' || frame.new_content === '';
        case 'react_message':
          return !isMessageId(frame.message_id) || typeof frame.reaction !== 'string' || frame.reaction === '';
        case 'delete_message':
          return !isMessageId(frame.message_id);
        case 'pin_message':
          return !isMessageId(frame.message_id) || typeof (frame.pin ?? true) !== 'boolean';
        case 'typing':
        case 'stop_typing':
          return false;
        default:
          return true;
      }
    },
    isError: (frame) => isRecord(frame) && Object.keys(frame).length === 1 && typeof frame.error === 'string',
    probe: (n) => ({
      frame: JSON.stringify({ [`probe-${n}`]: '\u0000' }),
      answers: (frame) => isRecord(frame) && typeof frame.error === 'string' && frame.error.startsWith(`'probe-${n}'`),
    }),
    valid: (n) => ({
      frame: JSON.stringify({ message: `still here ${n}` }),
      answers: (frame) => isRecord(frame) && frame.message === `still here ${n}`,
    }),
  };
}

/** One frame to send: its bytes, whether binary, and the text the server reads from it. */
interface FuzzFrame {
  bytes: Buffer;
  binary: boolean;
  /** undefined: a text frame that is no UTF-8. */
  seen: string | undefined;
}

function textFrame(bytes: Buffer, binary = false): FuzzFrame {
  // Binary frames are read as UTF-8 as they are (src/gateway/connection.ts).
  return { bytes, binary, seen: binary || isUtf8(bytes) ? bytes.toString('utf8') : undefined };
}

function fuzzFrame(random: Random, kind: SocketKind): FuzzFrame {
  const sample = (): string => random.pick(kind.corpus);
  switch (random.int(12)) {
    case 0:
      return textFrame(random.bytes(random.int(200)));
    case 1:
      return textFrame(random.bytes(random.int(200)), true);
    case 2:
      return textFrame(breakUtf8(random, sample()));
    case 3:
      return textFrame(Buffer.from(hostileJson(random)));
    case 4:
      return textFrame(Buffer.from(mutateText(random, sample())));
    case 5:
      return textFrame(Buffer.from(mutateJson(random, sample(), kind.keyNames)), true);
    case 6:
      return textFrame(Buffer.from(random.chance(0.1) ? 'x'.repeat(MAX_PAYLOAD_BYTES + 100) : deepJson(random)));
    case 7:
      return textFrame(Buffer.from(sample()));
    default:
      return textFrame(Buffer.from(mutateJson(random, sample(), kind.keyNames)));
  }
}

/** Opens the kind's socket and waits for its session (a probe's answer proves it open). */
async function openKind(kind: SocketKind, n: number): Promise<FuzzSocket> {
  const socket = await FuzzSocket.open(kind.path, kind.token);
  const probe = kind.probe(n);
  await socket.send(Buffer.from(probe.frame), false);
  const answer = await socket.until((text) => probe.answers(parsed(text)), ANSWER_TIMEOUT_MS);
  if (!Array.isArray(answer)) throw new Error(`${kind.name} did not open: ${answer} (${socket.closeCode})`);
  return socket;
}

async function fuzzSocketKind(random: Random, kind: SocketKind, until: number): Promise<number> {
  let socket = await openKind(kind, 0);
  let iteration = 0;
  for (; Date.now() < until; iteration += 1) {
    const frame = fuzzFrame(random, kind);
    const probe = kind.probe(iteration + 1);
    const input = frame.binary ? `binary ${frame.bytes.toString('base64')}` : frame.seen ?? `not UTF-8: ${frame.bytes.toString('base64')}`;
    await socket.send(frame.bytes, frame.binary);
    await socket.send(Buffer.from(probe.frame), false);
    const answer = await socket.until((text) => probe.answers(parsed(text)), ANSWER_TIMEOUT_MS);
    if (answer === 'timeout') {
      report({ worker: kind.name, iteration, problem: 'no answer to the next frame (silence or a stalled socket)', input });
    } else if (answer === 'closed') {
      // The one documented close a frame can earn here: 1009 for a frame over 1 MiB.
      if (!(socket.closeCode === 1009 && frame.bytes.length > MAX_PAYLOAD_BYTES)) {
        report({ worker: kind.name, iteration, problem: `socket closed with ${socket.closeCode}`, input });
      }
    } else {
      const frames = answer.slice(0, -1).map((text) => ({ text, frame: parsed(text) }));
      for (const { text, frame } of frames) {
        if (!isRecord(frame)) report({ worker: kind.name, iteration, problem: 'a frame that is no JSON object', input, answer: text });
      }
      const errors = frames.filter(({ frame }) => kind.isError(frame)).length;
      const promised = kind.promisesError(frame.seen);
      if (promised ? errors !== 1 : errors > 1) {
        report({
          worker: kind.name,
          iteration,
          problem: `${errors} error frames for a frame that ${promised ? 'promises one' : 'may be valid'}`,
          input,
          answer: frames.map(({ text }) => text).join('\n'),
        });
      }
      continue;
    }
    await socket.close();
    socket = await openKind(kind, iteration + 1);
  }
  // The socket still works: a valid frame gets its ordinary answer.
  const valid = kind.valid(iteration);
  await socket.send(Buffer.from(valid.frame), false);
  const answer = await socket.until((text) => valid.answers(parsed(text)), ANSWER_TIMEOUT_MS);
  if (!Array.isArray(answer)) report({ worker: kind.name, iteration, problem: `a valid frame got no answer: ${answer}`, input: valid.frame });
  await socket.close();
  return iteration;
}

/** The notifications socket ignores whatever it is sent (docs/sockets.md): it must never answer nor close. */
async function fuzzNotifications(random: Random, kind: SocketKind, until: number): Promise<{ socket: FuzzSocket; frames: number }> {
  let socket = await FuzzSocket.open(kind.path, kind.token);
  // Nothing is answered here, so a 1009 may come a few frames after the frame that earned it.
  let oversize = false;
  let iteration = 0;
  let input = '';
  const look = async (): Promise<void> => {
    for (const text of socket.take()) {
      // Mentions of its owner by the rooms chat fuzz are what it is for.
      const notice = parsed(text);
      if (!(isRecord(notice) && isRecord(notice.notification))) report({ worker: kind.name, iteration, problem: 'an answer to a frame it should ignore', input, answer: text });
    }
    if (socket.closeCode === undefined) return;
    if (!(socket.closeCode === 1009 && oversize)) report({ worker: kind.name, iteration, problem: `socket closed with ${socket.closeCode}`, input });
    socket = await FuzzSocket.open(kind.path, kind.token);
    oversize = false;
  };
  for (; Date.now() < until; iteration += 1) {
    const frame = fuzzFrame(random, kind);
    oversize ||= frame.bytes.length > MAX_PAYLOAD_BYTES;
    input = frame.seen ?? frame.bytes.toString('base64');
    await socket.send(frame.bytes, frame.binary);
    await look();
  }
  await socket.settled();
  await sleep(50);
  await look();
  return { socket, frames: iteration };
}

// ---------------------------------------------------------------------------------------------
// Socket upgrades: odd paths and credentials.

const SOCKET_PATHS = [
  '/ws/chat/special/{phone}/',
  '/ws/chat/personal/{phone}/{peer}/',
  '/ws/chat/group/{phone}/{key}/',
  '/ws/chat/room/{phone}/',
  '/ws/chat/{room}/',
  '/ws/notifications/',
  '/ws/{junk}/',
  '/{junk}',
];

/** A path segment: a good one often, else percent garbage, NUL, surrogates, or huge. */
function pathSegment(random: Random, good: string): string {
  if (random.chance(0.5)) return good;
  const raw = random.pick(['%00', '%FF', '%E0%A4%A', '%ED%A0%80', '%', '..', '%2F', '-1', '0', '9'.repeat(30), '%C0%AF', 'a'.repeat(5000)]);
  if (random.chance(0.5)) return raw;
  try {
    return encodeURIComponent(hostileString(random));
  } catch {
    return raw;
  }
}

async function fuzzUpgrades(random: Random, world: SocketWorld, until: number): Promise<number> {
  let iteration = 0;
  for (; Date.now() < until; iteration += 1) {
    const values: Record<string, string> = {
      phone: world.owner.phone,
      peer: world.peer.phone,
      key: world.groupKey,
      room: String(world.roomId),
      junk: 'chat',
    };
    const url = random
      .pick(SOCKET_PATHS)
      .replace(/\{(\w+)\}/g, (_whole, name: string) => pathSegment(random, values[name] ?? ''));
    const credential = random.int(7);
    const headers: Record<string, string> = {};
    let query = '';
    if (credential === 0) query = `?token=${world.owner.token}`;
    else if (credential === 1) headers.authorization = `Token ${world.owner.token}`;
    else if (credential === 2) headers.cookie = `parley_session=${world.owner.token}`;
    else if (credential === 3) headers.cookie = random.pick(['parley_session=%E0%A4%A', 'parley_session=', 'parley_session="x']);
    else if (credential === 4) headers.authorization = random.pick(['Token', 'Bearer x', 'Token zz', `Token ${world.revoked}`]);
    else if (credential === 5) query = `?token=${pathSegment(random, world.peer.token)}`;
    if (random.chance(0.3)) headers.origin = random.pick([server.url, 'https://evil.example', 'null']);
    const input = `${url}${query} ${JSON.stringify(headers)}`;
    const outcome = await upgradeOutcome(`${url}${query}`, headers);
    // Refused before the upgrade with a 4xx (400, 404; Node's own 431 for huge headers), closed with a documented code, or open.
    const fine = typeof outcome === 'number' ? (outcome >= 400 && outcome < 500) || [4401, 4403, 4404].includes(outcome) : outcome === 'open';
    if (!fine) report({ worker: 'socket upgrades', iteration, problem: `upgrade ended with ${outcome}`, input });
  }
  return iteration;
}

/** An HTTP status when the upgrade was refused, the close code when the server closed it soon, or 'open'. */
async function upgradeOutcome(path: string, headers: Record<string, string>): Promise<number | string> {
  let client: SocketClient;
  try {
    client = await SocketClient.open(server, path, { headers });
  } catch (error) {
    if (error instanceof UpgradeRefused) return error.status;
    return `no answer to the upgrade (${(error as Error).message})`;
  }
  const code = await Promise.race([client.closed, sleep(200).then(() => undefined)]);
  if (code !== undefined) return code;
  await client.close();
  return 'open';
}

// ---------------------------------------------------------------------------------------------
// HTTP.

interface Route {
  method: string;
  url: string;
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Every route of the running app, read from Fastify's radix tree of each method (a route is the
 * path from the root to a node that names the method), each checked with hasRoute.
 */
function routesOf(): Route[] {
  const app = server.parley.app;
  const routes: Route[] = [];
  for (const method of HTTP_METHODS) {
    const stack: string[] = [];
    for (const line of app.printRoutes({ method }).split('\n')) {
      const m = /^([│ ]*)[├└]── (.+?)( \(.+\))?$/.exec(line);
      if (!m) continue;
      stack.length = (m[1] ?? '').length / 4;
      stack.push(m[2] ?? '');
      if (!m[3]) continue;
      const url = stack.join('');
      if (!app.hasRoute({ method, url })) throw new Error(`route tree misread: ${method} ${url}`);
      routes.push({ method, url });
    }
  }
  return routes;
}

interface HttpWorld {
  main: RoomsUser;
  other: RoomsUser;
  revoked: string;
  roomId: number;
  groupKey: string;
  media: { key: string; name: string };
}

const FORM = 'application/x-www-form-urlencoded';
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'text/plain',
  FORM,
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'a/b;;;=',
  'application/octet-stream',
];

interface Body {
  bytes: Buffer;
  contentType: string | undefined;
}

function multipart(random: Random, truncated: boolean): Body {
  const boundary = `fuzz${random.int(1e9)}`;
  const type = random.pick(['image/png', 'image/gif', 'text/plain', 'text/html', 'image/png,text/html', 'x', '']);
  const content = random.chance(0.5) ? Buffer.from('GIF89a pretend pixels') : random.bytes(random.int(3000));
  const parts = [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="content"\r\n\r\n${random.chance(0.5) ? 'hi' : hostileString(random)}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${random.chance(0.8) ? 'attachment' : hostileString(random).replace(/"/g, '')}"; filename="${random.pick(['a.gif', '../../x', '', 'a\u0000b'])}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ];
  if (random.chance(0.2)) parts.splice(1, 0, Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="parent_message"\r\n\r\n${random.pick(['null', '', '1', 'x', '99999999'])}\r\n`));
  let bytes = Buffer.concat(parts);
  if (truncated) bytes = bytes.subarray(0, random.int(bytes.length));
  return { bytes, contentType: random.chance(0.9) ? `multipart/form-data; boundary=${boundary}` : 'multipart/form-data' };
}

function substitute(random: Random, text: string, world: HttpWorld): string {
  return text
    .replace(/<token#\d+>/g, () => world.main.token)
    .replace(/<group-key#\d+>/g, () => world.groupKey)
    .replace(/<media-key#\d+>/g, () => world.media.key)
    .replace(/\b[1-9]\d{9}\b/g, (phone) => (random.chance(0.7) ? random.pick([world.main.phone, world.other.phone]) : phone));
}

/** A body for the route, under its natural content type mostly, else under another one. */
function httpBody(random: Random, corpus: GoldenEntry[], world: HttpWorld): Body | undefined {
  const body = naturalBody(random, corpus, world);
  if (body && random.chance(0.15)) body.contentType = random.chance(0.1) ? undefined : random.pick(CONTENT_TYPES);
  return body;
}

function naturalBody(random: Random, corpus: GoldenEntry[], world: HttpWorld): Body | undefined {
  const sample = corpus.length > 0 ? random.pick(corpus) : undefined;
  const sampleText = substitute(random, sample?.request ?? '{}', world);
  const natural = sample?.requestHeaders?.['content-type'] ?? 'application/json';
  const json = (text: string): Body => ({ bytes: Buffer.from(text), contentType: natural.startsWith('multipart') ? 'application/json' : natural });
  switch (random.int(14)) {
    case 0:
      return undefined;
    case 1:
      return json(hostileJson(random));
    case 2:
      return json(mutateText(random, sampleText));
    case 3:
      return json(deepJson(random));
    case 4:
      return { bytes: breakUtf8(random, sampleText), contentType: natural };
    case 5: {
      const form = new URLSearchParams();
      for (let i = random.int(5); i > 0; i -= 1) form.append(random.pick(['msg_from', 'msg_to', 'email', 'password', 'name', hostileString(random)]), hostileString(random));
      return { bytes: Buffer.from(form.toString()), contentType: FORM };
    }
    case 6:
      return multipart(random, false);
    case 7:
      return multipart(random, true);
    case 8:
      return random.chance(0.2) ? json(`[${'"x",'.repeat(260_000)}1]`) : { bytes: Buffer.alloc(0), contentType: natural };
    case 9:
      return { bytes: Buffer.from(sampleText), contentType: natural };
    default:
      return natural.startsWith('multipart')
        ? { bytes: Buffer.from(sampleText), contentType: natural }
        : json(mutateJson(random, sampleText, ['msg_from', 'msg_to', 'command', 'key', 'name', 'members', 'email', 'password', 'username', 'ph_num', 'user_num', 'grp_name', 'response', 'notification_ids', 'device_token', 'new_owner_id', 'description']));
  }
}

const QUERY_KEYS = ['q', 'page', 'page_size', 'user_num', 'msg_from', 'msg_to', 'grp_name', 'token', 'before', 'after', 'limit'];

function httpPath(random: Random, route: Route, world: HttpWorld): string {
  const values: Record<string, string> = {
    id: String(world.roomId),
    from: world.main.phone,
    to: world.other.phone,
    grp: world.groupKey,
    key: world.media.key,
    name: world.media.name,
  };
  let url = route.url
    .replace(/:(\w+)/g, (_whole, name: string) => pathSegment(random, values[name] ?? '1'))
    .replace(/\*$/, () => pathSegment(random, random.pick(['index.html', 'app.js', 'web/app.js', 'nothing'])));
  if (random.chance(0.5) && !url.endsWith('/')) url += '/';
  if (random.chance(0.5)) {
    const pairs = Array.from({ length: 1 + random.int(4) }, () => {
      const key = random.chance(0.85) ? random.pick(QUERY_KEYS) : pathSegment(random, 'x');
      const value = random.pick([world.main.phone, world.groupKey, '1', '', '-5', '1e9', 'abc']);
      return `${key}=${pathSegment(random, value)}`;
    });
    url += `?${pairs.join('&')}`;
  }
  return url;
}

type Credential = { headers: Record<string, string>; user?: RoomsUser };

function credential(random: Random, world: HttpWorld): Credential {
  const n = random.int(20);
  if (n < 10) return { headers: { authorization: `Token ${world.main.token}` }, user: world.main };
  if (n === 10) return { headers: { cookie: `parley_session=${world.main.token}`, origin: server.url }, user: world.main };
  if (n === 11) return { headers: { cookie: `parley_session=${world.main.token}` }, user: world.main };
  if (n === 12) return { headers: { authorization: `Token ${world.other.token}` }, user: world.other };
  if (n === 13) return { headers: { authorization: `Token ${world.revoked}` } };
  if (n === 14) return { headers: { authorization: random.pick(['Token', 'Token x', `Bearer ${'a'.repeat(5000)}`, 'Basic Zm9vOmJhcg==', `Token ${world.main.token}x`, '\u00ff\u00fe']) } };
  if (n === 15) return { headers: { cookie: random.pick(['parley_session=%E0%A4%A', 'parley_session=', 'parley_session="x', `parley_session=${'x'.repeat(8000)}`, `a=b; parley_session=${world.main.token}; parley_session=zz`]) } };
  if (n === 16) return { headers: { origin: 'https://evil.example', cookie: `parley_session=${world.main.token}` }, user: world.main };
  return { headers: {} };
}

/**
 * Sends the request; the status, or why there was none. A kept-alive connection that closes as
 * the request goes out is the race every HTTP/1.1 client retries (RFC 9112 §9.3.1): the request
 * is sent once more, and only a second failure counts.
 */
async function send(method: string, url: string, headers: Record<string, string>, body: Body | undefined, retried = false): Promise<{ status: number; text: string } | string> {
  const all = { ...headers };
  if (body?.contentType !== undefined) all['content-type'] = body.contentType;
  try {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: all,
      body: method === 'GET' || method === 'HEAD' || !body ? undefined : new Uint8Array(body.bytes),
      redirect: 'manual',
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    if (!retried && connectionClosed(error)) return send(method, url, headers, body, true);
    return `no answer: ${(error as Error).message}${retried ? ' (sent twice)' : ''}`;
  }
}

function connectionClosed(error: unknown): boolean {
  return (error as { cause?: { code?: string } }).cause?.code === 'UND_ERR_SOCKET';
}

/** An upload whose client goes away mid-body: the server must let go of it (and its place). */
function abortedUpload(random: Random, url: string, token: string): Promise<void> {
  const body = multipart(random, false);
  return new Promise((resolve) => {
    const req = http.request(`${server.url}${url}`, {
      method: 'POST',
      headers: { authorization: `Token ${token}`, 'content-type': body.contentType ?? '', 'content-length': String(body.bytes.length + 5000) },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(body.bytes.subarray(0, Math.max(1, random.int(body.bytes.length))));
    setTimeout(() => req.destroy(), 30);
  });
}

async function fuzzHttp(random: Random, name: string, routes: Route[], corpus: Map<string, GoldenEntry[]>, world: HttpWorld, until: number): Promise<number> {
  const upload = routes.find((route) => route.url.endsWith('/upload'));
  if (!upload) throw new Error('no upload route');
  let iteration = 0;
  for (; Date.now() < until; iteration += 1) {
    // The one multipart route holds a place per upload: it gets a share of its own.
    const choice = random.int(10);
    const route =
      choice === 0 ? { method: random.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']), url: `/${pathSegment(random, 'api')}/x` } : choice === 1 ? upload : random.pick(routes);
    const path = httpPath(random, route, world);
    const url = choice === 1 && random.chance(0.7) ? `/api/chat/groups/${world.roomId}/messages/upload/` : path;
    const body = choice === 1 ? multipart(random, random.chance(0.5)) : httpBody(random, corpus.get(routeKey(route.method, route.url)) ?? [], world);
    const who = choice === 1 && random.chance(0.7) ? { headers: { authorization: `Token ${world.main.token}` }, user: world.main } : credential(random, world);
    if (iteration % 50 === 0) await keepRoom(world);
    if (choice === 1 && random.chance(0.2)) {
      await abortedUpload(random, url, world.main.token);
      continue;
    }
    const input = `${route.method} ${url} ${JSON.stringify(who.headers)} ${body?.contentType ?? ''} ${body?.bytes.toString('utf8') ?? ''}`;
    const answer = await send(route.method, url, who.headers, body);
    if (typeof answer === 'string') {
      report({ worker: name, iteration, problem: answer, input });
      continue;
    }
    if (answer.status >= 500) report({ worker: name, iteration, problem: `HTTP ${answer.status}`, input, answer: answer.text });
    else if (answer.status >= 400 && route.method !== 'HEAD' && !isRecord(parsed(answer.text))) {
      report({ worker: name, iteration, problem: `HTTP ${answer.status} without a JSON body`, input, answer: answer.text });
    }
    // A log-out revoked the key it was sent with: log in again for the requests to come.
    if (who.user && route.url.endsWith('/logout') && answer.status < 300) await relogin(who.user);
  }
  return iteration;
}

/**
 * The fuzz deletes and leaves rooms too: the world's room is made anew when it went away. The
 * other worker may log the key out meanwhile: a refusal then waits for the next look (a server
 * failure would still show, in the log).
 */
async function keepRoom(world: HttpWorld): Promise<void> {
  const look = () => request(server, 'GET', `/api/chat/groups/${world.roomId}/members/`, { token: world.main.token });
  const members = await look().catch((error: unknown) => (connectionClosed(error) ? look() : Promise.reject(error)));
  if (members.status === 200) return;
  world.roomId = await createRoom(server, world.main, [world.other]).catch(() => world.roomId);
}

async function relogin(user: RoomsUser): Promise<void> {
  const login = await request(server, 'POST', '/api/user/login/', { body: { email: user.email, password: user.password } });
  if (login.status !== 200) throw new Error(`log-in again failed: ${login.status}`);
  user.token = login.body.token as string;
}

async function uploadGif(user: RoomsUser, roomId: number): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('content', 'a picture');
  form.append('attachment', new Blob([Buffer.from('GIF89a pretend pixels')], { type: 'image/gif' }), 'p.gif');
  const response = await fetch(`${server.url}/api/chat/groups/${roomId}/messages/upload/`, {
    method: 'POST',
    headers: { authorization: `Token ${user.token}` },
    body: form,
  });
  return { status: response.status, body: await response.json() };
}

// ---------------------------------------------------------------------------------------------
// The worlds the fuzz works in: one for the sockets, one for HTTP, so that what the HTTP fuzz
// deletes or revokes never pulls a socket's ground away.

interface SocketWorld {
  owner: RoomsUser;
  peer: RoomsUser;
  groupKey: string;
  roomId: number;
  revoked: string;
}

async function createPhoneGroup(admin: RoomsUser, member: RoomsUser): Promise<string> {
  const result = await request(server, 'POST', '/chat/special/group/', {
    token: admin.token,
    body: { name: 'fuzz', bio: 'fuzzed', admin: [admin.phone], participants: [admin.phone, member.phone] },
  });
  if (result.status !== 201) throw new Error(`group not created: ${result.status} ${result.text}`);
  return result.body.key as string;
}

async function revokedToken(): Promise<string> {
  const user = await roomsUser(server, 'Gone');
  await request(server, 'POST', '/api/user/logout/', { token: user.token });
  return user.token;
}

async function socketWorld(): Promise<SocketWorld> {
  const owner = await roomsUser(server, 'Sock');
  const peer = await roomsUser(server, 'Peer');
  await openDialogue(server, owner, peer);
  const groupKey = await createPhoneGroup(owner, peer);
  const matched = await request(server, 'POST', '/chat/special/room/', { token: owner.token, body: { msg_from: owner.phone, msg_to: peer.phone } });
  if (matched.status !== 201) throw new Error(`match room not opened: ${matched.status} ${matched.text}`);
  const roomId = await createRoom(server, owner, [peer]);
  return { owner, peer, groupKey, roomId, revoked: await revokedToken() };
}

async function httpWorld(): Promise<HttpWorld> {
  const main = await roomsUser(server, 'Http');
  const other = await roomsUser(server, 'Other');
  await openDialogue(server, main, other);
  const groupKey = await createPhoneGroup(main, other);
  await request(server, 'POST', '/chat/special/room/', { token: main.token, body: { msg_from: main.phone, msg_to: other.phone } });
  const roomId = await createRoom(server, main, [other]);
  const uploaded = await uploadGif(main, roomId);
  if (uploaded.status !== 201) throw new Error(`upload failed: ${uploaded.status} ${JSON.stringify(uploaded.body)}`);
  const [key = '', name = ''] = new URL(uploaded.body.attachment as string).pathname.split('/').slice(2);
  return { main, other, revoked: await revokedToken(), roomId, groupKey, media: { key, name } };
}

function socketKinds(world: SocketWorld, entries: GoldenEntry[]): SocketKind[] {
  const { owner, peer, groupKey } = world;
  const framesOf = (pattern: string): string[] =>
    entries
      .filter((entry) => entry.pattern === pattern && typeof entry.in === 'string')
      .map((entry) => (entry.in as string).replace(/<group-key#\d+>/g, groupKey).replace(/\b[1-9]\d{9}\b/g, (_phone, at: number) => (at % 2 === 0 ? owner.phone : peer.phone)));
  const phoneFrames = (pattern: string): string[] => [...framesOf(pattern), ...framesOf('/ws/chat/personal/{from}/{to}/').slice(0, 5)];
  const stamp = '2021-01-01 10:00:00.000';
  const sent = (frame: unknown): boolean => isRecord(frame) && frame.command === 'msg_sent';
  const four = ['message', 'msg_from', 'msg_to', 'sent_timestamp'] as const;
  const three = ['msg_from', 'msg_to', 'sent_timestamp'] as const;
  return [
    phoneKind({
      name: 'phone receive',
      path: `/ws/chat/special/${owner.phone}/`,
      token: owner.token,
      corpus: phoneFrames('/ws/chat/special/{phone}/'),
      commands: { fetch_msgs: [], fetch_grp_msgs: [], fetch_room_msgs: [] },
      wrongParties: (frame) => frame.msg_to !== undefined && frame.msg_to !== owner.phone,
      valid: () => ({
        frame: JSON.stringify({ command: 'fetch_room_msgs', msg_to: owner.phone }),
        answers: (frame) => isRecord(frame) && frame.command === 'fetch_room_msgs' && frame.all === true,
      }),
    }),
    phoneKind({
      name: 'phone personal',
      path: `/ws/chat/personal/${owner.phone}/${peer.phone}/`,
      token: owner.token,
      corpus: framesOf('/ws/chat/personal/{from}/{to}/'),
      commands: { new_msg: four, msg_received: four, msg_read: four, is_typing: three },
      wrongParties: (frame) => frame.msg_from !== owner.phone || frame.msg_to !== peer.phone,
      valid: (n) => ({
        frame: JSON.stringify({ command: 'new_msg', message: 'still here', msg_from: owner.phone, msg_to: peer.phone, sent_timestamp: `${stamp}${n}` }),
        answers: sent,
      }),
    }),
    phoneKind({
      name: 'phone group',
      path: `/ws/chat/group/${owner.phone}/${groupKey}/`,
      token: owner.token,
      corpus: framesOf('/ws/chat/group/{from}/{key}/'),
      commands: { new_grp_msg: four, grp_msg_received: four, grp_msg_read: four, is_grp_typing: three },
      wrongParties: (frame) => frame.msg_from !== owner.phone || frame.msg_to !== groupKey,
      valid: (n) => ({
        frame: JSON.stringify({ command: 'new_grp_msg', message: 'still here', msg_from: owner.phone, msg_to: groupKey, sent_timestamp: `${stamp}${n}` }),
        answers: sent,
      }),
    }),
    phoneKind({
      name: 'phone match room',
      path: `/ws/chat/room/${owner.phone}/`,
      token: owner.token,
      corpus: framesOf('/ws/chat/room/{phone}/'),
      commands: { new_msg: ['message', 'msg_from', 'sent_timestamp'], msg_received: ['message', 'msg_from', 'sent_timestamp'], msg_read: ['message', 'msg_from', 'sent_timestamp'], is_typing: ['msg_from', 'sent_timestamp'] },
      wrongParties: (frame) => frame.msg_from !== owner.phone,
      valid: (n) => ({
        frame: JSON.stringify({ command: 'new_msg', message: 'still here', msg_from: owner.phone, msg_to: 'room', sent_timestamp: `${stamp}${n}` }),
        answers: sent,
      }),
    }),
    roomsChatKind(`/ws/chat/${world.roomId}/`, owner.token, framesOf('/ws/chat/{id}/')),
  ];
}

function notificationsKind(world: SocketWorld, entries: GoldenEntry[]): SocketKind {
  const chat = socketKinds(world, entries).find((kind) => kind.name === 'rooms chat');
  if (!chat) throw new Error('no rooms chat kind');
  return { ...chat, name: 'rooms notifications', path: '/ws/notifications/', token: world.peer.token };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe(`fuzz (seed ${SEED}, ${SECONDS} s)`, () => {
  it('answers every socket frame and HTTP request of every kind without a 5xx, a crash or silence', { timeout: SECONDS * 1000 + 90_000 }, async () => {
    const random = new Random(SEED);
    const entries = goldenEntries();
    const routes = routesOf();
    expect(routes.length).toBeGreaterThan(40);
    const corpus = new Map<string, GoldenEntry[]>();
    for (const entry of entries) {
      if (!entry.route || entry.request === undefined) continue;
      const [method = '', url = ''] = entry.route.split(' ');
      const key = routeKey(method, url);
      corpus.set(key, [...(corpus.get(key) ?? []), entry]);
    }

    const sockets = await socketWorld();
    const web = await httpWorld();
    const kinds = socketKinds(sockets, entries);
    const until = Date.now() + SECONDS * 1000;
    const counts: Record<string, number> = {};
    const count = async (name: string, work: Promise<number>): Promise<void> => {
      counts[name] = await work;
    };
    let notifications: { socket: FuzzSocket; frames: number } | undefined;
    await Promise.all([
      ...kinds.map((kind) => count(kind.name, fuzzSocketKind(random.fork(kind.name), kind, until))),
      (async () => {
        notifications = await fuzzNotifications(random.fork('notifications'), notificationsKind(sockets, entries), until);
        counts['rooms notifications'] = notifications.frames;
      })(),
      count('socket upgrades', fuzzUpgrades(random.fork('upgrades'), sockets, until)),
      count('http 1', fuzzHttp(random.fork('http 1'), 'http 1', routes, corpus, web, until)),
      count('http 2', fuzzHttp(random.fork('http 2'), 'http 2', routes, corpus, web, until)),
    ]);

    // The notifications socket still delivers after all it was sent.
    if (notifications) {
      const chat = await SocketClient.open(server, `/ws/chat/${sockets.roomId}/`, { token: sockets.owner.token });
      chat.send({ message: `@peer look`, mentions: [sockets.peer.id] });
      const got = await notifications.socket.until((text) => isRecord(parsed(text)) && 'notification' in (parsed(text) as object), ANSWER_TIMEOUT_MS);
      if (!Array.isArray(got)) report({ worker: 'rooms notifications', iteration: notifications.frames, problem: `no notification after the fuzz: ${got}`, input: '' });
      await chat.close();
      await notifications.socket.close();
    }

    // Healthy afterwards: alive, ready, every socket and upload place given back, no temporary file left.
    expect((await request(server, 'GET', '/healthz')).status).toBe(200);
    expect((await request(server, 'GET', '/readyz')).status).toBe(200);
    const incoming = path.join(server.config.dataDir, 'attachments', 'incoming');
    const settled = async (check: () => boolean | Promise<boolean>): Promise<boolean> => {
      for (let tries = 0; tries < 50; tries += 1) {
        if (await check()) return true;
        await sleep(100);
      }
      return false;
    };
    if (!(await settled(() => server.parley.gateway.openSockets === 0))) {
      report({ worker: 'after', iteration: 0, problem: `${server.parley.gateway.openSockets} sockets still open`, input: '' });
    }
    // The fuzz may have deleted or left its room: upload to a new one.
    const freshRoom = await createRoom(server, web.main, [web.other]);
    let last: { status: number; body: unknown } | undefined;
    if (!(await settled(async () => (last = await uploadGif(web.main, freshRoom)).status === 201))) {
      report({ worker: 'after', iteration: 0, problem: 'no upload accepted after the fuzz (an upload place not given back?)', input: '', answer: JSON.stringify(last) });
    }
    if (!(await settled(() => !fs.existsSync(incoming) || fs.readdirSync(incoming).length === 0))) {
      report({ worker: 'after', iteration: 0, problem: `temporary upload files left: ${fs.readdirSync(incoming).length}`, input: '' });
    }
    for (const line of logged) report({ worker: 'server log', iteration: 0, problem: 'a warning or error was logged', input: line });

    const replay = `PARLEY_FUZZ_SEED=${SEED} PARLEY_FUZZ_SECONDS=${SECONDS} npx vitest run --project ${server.engine} test/integration/fuzz.test.ts`;
    const listed = findings.map((f) => `- ${f.worker} #${f.iteration}: ${f.problem}\n    sent: ${f.input}${f.answer ? `\n    got: ${f.answer}` : ''}`);
    expect(findings.length, `fuzz seed ${SEED} found problems (inputs per worker ${JSON.stringify(counts)}):\n${listed.join('\n')}\nreplay: ${replay}\n`).toBe(0);
    for (const name of Object.keys(counts)) expect(counts[name], name).toBeGreaterThan(0);
  });
});
