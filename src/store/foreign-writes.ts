// Commits made to the same SQLite file by another process (the command line, above all): they
// invalidate nothing on the bus of this one. PRAGMA data_version changes on a connection exactly
// when another connection has committed, so a cheap poll of it tells this process to re-read.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** How often the data version is read: a change elsewhere shows here within this. */
export const FOREIGN_WRITES_POLL_MS = 250;

export class ForeignWrites {
  private readonly listeners: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private version: number | undefined;
  private polling = false;

  constructor(private readonly db: Kysely<Database>) {}

  watch(listener: () => void): void {
    this.listeners.push(listener);
    this.timer ??= setInterval(() => void this.poll(), FOREIGN_WRITES_POLL_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { rows } = await sql<{ data_version: number }>`pragma data_version`.execute(this.db);
      const version = rows[0]?.data_version;
      const changed = this.version !== undefined && version !== this.version;
      this.version = version;
      if (changed) for (const listener of this.listeners) listener();
    } catch {
      // The store is closing or briefly busy: the next poll looks again.
    } finally {
      this.polling = false;
    }
  }
}
