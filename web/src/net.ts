// HTTP and WebSocket plumbing. Requests carry the HttpOnly session cookie (same origin); sockets
// follow the page's scheme and reconnect with exponential backoff and jitter.
import type { Link } from './link.js';

export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) throw new HttpFailure(response.status, parsed);
  return parsed as T;
}

export function socketUrl(path: string): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;
/** Close codes after which retrying cannot help: unauthenticated, forbidden, no such conversation. */
const FINAL_CLOSE_CODES = new Set([4401, 4403, 4404]);

export interface SocketHandlers {
  onFrame(frame: Record<string, unknown>): void;
  /** Called on every (re)connection: the place to catch up on what was missed. */
  onOpen?(reconnected: boolean): void;
  onLink?(link: Link): void;
  onFinalClose?(code: number): void;
}

/**
 * A WebSocket that comes back after a drop; frames sent while it is down wait for it. While the
 * browser says it is offline it does not retry, and it reconnects at once when the network returns.
 */
export class ReconnectingSocket {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private opened = false;
  private stopped = false;
  private readonly queue: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private current: Link = { state: 'connecting' };
  private readonly online = (): void => this.reconnectNow();
  private readonly offline = (): void => this.goOffline();

  /** `path` is asked again at every (re)connection: it may carry what the client has seen so far. */
  constructor(
    private readonly path: string | (() => string),
    private readonly handlers: SocketHandlers,
  ) {
    window.addEventListener('online', this.online);
    window.addEventListener('offline', this.offline);
    this.connect();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  get link(): Link {
    return this.current;
  }

  send(frame: object): void {
    const text = JSON.stringify(frame);
    if (this.connected) this.socket?.send(text);
    else this.queue.push(text);
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.online);
    window.removeEventListener('offline', this.offline);
    this.socket?.close(1000);
  }

  private setLink(link: Link): void {
    this.current = link;
    this.handlers.onLink?.(link);
  }

  private connect(): void {
    if (!navigator.onLine) {
      this.setLink({ state: 'offline' });
      return;
    }
    this.setLink(this.opened ? { state: 'reconnecting' } : { state: 'connecting' });
    const socket = new WebSocket(socketUrl(typeof this.path === 'string' ? this.path : this.path()));
    this.socket = socket;
    socket.addEventListener('open', () => {
      const reconnected = this.opened;
      this.opened = true;
      this.attempt = 0;
      this.setLink({ state: 'connected' });
      this.handlers.onOpen?.(reconnected);
      for (const text of this.queue.splice(0)) socket.send(text);
    });
    socket.addEventListener('message', (event) => {
      try {
        const frame: unknown = JSON.parse(String(event.data));
        if (typeof frame === 'object' && frame !== null && !Array.isArray(frame)) this.handlers.onFrame(frame as Record<string, unknown>);
      } catch (error) {
        console.warn('unreadable frame', error);
      }
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.stopped) return;
      if (FINAL_CLOSE_CODES.has(event.code)) {
        this.setLink({ state: 'offline' });
        this.handlers.onFinalClose?.(event.code);
        return;
      }
      if (!navigator.onLine) {
        this.setLink({ state: 'offline' });
        return;
      }
      const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt) * (0.75 + Math.random() / 2);
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), delay);
      this.setLink({ state: 'reconnecting', retryAt: Date.now() + delay });
    });
  }

  /** The network is back: no point waiting out the backoff. */
  private reconnectNow(): void {
    if (this.stopped || this.socket) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  /** The browser lost its network: the socket is as good as gone, so close it and wait for `online`. */
  private goOffline(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close();
    else this.setLink({ state: 'offline' });
  }
}

/** A client timestamp that both dialects read: ISO 8601 in UTC with milliseconds. */
export function nowStamp(): string {
  return new Date().toISOString();
}

/** Milliseconds since the epoch of any timestamp the servers send (naive ones are UTC). */
export function instant(stamp: string): number {
  let text = stamp.trim().replace(' ', 'T');
  text = text.replace(/(\.\d{3})\d+/, '$1');
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(text)) text += 'Z';
  return Date.parse(text);
}
