// The contract between the gateway and a dialect's socket handlers.
import type { AccountRecord } from '../store/records.js';
import type { Connection, SocketSession } from './connection.js';

export type { SocketSession };

export interface SocketContext {
  connection: Connection;
  account: AccountRecord;
  /** The route pattern's capture groups. */
  params: string[];
  /**
   * The upgrade URL, to be read in open() only: once the session is open it is replaced by a
   * placeholder, so that an idle socket does not keep its URL (and the token in its query).
   */
  url: URL;
  /** The origin the client used (from its Host header), for absolute URLs in frames. */
  origin: string;
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
