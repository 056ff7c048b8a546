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
//
// A write of a kind that can be written many at once (a BatchedWrite: PostgreSQL's messages and
// acknowledgements) is written with the others of its kind in the batch, in a statement or two for
// all of them instead of a round trip each. A batch of such writes only needs no shared
// transaction: each kind's writes are atomic on their own (see BatchedWrite), so the kinds are
// written at once on connections of their own, and each caller settles once its kind committed.
// A kind whose writes lock nothing the others lock (new messages) has lanes of its own.
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';

type Work<DB, T> = (trx: Transaction<DB>) => Promise<T>;
/** A write on SQLite's one connection, run inside the batch's transaction. */
export type SyncWork<T> = (sqlite: BetterSqlite3.Database) => T;

/** A kind of write that a batch writes for many inputs at once. */
export interface BatchedWrite<DB, I, T> {
  /**
   * The results of `inputs`, in their order, as if each had been written in turn. On a
   * transaction, written in it; otherwise atomically (in one statement, or in a transaction of
   * its own), and committed when it resolves.
   */
  many(db: Kysely<DB>, inputs: readonly I[]): Promise<T[]>;
  /**
   * Set when these writes lock no row that a conversation's other writes lock (new messages):
   * they get lanes of their own, so that their batches need not wait for the others'.
   */
  ownLanes?: boolean;
}

interface Lane<DB> {
  queue: Array<Pending<DB>>;
  busy: boolean;
  scheduled: boolean;
  /** When this lane's last batch of more than one write committed (performance.now()). */
  streamingAt: number;
}

interface Settles {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}
type SyncPending = Settles & { sync: SyncWork<unknown>; work?: undefined; batched?: undefined };
type AsyncPending<DB> = Settles & {
  work: Work<DB, unknown>;
  sync?: undefined;
  /** Set for a write that is written with the others of its kind. */
  batched?: { write: BatchedWrite<DB, unknown, unknown>; input: unknown };
};
type Pending<DB> = (SyncPending | AsyncPending<DB>) & { conversationId: number };

/** Largest number of writes in one transaction; the rest wait for the next one. */
export const MAX_GROUP_COMMIT = 500;

/**
 * While writes stream in (the lane's last batch, of more than one write, committed within
 * STREAMING_MS), a batch gathers for GATHER_MS before it commits: a commit's fixed cost is then
 * shared by a millisecond's writes instead of one I/O phase's (on SQLite 6 → 30 writes a commit
 * cost 81 → 69 µs per message). A lone write still commits at once.
 */
export const GATHER_MS = 1;
const STREAMING_MS = 10;

export class GroupCommit<DB> {
  private readonly lanes: Array<Lane<DB>>;
  /** The lanes of each kind of batched write that has its own (see BatchedWrite.ownLanes). */
  private readonly kindLanes = new Map<BatchedWrite<DB, unknown, unknown>, Array<Lane<DB>>>();

