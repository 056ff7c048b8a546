// Real HTTP and WebSocket clients for the integration suite.
import WebSocket from 'ws';
import type { Endpoint } from './server.js';

export interface HttpResult {
  status: number;
  body: any;
  /** The response body exactly as received. */
  text: string;
  headers: Headers;
  /** The request as sent: its headers and its body text. */
  sent: { headers: Record<string, string>; body: string | undefined };
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as-is instead of JSON (malformed input). */
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
}

export async function request(
  server: Endpoint,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.raw !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = options.raw;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (options.token) headers.authorization = `Token ${options.token}`;
  const response = await fetch(`${server.url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, text, headers: response.headers, sent: { headers, body } };
}

export interface User {
  token: string;
  phone: string;
  username: string;
  email: string;
  password: string;
}

let counter = 0;

/** Signs a fresh user up; phones are unique per test process. */
export async function signup(server: Endpoint, overrides: Partial<User> = {}): Promise<User> {
  counter += 1;
  const unique = `${process.pid % 10000}`.padStart(4, '0') + `${counter}`.padStart(6, '0');
  const user = {
    phone: overrides.phone ?? unique,
    username: overrides.username ?? `user${unique}`,
    email: overrides.email ?? `user${unique}@example.com`,
    password: overrides.password ?? 'Sup3r-secret-pw',
  };
  const result = await request(server, 'POST', '/auth/signup/', {
    body: { email: user.email, username: user.username, password: user.password, ph_num: user.phone },
  });
  if (result.status !== 201) throw new Error(`signup failed: ${result.status} ${JSON.stringify(result.body)}`);
  return { ...user, token: result.body.token as string };
}

/** The server answered the upgrade with an HTTP status instead of a socket. */
export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused: ${status}`);
    this.name = 'UpgradeRefused';
  }
}

/** A WebSocket client that queues every frame it receives, for tests to take in order. */
export class SocketClient {
  readonly frames: any[] = [];
  private readonly texts: string[] = [];
  /** Every frame's text, in arrival order, never consumed: for "nothing ever said X" checks. */
  readonly raw: string[] = [];
  /** The exact text of the frame that next() or take() returned last. */
  lastRaw: string | undefined;
  closeReason: string | undefined;
  private waiters: Array<() => void> = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.texts.push(text);
      this.raw.push(text);
      this.frames.push(JSON.parse(text));
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.wake();
        resolve(code);
      });
    });
    ws.on('error', () => undefined);
  }

  /** Opens a socket; resolves once it is open (it may be closed by the server right after). */
  static async open(
    server: Endpoint,
    path: string,
    options: { token?: string; headers?: Record<string, string>; localAddress?: string } = {},
  ): Promise<SocketClient> {
    const url = new URL(`${server.wsUrl}${path}`);
    if (options.token) url.searchParams.set('token', options.token);
    const ws = new WebSocket(url, { headers: options.headers, localAddress: options.localAddress });
    const client = new SocketClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new UpgradeRefused(res.statusCode ?? 0)));
      ws.once('error', reject);
    });
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame, or a failure after the timeout. */
  next(timeoutMs = 3000): Promise<any> {
    return this.take(() => true, timeoutMs);
  }

  /** The first frame that matches, leaving the others queued in order; fails on timeout. */
  async take(match: (frame: any) => boolean, timeoutMs = 3000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) {
        this.lastRaw = this.texts.splice(index, 1)[0];
        return this.frames.splice(index, 1)[0];
      }
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) while waiting for a frame`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Asserts that nothing arrives for a while; returns what did arrive (should be []). */
  async quiet(ms = 150): Promise<any[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.texts.splice(0);
    return this.frames.splice(0);
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }

  /** The code the server closes the socket with, or a failure when it is still open after `ms`. */
  closedWithin(ms: number): Promise<number> {
    return Promise.race([
      this.closed,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms)),
    ]);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Opens a socket and returns the code the server closed it with. */
export async function closeCodeOf(server: Endpoint, path: string, options: { token?: string; headers?: Record<string, string> } = {}): Promise<number> {
  const client = await SocketClient.open(server, path, options);
  return client.closed;
}

/**
 * Polls `check` until it holds; resolves with how many milliseconds that took, or fails once
 * `ms` have passed (for "every process sees it within a second" checks).
 */
export async function within(ms: number, check: () => Promise<boolean>, what = 'the change'): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`${what} not seen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
