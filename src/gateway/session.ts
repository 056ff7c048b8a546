// The contract between the gateway and a dialect's socket handlers.
import type { AccountRecord } from '../store/records.js';
import type { Connection, SocketSession } from './connection.js';

export type { SocketSession };

/**
 * What a session opens with, and may keep for the socket's life: the gateway hands it the
 * Connection itself (its `connection` is itself), so an idle socket holds no second object.
 */
export interface SocketContext {
  readonly connection: Connection;
  account: AccountRecord;
  /** The route pattern's capture groups. */
  params: string[];
  /** The origin the client used (from its Host header), for absolute URLs in frames. */
  origin: string;
  /** Delivers events of this topic to this socket until it closes; resolves once in effect. */
  subscribe(topic: string): Promise<void>;
}

export interface SocketRoute {
  /** Which dialect serves this route (a metrics label). */
  dialect: string;
  pattern: RegExp;
  /**
   * Opens a session, or throws SocketRefusal to close the socket with a code. `query` is the
   * upgrade URL's query without its credentials, for the opening only: a session that kept it
   * would hold it for the socket's whole life.
   */
  open(context: SocketContext, query: URLSearchParams): Promise<SocketSession> | SocketSession;
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
