// The contract between the gateway and a dialect's socket handlers.
import type { DeliveryEvent } from '../core/events.js';
import type { AccountRecord } from '../store/records.js';
import type { Connection } from './connection.js';
import type { DialectFrames } from './rendered.js';

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

export interface SocketContext {
  connection: Connection;
  account: AccountRecord;
  /** The route pattern's capture groups. */
  params: string[];
  url: URL;
  /** Delivers events of this topic to this socket until it closes; resolves once in effect. */
  subscribe(topic: string): Promise<void>;
}

export interface SocketRoute {
  /** Which dialect serves this route (a metrics label). */
  dialect: string;
  pattern: RegExp;
  /** Opens a session, or throws SocketRefusal to close the socket with a code. */
  open(context: SocketContext): Promise<SocketSession> | SocketSession;
}

export class SocketRefusal extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'SocketRefusal';
  }
}
