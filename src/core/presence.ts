// Who is online, derived from live sockets; never from what clients claim. Memory only.
import { now, type Instant } from './time.js';

export interface PresenceStatus {
  active: boolean;
  lastActive: Instant | null;
}

export class Presence {
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

  /** Activity seen outside a socket (an HTTP request that says so): moves last_active only. */
  touched(accountId: number): void {
    this.lastActive.set(accountId, now());
  }

  status(accountId: number): PresenceStatus {
    return { active: this.sockets.has(accountId), lastActive: this.lastActive.get(accountId) ?? null };
  }
}
