// One live socket: sends with a cap on unsent bytes, takes frames at a bounded rate and hands
// them to its session one at a time, in order. An idle socket holds many of these: what every
// connection shares (the gateway's side, the socket's listeners) is held once, not per socket.
import { isUtf8 } from 'node:buffer';
import type { Writable } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import type { DeliveryEvent } from '../core/events.js';
import type { Metrics } from '../metrics.js';
import type { AccountRecord } from '../store/records.js';
import { CLOSE, DRAIN_WAIT_MS, FRAME_BURST, FRAMES_PER_SECOND, MAX_BUFFERED_BYTES, PACED_SEND_BYTES } from './limits.js';
import type { DialectFrames, RenderedFrames } from './rendered.js';

/** What a dialect does with one socket once it is open. */
export interface SocketSession {
  /** One text frame from the client. Frames of a socket arrive one at a time, in order. */
  onFrame(text: string): Promise<void> | void;
  /** A text frame that is not valid UTF-8, in its turn among the frames: answer it, the socket stays open. */
  onInvalidText(): Promise<void> | void;
  /**
   * An event on a topic this socket subscribed to. `frames` holds this dialect's frames of the
   * event, shared by every socket that gets it: render each variant through it, once.
   */
  onEvent?(event: DeliveryEvent, frames: DialectFrames): void;
  onClose?(): void;
}

/** What a connection asks of the gateway that holds it: one object for every connection. */
export interface ConnectionHost {
  readonly metrics: Metrics;
  /** A frame's handler threw. */
  frameFailed(error: unknown): void;
  /** Delivers the topic's events to the connection; resolves once in effect. */
  subscribe(connection: Connection, topic: string): Promise<void>;
  /** The socket closed: the connection is forgotten (its topics too). */
  closed(connection: Connection): void;
}

/**
 * ws's socket with its connection: the socket's listeners are functions shared by every socket
 * (ws calls them with the socket as `this`), which find their connection here.
 */
export class ConnectionSocket extends WebSocket {
  connection: Connection | undefined;
}

/** Most sockets listen to one topic or none: the list starts as this one, shared. */
const NO_TOPICS: readonly string[] = [];

/**
 * One open socket. It is also the context its session opens with (SocketContext): the session
 * keeps it, so there is no second object, and subscribing is a method, not a closure.
 */
export class Connection {
  session: SocketSession | undefined;
  alive = true;
  private tokens = FRAME_BURST;
  private refilledAt = Date.now();
  /** Frames wait here until the session is open, then run one after another. */
  private inbox: Promise<void>;
  /** Resolves the inbox's first promise; dropped once called, so an open socket does not hold it. */
  private opened: (() => void) | undefined;
  private accepting = true;
  /** Events that arrived between subscribing and the session's opening, delivered at begin(). */
  private early: Array<[DeliveryEvent, RenderedFrames]> | undefined = [];
  /** The topics subscribed, each once; a list of exactly its length (a set would cost more). */
  topics = NO_TOPICS;

  constructor(
    readonly socket: ConnectionSocket,
    readonly account: AccountRecord,
    /** The hash of the token the socket was opened with: revoking it closes the socket. */
    readonly tokenHash: string,
    readonly dialect: string,
    /** The route pattern's capture groups. */
    readonly params: string[],
    /** The origin the client used (from its Host header), for absolute URLs in frames. */
    readonly origin: string,
    private readonly host: ConnectionHost,
  ) {
    this.inbox = new Promise((resolve) => {
      this.opened = resolve;
    });
    socket.connection = this;
    // Frames that arrive while the session opens wait in the inbox.
    socket.on('message', received);
    socket.on('pong', ponged);
    socket.on('error', ignore);
    socket.on('close', closed);
  }

  /** The connection is its session's context (see SocketContext). */
  get connection(): Connection {
    return this;
  }

  /** The socket closed: the gateway forgets it. */
  forget(): void {
    this.host.closed(this);
  }

  /** Delivers events of this topic to this socket until it closes; resolves once in effect. */
  async subscribe(topic: string): Promise<void> {
    if (!this.open || this.topics.includes(topic)) return;
    this.topics = [...this.topics, topic];
    await this.host.subscribe(this, topic);
  }

  /** Starts handing queued and future frames to the session (none if it failed to open). */
  begin(session: SocketSession | undefined): void {
    this.session = session;
    const early = this.early ?? [];
    this.early = undefined;
    for (const [event, rendered] of early) session?.onEvent?.(event, rendered.of(this.dialect));
    this.opened?.();
    this.opened = undefined;
  }