  /**
   * `parallel`: batches that may commit at once (1 for SQLite's single connection). `sqlite`:
   * the connection under `db` when it is SQLite's, for synchronous writes.
   */
  constructor(
    private readonly db: Kysely<DB>,
    parallel: number,
    private readonly sqlite?: BetterSqlite3.Database,
  ) {
    this.lanes = newLanes(parallel);
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

  /** As run, written by `write` together with the batch's other writes of that kind. */
  runBatched<I, T>(conversationId: number, write: BatchedWrite<DB, I, T>, input: I): Promise<T> {
    const batched = { write: write as BatchedWrite<DB, unknown, unknown>, input };
    const work: Work<DB, T> = (trx) => one(trx, batched) as Promise<T>;
    return this.enqueue<T>(conversationId, (resolve, reject) => ({ work, batched, resolve, reject }));
  }

  private enqueue<T>(
    conversationId: number,
    pending: (resolve: (value: unknown) => void, reject: (error: unknown) => void) => SyncPending | AsyncPending<DB>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const item: Pending<DB> = { ...pending(resolve as (value: unknown) => void, reject), conversationId };
      const lanes = this.lanesOf(item.batched?.write);
      const lane = lanes[conversationId % lanes.length]!;
      lane.queue.push(item);
      this.schedule(lane);
    });
  }

  private lanesOf(write: BatchedWrite<DB, unknown, unknown> | undefined): Array<Lane<DB>> {
    if (!write?.ownLanes) return this.lanes;
    let lanes = this.kindLanes.get(write);
    if (!lanes) {
      lanes = newLanes(this.lanes.length);
      this.kindLanes.set(write, lanes);
    }
    return lanes;
  }

  private schedule(lane: Lane<DB>): void {
    if (lane.scheduled || lane.busy || lane.queue.length === 0) return;
    lane.scheduled = true;
    const flush = () => {
      lane.scheduled = false;
      if (lane.busy || lane.queue.length === 0) return;
      const batch = lane.queue.splice(0, MAX_GROUP_COMMIT);
      lane.busy = true;
      void this.commit(batch).finally(() => {
        lane.busy = false;
        if (batch.length > 1) lane.streamingAt = performance.now();
        this.schedule(lane);
      });
    };
    // At least until the current I/O phase ends, so that every frame read in it joins the batch.
    if (lane.queue.length < MAX_GROUP_COMMIT && performance.now() - lane.streamingAt < STREAMING_MS) setTimeout(flush, GATHER_MS);
    else setImmediate(flush);
  }

  private async commit(batch: Array<Pending<DB>>): Promise<void> {
    if (batch.every((item) => item.batched)) return this.commitKinds(batch);
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
      if (item.batched) {
        await this.commitKinds([item]);
        continue;
      }
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
    if (sqlite && batch.every((item): item is Pending<DB> & SyncPending => item.sync !== undefined)) {
      // Holding Kysely's one connection, so the transaction is this batch's alone.
      return this.db.connection().execute(async () => sqlite.transaction(() => batch.map((item) => item.sync(sqlite)))());
    }
    return this.db.transaction().execute(async (trx) => {
      const results: unknown[] = [];
      if (batch.some((item) => item.batched)) {
        for (const stage of stagesOf(batch)) {
          for (const i of stage.alone) results[i] = await batch[i]!.work!(trx);
          for (const [write, indices] of stage.together) {
            const written = await write.many(trx, indices.map((i) => batch[i]!.batched!.input));
            indices.forEach((index, k) => (results[index] = written[k]));
          }
        }
        return results;
      }
      // A synchronous write runs on the connection the transaction holds (SQLite has one).
      for (const item of batch) results.push(item.sync ? item.sync(sqlite!) : await item.work(trx));
      return results;
    });
  }

  /**
   * A batch of batched writes only: in each stage, every kind's writes at once, each kind on
   * its own. A kind whose writes fail is written again one write at a time, so that a bad write
   * fails alone.
   */
  private async commitKinds(batch: Array<Pending<DB>>): Promise<void> {
    for (const stage of stagesOf(batch)) {
      await Promise.all(
        [...stage.together].map(async ([write, indices]) => {
          const items = indices.map((i) => batch[i]!);
          try {
            const written = await write.many(this.db, items.map((item) => item.batched!.input));
            items.forEach((item, k) => item.resolve(written[k]));
          } catch {
            for (const item of items) {
              try {
                item.resolve(await one(this.db, item.batched!));
              } catch (error) {
                item.reject(error);
              }
            }
          }
        }),
      );
    }
  }
}

function newLanes<DB>(count: number): Array<Lane<DB>> {
  return Array.from({ length: count }, () => ({ queue: [], busy: false, scheduled: false, streamingAt: -Infinity }));
}

async function one<DB>(db: Kysely<DB>, { write, input }: NonNullable<Pending<DB>['batched']>): Promise<unknown> {
  return (await write.many(db, [input]))[0];
}

interface Stage<DB> {
  /** Writes of no batched kind, each written by its own work. */
  alone: number[];
  /** Per batched kind, its writes in this stage. */
  together: Map<BatchedWrite<DB, unknown, unknown>, number[]>;
}

/**
 * The batch's writes (by index) in stages that keep each conversation's writes in their order
 * (writes of different conversations touch different rows, so their order does not matter): a
 * stage takes each conversation's next writes of one kind, and groups those of one kind of
 * every conversation.
 */
function stagesOf<DB>(batch: ReadonlyArray<Pending<DB>>): Array<Stage<DB>> {
  const waiting = new Map<number, number[]>();
  batch.forEach((item, i) => {
    const queue = waiting.get(item.conversationId);
    if (queue) queue.push(i);
    else waiting.set(item.conversationId, [i]);
  });
  const stages: Array<Stage<DB>> = [];
  while (waiting.size > 0) {
    const stage: Stage<DB> = { alone: [], together: new Map() };
    for (const [conversationId, queue] of waiting) {
      const write = batch[queue[0]!]!.batched?.write;
      if (write) {
        let next = 1;
        while (next < queue.length && batch[queue[next]!]!.batched?.write === write) next += 1;
        const indices = queue.splice(0, next);
        const group = stage.together.get(write);
        if (group) group.push(...indices);
        else stage.together.set(write, indices);
      } else {
        stage.alone.push(queue.shift()!);
      }
      if (queue.length === 0) waiting.delete(conversationId);
    }
    stages.push(stage);
  }
  return stages;
}
