// Who is online, derived from live sockets; never from what clients claim. Typing and presence
// never touch the database: one process keeps them in memory, several share them through Redis.
import { now, type Instant } from './time.js';

export interface PresenceStatus {
  active: boolean;
  lastActive: Instant | null;
}

export interface Presence {
  connected(accountId: number): void;
  disconnected(accountId: number): void;
  /** Activity seen outside a socket (an HTTP request that says so): moves last_active only. */
  touched(accountId: number): void;
  status(accountId: number): Promise<PresenceStatus>;
  /** Several accounts' presence in one round trip. */
  statuses(accountIds: readonly number[]): Promise<Map<number, PresenceStatus>>;
  close(): Promise<void>;
}

/** Counts this process's sockets per account. */
export class LocalPresence implements Presence {
  private readonly sockets = new Map<number, number>();
  private readonly lastActive = new Map<number, Instant>();

  connected(accountId: number): void {
    this.sockets.set(accountId, (this.sockets.get(accountId) ?? 0) + 1);
    this.lastActive.set(accountId, now());
  }

  disconnected(accountId: number): void {
    const count = (this.sockets.get(accountId) ?? 0) - 1;
    if (count > 0) this.sockets.set(accountId, count);
    else this.sockets.delete(accountId);
    this.lastActive.set(accountId, now());
  }

  touched(accountId: number): void {
    this.lastActive.set(accountId, now());
  }

  async status(accountId: number): Promise<PresenceStatus> {
    return this.localStatus(accountId);
  }

  async statuses(accountIds: readonly number[]): Promise<Map<number, PresenceStatus>> {
    return new Map(accountIds.map((id) => [id, this.localStatus(id)]));
  }

  localStatus(accountId: number): PresenceStatus {
    return { active: this.sockets.has(accountId), lastActive: this.lastActive.get(accountId) ?? null };
  }

  /** Accounts with at least one socket on this process. */
  online(): number[] {
    return [...this.sockets.keys()];
  }

  async close(): Promise<void> {
    this.sockets.clear();
  }
}