  /** An event on one of the connection's topics. */
  deliver(event: DeliveryEvent, rendered: RenderedFrames): void {
    if (this.early) this.early.push([event, rendered]);
    else this.session?.onEvent?.(event, rendered.of(this.dialect));
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(frame: string): void {
    if (!this.open) return;
    const bytes = frameBytes(frame);
    if (this.socket.bufferedAmount + bytes.length > MAX_BUFFERED_BYTES) {
      this.close(CLOSE.tooSlow, 'too slow: send buffer full');
      return;
    }
    corkUntilTickEnds(this.socket);
    this.socket.send(bytes, { binary: false });
    this.host.metrics.frameOut(this.dialect);
  }

  /**
   * Sends one frame of a long answer. Once PACED_SEND_BYTES are unsent, resolves only when this
   * frame has left for the network (so the answer goes at the reader's pace); a reader that does
   * not drain within DRAIN_WAIT_MS is closed as too slow. Resolves at once on a closed socket.
   */
  async sendPaced(frame: string): Promise<void> {
    if (!this.open) return;
    const written = new Promise<void>((resolve) => this.socket.send(frame, () => resolve()));
    this.host.metrics.frameOut(this.dialect);
    if (this.socket.bufferedAmount <= PACED_SEND_BYTES) return;
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.close(CLOSE.tooSlow, 'too slow: nothing drained');
        resolve();
      }, DRAIN_WAIT_MS);
    });
    await Promise.race([written, tooSlow]);
    clearTimeout(timer);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.CLOSED || this.socket.readyState === this.socket.CLOSING) return;
    this.socket.close(code, reason);
  }

  /**
   * Queues an incoming frame behind the ones before it; refuses a client over its rate. A text
   * frame must be UTF-8 (checked here, not by ws, which would close the socket with 1007);
   * binary frames are read as UTF-8 as they are.
   */
  receive(data: Buffer, isBinary: boolean): void {
    if (!this.accepting) return;
    this.host.metrics.frameIn(this.dialect);
    if (!this.takeToken()) {
      this.close(CLOSE.rateLimited, 'rate limited');
      return;
    }
    const text = isBinary || isUtf8(data) ? data.toString('utf8') : undefined;
    this.inbox = this.inbox.then(async () => {
      if (!this.open || !this.session) return;
      try {
        await (text === undefined ? this.session.onInvalidText() : this.session.onFrame(text));
      } catch (error) {
        this.host.frameFailed(error);
      }
    });
  }

  /**
   * Takes no more frames and resolves once the ones already taken are handled (their replies
   * sent), so that a shutdown never drops the acknowledgement of a committed message.
   */
  drain(): Promise<void> {
    this.accepting = false;
    return this.inbox;
  }

  private takeToken(): boolean {
    const nowMs = Date.now();
    this.tokens = Math.min(FRAME_BURST, this.tokens + ((nowMs - this.refilledAt) / 1000) * FRAMES_PER_SECOND);
    this.refilledAt = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function received(this: WebSocket, data: RawData, isBinary: boolean): void {
  connectionOf(this)?.receive(toBuffer(data), isBinary);
}

function ponged(this: WebSocket): void {
  const connection = connectionOf(this);
  if (connection) connection.alive = true;
}

function closed(this: WebSocket): void {
  connectionOf(this)?.forget();
}

/** A socket's errors end in its 'close', which does what there is to do. */
function ignore(): void {}

function connectionOf(socket: WebSocket): Connection | undefined {
  return socket instanceof ConnectionSocket ? socket.connection : undefined;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/**
 * The frame sent last, as bytes: a broadcast sends one frame (the same string) to many sockets in
 * a row, so it is encoded once, not once per socket.
 */
let lastFrame: { text: string; bytes: Buffer } | undefined;

function frameBytes(frame: string): Buffer {
  if (lastFrame?.text !== frame) lastFrame = { text: frame, bytes: Buffer.from(frame, 'utf8') };
  return lastFrame.bytes;
}

/** Sockets corked in this tick: every frame written to one of them before the tick ends leaves in one write. */
const corked = new Set<Writable>();

function corkUntilTickEnds(socket: WebSocket): void {
  // ws keeps its net.Socket as _socket; without it (never, once open) frames go uncorked.
  const raw = (socket as unknown as { _socket?: Writable })._socket;
  if (!raw || corked.has(raw)) return;
  if (corked.size === 0) process.nextTick(uncorkAll);
  corked.add(raw);
  raw.cork();
}

function uncorkAll(): void {
  for (const raw of corked) raw.uncork();
  corked.clear();
}
