// Group commit: writes that arrive while the previous batch commits share the next transaction,
// so a burst of messages pays for one BEGIN/COMMIT (and one WAL append) instead of one each.
// Every caller's promise settles only after that shared commit, so whatever the caller does
// next (a msg_sent, a publish) still happens after its write is durable. When the shared
// transaction fails, each write of the batch is retried in a transaction of its own, so a bad
// write fails alone and the others are unaffected.
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
  private queue: Array<Pending<DB>> = [];
  private inFlight = 0;
  private scheduled = false;

  /** `parallel`: batches that may commit at once (1 for SQLite's single connection). */
  constructor(
    private readonly db: Kysely<DB>,
    private readonly parallel: number,
  ) {}

  run<T>(work: Work<DB, T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.parallel || this.queue.length === 0) return;
    this.scheduled = true;
    // After the current I/O phase, so that every frame read in it joins the same batch.
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight >= this.parallel || this.queue.length === 0) return;
      const batch = this.queue.splice(0, MAX_GROUP_COMMIT);
      this.inFlight += 1;
      void this.commit(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
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
