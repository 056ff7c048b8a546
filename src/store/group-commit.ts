// Group commit: writes that arrive while the previous batch commits share the next transaction,
// so a burst of messages pays for one BEGIN/COMMIT (and one WAL append) instead of one each.
// Every caller's promise settles only after that shared commit, so whatever the caller does
// next (a msg_sent, a publish) still happens after its write is durable. When the shared
// transaction fails, each write of the batch is retried in a transaction of its own, so a bad
// write fails alone and the others are unaffected.
//
// With several batches in flight (PostgreSQL), each write names the conversation it writes to
// and each conversation has one lane: one batch in flight per lane, so two batches in flight
// never touch the same conversation's rows. Otherwise they would wait on each other's row locks
// (a member's markers, a message being acknowledged) and, locking in different orders, deadlock.
//
// On SQLite a write may also be synchronous (runSync): better-sqlite3 is, so a batch made only of
// such writes is one better-sqlite3 transaction with no promise per statement. Its one async hop
// is taking the connection from Kysely, so that no Kysely query or transaction is open on it
// meanwhile.
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';

type Work<DB, T> = (trx: Transaction<DB>) => Promise<T>;
/** A write on SQLite's one connection, run inside the batch's transaction. */
export type SyncWork<T> = (sqlite: BetterSqlite3.Database) => T;

interface Settles {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}
type SyncPending = Settles & { sync: SyncWork<unknown>; work?: undefined };
type Pending<DB> = SyncPending | (Settles & { work: Work<DB, unknown>; sync?: undefined });

/** Largest number of writes in one transaction; the rest wait for the next one. */
export const MAX_GROUP_COMMIT = 500;

export class GroupCommit<DB> {
  private readonly lanes: Array<{ queue: Array<Pending<DB>>; busy: boolean; scheduled: boolean }>;

  /**
   * `parallel`: batches that may commit at once (1 for SQLite's single connection). `sqlite`:
   * the connection under `db` when it is SQLite's, for synchronous writes.
   */
  constructor(
    private readonly db: Kysely<DB>,
    parallel: number,
    private readonly sqlite?: BetterSqlite3.Database,
  ) {
    this.lanes = Array.from({ length: parallel }, () => ({ queue: [], busy: false, scheduled: false }));
  }

  /** Runs `work` in the next batch of the conversation's lane; resolves after that batch commits. */
  run<T>(conversationId: number, work: Work<DB, T>): Promise<T> {
    return this.enqueue<T>(conversationId, (resolve, reject) => ({ work, resolve, reject }));
  }

  /** As run, with a synchronous write on SQLite's connection; SQLite only. */
  runSync<T>(conversationId: number, sync: SyncWork<T>): Promise<T> {
    if (!this.sqlite) throw new Error('synchronous writes need SQLite');
    return this.enqueue<T>(conversationId, (resolve, reject) => ({ sync, resolve, reject }));
  }

  private enqueue<T>(
    conversationId: number,
    pending: (resolve: (value: unknown) => void, reject: (error: unknown) => void) => Pending<DB>,
  ): Promise<T> {
    const lane = this.lanes[conversationId % this.lanes.length]!;
    return new Promise<T>((resolve, reject) => {
      lane.queue.push(pending(resolve as (value: unknown) => void, reject));
      this.schedule(lane);
    });
  }

  private schedule(lane: GroupCommit<DB>['lanes'][number]): void {
    if (lane.scheduled || lane.busy || lane.queue.length === 0) return;
    lane.scheduled = true;
    // After the current I/O phase, so that every frame read in it joins the same batch.
    setImmediate(() => {
      lane.scheduled = false;
      if (lane.busy || lane.queue.length === 0) return;
      const batch = lane.queue.splice(0, MAX_GROUP_COMMIT);
      lane.busy = true;
      void this.commit(batch).finally(() => {
        lane.busy = false;
        this.schedule(lane);
      });
    });
  }

  private async commit(batch: Array<Pending<DB>>): Promise<void> {
    if (batch.length > 1) {
      try {
        const results = await this.transaction(batch);
        batch.forEach((item, i) => item.resolve(results[i]));
        return;
      } catch {
        // Fall through: find the write that failed by committing each on its own.
      }
    }
    for (const item of batch) {
      try {
        item.resolve((await this.transaction([item]))[0]);
      } catch (error) {
        item.reject(error);
      }
    }
  }

  /** Runs the writes in one transaction; resolves with their results after it commits. */
  private async transaction(batch: Array<Pending<DB>>): Promise<unknown[]> {
    const sqlite = this.sqlite;
    if (sqlite && batch.every((item): item is SyncPending => item.sync !== undefined)) {
      // Holding Kysely's one connection, so the transaction is this batch's alone.
      return this.db.connection().execute(async () => sqlite.transaction(() => batch.map((item) => item.sync(sqlite)))());
    }
    return this.db.transaction().execute(async (trx) => {
      const results: unknown[] = [];
      // A synchronous write runs on the connection the transaction holds (SQLite has one).
      for (const item of batch) results.push(item.sync ? item.sync(sqlite!) : await item.work(trx));
      return results;
    });
  }
}
