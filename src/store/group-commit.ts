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
import type { Kysely, Transaction } from 'kysely';

type Work<DB, T> = (trx: Transaction<DB>) => Promise<T>;

interface Pending<DB> {
  work: Work<DB, unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Largest number of writes in one transaction; the rest wait for the next one. */
export const MAX_GROUP_COMMIT = 500;

export class GroupCommit<DB> {
  private readonly lanes: Array<{ queue: Array<Pending<DB>>; busy: boolean; scheduled: boolean }>;

  /** `parallel`: batches that may commit at once (1 for SQLite's single connection). */
  constructor(
    private readonly db: Kysely<DB>,
    parallel: number,
  ) {
    this.lanes = Array.from({ length: parallel }, () => ({ queue: [], busy: false, scheduled: false }));
  }

  /** Runs `work` in the next batch of the conversation's lane; resolves after that batch commits. */
  run<T>(conversationId: number, work: Work<DB, T>): Promise<T> {
    const lane = this.lanes[conversationId % this.lanes.length]!;
    return new Promise<T>((resolve, reject) => {
      lane.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
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
      const results: unknown[] = [];
      try {
        await this.db.transaction().execute(async (trx) => {
          for (const item of batch) results.push(await item.work(trx));
        });
        batch.forEach((item, i) => item.resolve(results[i]));
        return;
      } catch {
        // Fall through: find the write that failed by committing each on its own.
      }
    }
    for (const item of batch) {
      try {
        item.resolve(await this.db.transaction().execute(item.work));
      } catch (error) {
        item.reject(error);
      }
    }
  }
}
