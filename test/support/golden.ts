// Golden transcripts of the wire. A scenario talks to a real server through a Transcript, which
// records every HTTP exchange and every socket frame as raw text (key order and formatting
// included), in the order the scenario consumed them; the normalized transcript must equal
// test/golden/<scenario>.json byte for byte, on SQLite and on PostgreSQL alike.
//
// Updating the golden files is deliberate, on one store, then checked on the other:
//   npx vitest run -u --project sqlite test/integration/golden-*.test.ts
//   npx vitest run --project postgres test/integration/golden-*.test.ts
// With CI=true a missing or different golden file fails and nothing is written. Run whole files:
// the scenarios of one file share a server, so their ids depend on the scenarios before them.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { request, SocketClient, UpgradeRefused, type HttpResult, type RequestOptions } from './clients.js';
import type { Endpoint } from './server.js';

export interface HttpEntry {
  /** The concrete request line, e.g. "GET /api/chat/groups/3/messages/?page=2". */
  http: string;
  /** The route pattern, e.g. "GET /api/chat/groups/{id}/messages/". */
  route: string;
  requestHeaders: Record<string, string>;
  request: string | null;
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** One event of a socket: its opening URL, a frame in or out, its close, or a refused upgrade. */
export type SocketEntry = { socket: string; pattern: string } & (
  | { connect: string }
  | { in: string }
  | { out: string }
  | { close: number; reason: string }
  | { upgrade: number }
);

export type Entry = HttpEntry | SocketEntry;

/** Response headers that belong to the contract; the others (date, keep-alive…) do not. */
const CONTRACT_HEADERS = [
  'content-type',
  'cache-control',
  'content-disposition',
  'content-security-policy',
  'x-content-type-options',
  'location',
  'set-cookie',
];

export interface GoldenRequest extends RequestOptions {
  /** Values for the `{name}` segments of the route pattern. */
  params?: Record<string, string | number>;
  /** The query string, without `?`. */
  query?: string;
}

export interface SocketOptions {
  token?: string;
  headers?: Record<string, string>;
  /** A query string to connect with, besides the token (e.g. `since=3`). */
  query?: string;
}

/** `{name}` segments of a pattern replaced by their (URI-encoded) values. */
function fill(pattern: string, params: Record<string, string | number> = {}): string {
  return pattern.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${pattern}`);
    return encodeURIComponent(String(value));
  });
}

function contractHeaders(headers: Headers): Record<string, string | string[]> {
  const recorded: Record<string, string | string[]> = {};
  for (const name of CONTRACT_HEADERS) {
    if (name === 'set-cookie') {
      const cookies = headers.getSetCookie();
      if (cookies.length > 0) recorded[name] = cookies.length === 1 ? (cookies[0] ?? '') : cookies;
      continue;
    }
    const value = headers.get(name);
    if (value !== null) recorded[name] = value;
  }
  // A JSON body's length follows from the body; a file's is part of what is served.
  const length = headers.get('content-length');
  if (length !== null && !headers.get('content-type')?.startsWith('application/json')) recorded['content-length'] = length;
  return recorded;
}

function sortedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).sort(([a], [b]) => a.localeCompare(b)));
}

export class Transcript {
  readonly entries: Entry[] = [];
  private readonly sockets: RecordedSocket[] = [];
  private readonly groupKeys = new Set<string>();

  constructor(private readonly server: Endpoint) {}

  /** Sends a request to the route pattern filled with `params`, and records the exchange. */
  async http(method: string, pattern: string, options: GoldenRequest = {}): Promise<HttpResult> {
    const path = fill(pattern, options.params) + (options.query === undefined ? '' : `?${options.query}`);
    const result = await request(this.server, method, path, options);
    this.entries.push({
      http: `${method} ${path}`,
      route: `${method} ${pattern}`,
      requestHeaders: sortedHeaders(result.sent.headers),
      request: result.sent.body ?? null,
      status: result.status,
      headers: contractHeaders(result.headers),
      body: result.text,
    });
    return result;
  }

  /** Opens a socket on the pattern filled with `params`; the server may refuse or close it at once. */
  async socket(pattern: string, params: Record<string, string | number>, options: SocketOptions = {}): Promise<RecordedSocket> {
    const path = fill(pattern, params);
    const open = this.sockets.filter((s) => s.path === path && s.client?.closeCode === undefined).length;
    const name = open === 0 ? path : `${path} (${open + 1})`;
    const query = [options.query, options.token === undefined ? undefined : `token=${options.token}`].filter((part) => part !== undefined);
    const connect = query.length === 0 ? path : `${path}?${query.join('&')}`;
    this.entries.push({ socket: name, pattern, connect });
    let client: SocketClient | undefined;
    try {
      client = await SocketClient.open(this.server, options.query === undefined ? path : `${path}?${options.query}`, options);
    } catch (error) {
      if (!(error instanceof UpgradeRefused)) throw error;
      this.entries.push({ socket: name, pattern, upgrade: error.status });
    }
    const socket = new RecordedSocket(this.entries, name, path, pattern, client);
    this.sockets.push(socket);
    return socket;
  }

  /** Opens a socket the server is expected to refuse, and records how it did. */
  async refused(pattern: string, params: Record<string, string | number>, options: SocketOptions = {}): Promise<void> {
    const socket = await this.socket(pattern, params, options);
    if (socket.client) await socket.closed();
  }

  /** A group key the server made up: it is shown as a placeholder if it has the key format. */
  groupKey(key: string): string {
    this.groupKeys.add(key);
    return key;
  }

  /**
   * Checks that no socket holds a frame the scenario did not take, closes the sockets, and
   * compares the normalized transcript with test/golden/<name>.json.
   */
  async matchesGolden(name: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const socket of this.sockets) {
      const left = socket.client?.frames ?? [];
      if (left.length > 0) throw new Error(`frames left unread on ${socket.name}: ${JSON.stringify(left)}`);
    }
    for (const socket of this.sockets) if (socket.client && socket.client.closeCode === undefined) await socket.client.close();
    const normalized = normalizeTranscript(this.entries, {
      now: Date.now(),
      origin: this.server.url,
      groupKeys: [...this.groupKeys],
    });
    const text = `${JSON.stringify(normalized, null, 2)}\n`;
    const file = fileURLToPath(new URL(`../golden/${name}.json`, import.meta.url));
    const golden = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    await expect(golden === undefined ? text : alignZeroFractions(text, golden)).toMatchFileSnapshot(file);
  }
}

/** A socket whose frames are recorded as the scenario sends and takes them. */
export class RecordedSocket {
  constructor(
    private readonly entries: Entry[],
    readonly name: string,
    readonly path: string,
    readonly pattern: string,
    /** Undefined when the upgrade itself was refused. */
    readonly client: SocketClient | undefined,
  ) {}

  private get open(): SocketClient {
    if (!this.client) throw new Error(`${this.name} was never opened`);
    return this.client;
  }

  /** Sends a frame: an object as JSON, a string exactly as given. */
  send(frame: unknown): void {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.entries.push({ socket: this.name, pattern: this.pattern, in: text });
    this.open.send(text);
  }

  /** Takes the next frame in arrival order (failing after a timeout) and records its text. */
  async receive(): Promise<any> {
    const frame: unknown = await this.open.next();
    this.entries.push({ socket: this.name, pattern: this.pattern, out: this.open.lastRaw ?? '' });
    return frame;
  }

  /** Takes `count` frames in arrival order. */
  async receiveMany(count: number): Promise<any[]> {
    const frames: unknown[] = [];
    for (let i = 0; i < count; i += 1) frames.push(await this.receive());
    return frames;
  }

  /** Waits for the server to close the socket and records the code and reason. */
  async closed(): Promise<number> {
    const code = await this.open.closed;
    this.entries.push({ socket: this.name, pattern: this.pattern, close: code, reason: this.open.closeReason ?? '' });
    return code;
  }

  /** Closes from the client side (not part of the recorded wire). */
  async close(): Promise<void> {
    await this.open.close();
  }
}

export type FormPart = { name: string; value: string } | { name: string; fileName: string; type: string; content: string };

const BOUNDARY = 'golden-boundary';

/** A multipart/form-data body with a fixed boundary, so that the request is the same every run. */
export function multipartBody(parts: readonly FormPart[]): { raw: string; headers: Record<string, string> } {
  const sections = parts.map((part) =>
    'value' in part
      ? `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`
      : `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.fileName}"\r\n` +
        `Content-Type: ${part.type}\r\n\r\n${part.content}\r\n`,
  );
  return { raw: `${sections.join('')}--${BOUNDARY}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
}

// ---- normalization -------------------------------------------------------------------------

export interface NormalizeOptions {
  /** Server clocks are within NEAR_NOW_MS of this instant; clients' timestamps (2020, 2021) are not. */
  now: number;
  /** The server's own origin (its port changes every run). */
  origin: string;
  /** Group keys the server made up in this transcript. */
  groupKeys: readonly string[];
}

const NEAR_NOW_MS = 30 * 24 * 3600 * 1000;
const TOKEN = /(?<![0-9A-Za-z])[0-9a-f]{40}(?![0-9A-Za-z])/g;
const MEDIA_KEY = /(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])/g;
const GROUP_KEY = /^[0-9A-F]{10}$/;
const TIMESTAMP = /(?<!\d)(\d{4}-\d{2}-\d{2})([T ])(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?(?![\d.:])/g;

/** The placeholder of a timestamp: it names the separator, the precision and the zone. */
export function timestampPlaceholder(separator: string, fraction: string, zone: string): string {
  const precision = fraction.length === 0 ? 's' : fraction.length === 3 ? 'ms' : fraction.length === 6 ? 'us' : `f${fraction.length}`;
  const kind = zone === '' ? 'naive' : 'iso';
  return `<${kind}${separator === ' ' ? '-space' : ''}-${precision}${zone === 'Z' ? '-Z' : zone}>`;
}

/**
 * Replaces the values that change from run to run with placeholders that keep their format:
 * server timestamps near `now` (`<naive-us>`, `<iso-us+00:00>`, `<iso-ms-Z>`…), tokens
 * (`<token#1>`, the same token the same number), attachment keys (`<media-key#1>`), group
 * keys (`<group-key#1>`) and the origin (`<origin>`). A value of another format is left as it
 * is, so a format change shows as a difference.
 */
export function normalizeTranscript<T>(entries: readonly T[], options: NormalizeOptions): T[] {
  const numbering = (label: string) => {
    const seen = new Map<string, string>();
    return (value: string): string => {
      let placeholder = seen.get(value);
      if (placeholder === undefined) {
        placeholder = `<${label}#${seen.size + 1}>`;
        seen.set(value, placeholder);
      }
      return placeholder;
    };
  };
  const token = numbering('token');
  const mediaKey = numbering('media-key');
  const groupKey = numbering('group-key');
  const keys = options.groupKeys.filter((key) => GROUP_KEY.test(key));
  const groupKeyPattern = keys.length === 0 ? undefined : new RegExp(`(?<![0-9A-Za-z])(?:${keys.join('|')})(?![0-9A-Za-z])`, 'g');

  const timestamp = (whole: string, date: string, separator: string, time: string, fraction = '', zone = ''): string => {
    const offset = zone === '' || zone === 'Z' ? 'Z' : zone;
    const at = Date.parse(`${date}T${time}.${fraction.padEnd(3, '0').slice(0, 3)}${offset}`);
    if (Number.isNaN(at) || Math.abs(at - options.now) > NEAR_NOW_MS) return whole;
    return timestampPlaceholder(separator, fraction, zone);
  };

  const text = (value: string): string => {
    let result = value.split(options.origin).join('<origin>');
    result = result.replace(TOKEN, token).replace(MEDIA_KEY, mediaKey);
    if (groupKeyPattern) result = result.replace(groupKeyPattern, groupKey);
    return result.replace(TIMESTAMP, timestamp);
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return entries.map((entry) => walk(entry) as T);
}

const ZERO_FRACTION = timestampPlaceholder('T', '', 'Z');
const DROPS_ZERO_FRACTION = [ZERO_FRACTION, timestampPlaceholder('T', '000', 'Z'), timestampPlaceholder('T', '000000', 'Z')];

/**
 * The phone dialect writes some server instants without a fraction when it is zero (Django's
 * encoder did), so one run in a thousand sees `<iso-s-Z>` where the golden file has
 * `<iso-ms-Z>` or `<iso-us-Z>`: the same format at a zero fraction. Those places take the
 * golden file's placeholder; anywhere else the difference stands.
 */
export function alignZeroFractions(actual: string, golden: string): string {
  const parts = actual.split(ZERO_FRACTION);
  if (parts.length === 1) return actual;
  const escape = (part: string): string => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const alternatives = DROPS_ZERO_FRACTION.map(escape).join('|');
  const match = new RegExp(`^${parts.map(escape).join(`(${alternatives})`)}$`).exec(golden);
  if (!match) return actual;
  return parts.reduce((aligned, part, i) => (i === 0 ? part : `${aligned}${match[i] ?? ''}${part}`), '');
}

// ---- concrete values for placeholders ------------------------------------------------------

/** The instant every timestamp placeholder is filled with (also in docs/asyncapi.yaml's examples). */
const EXAMPLE_DATE = '2024-03-05';
const EXAMPLE_TIME = '09:41:27';
const EXAMPLE_FRACTION = '318000000';
/** The origin `<origin>` is filled with. */
export const EXAMPLE_ORIGIN = 'http://127.0.0.1:8000';
const NUMBERED_LENGTH: Record<string, number> = { token: 40, 'media-key': 32, 'group-key': 10 };
const PLACEHOLDER = /<(?:(?:naive|iso)(-space)?-(s|ms|us|f\d+)(-Z|[+-]\d{2}:\d{2})?|(token|media-key|group-key)#(\d+)|origin)>/g;

/**
 * The inverse of normalizeTranscript for one text: each placeholder becomes a concrete value of
 * its format, the same value for the same placeholder, so that a recorded frame can be validated
 * or quoted as the wire had it. Keys are hex digests of the placeholder: fixed, yet plausible.
 */
export function fillPlaceholders(text: string): string {
  return text.replace(
    PLACEHOLDER,
    (whole, space: string | undefined, precision: string | undefined, zone: string | undefined, numbered: string | undefined, n: string | undefined) => {
      if (whole === '<origin>') return EXAMPLE_ORIGIN;
      if (numbered !== undefined) {
        const hex = createHash('sha256').update(`${numbered}#${n ?? ''}`).digest('hex').slice(0, NUMBERED_LENGTH[numbered]);
        return numbered === 'group-key' ? hex.toUpperCase() : hex;
      }
      const digits = precision === 's' ? 0 : precision === 'ms' ? 3 : precision === 'us' ? 6 : Number(precision?.slice(1));
      const fraction = digits === 0 ? '' : `.${EXAMPLE_FRACTION.padEnd(digits, '0').slice(0, digits)}`;
      const offset = zone === undefined ? '' : zone === '-Z' ? 'Z' : zone;
      return `${EXAMPLE_DATE}${space === undefined ? 'T' : ' '}${EXAMPLE_TIME}${fraction}${offset}`;
    },
  );
}
