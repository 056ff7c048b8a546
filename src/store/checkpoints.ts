// SQLite's write-ahead log is copied back into the database file (a checkpoint) by a worker
// thread on a connection of its own, not by the commit that happens to cross SQLite's threshold:
// that commit paid for copying the pages and for two fsyncs on the event loop, and under load an
// fsync held every socket for tens of milliseconds while the process used little CPU. What a
// commit guarantees is unchanged (it is durable once in the log, with synchronous = NORMAL); a
// checkpoint only moves committed pages.
//
// The worker (~9 MiB) starts once the message path has committed STARTING_BATCHES batches: an
// idle or lightly used server keeps SQLite's own checkpoints and does not pay for it.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** Group-commit batches after which checkpoints move to the worker. */
export const STARTING_BATCHES = 1_000;
/** How often the worker checkpoints; one with nothing new to copy costs a few microseconds. */
export const CHECKPOINT_INTERVAL_MS = 100;
/**
 * Log pages past which a commit still checkpoints by itself once the worker runs (SQLite's
 * default is 1,000). Under steady writes the worker's checkpoints never find the log wholly
 * copied when the next write begins, so they never let the log restart; this checkpoint, with
 * the worker's copying done, copies the last pages and does. It is also the backstop should
 * the worker stop.
 */
export const BACKSTOP_CHECKPOINT_PAGES = 20_000;

// An inline worker (no file of its own), so it runs the same from the sources under test and
// from the build. PASSIVE never waits for the writer: it copies what no reader still needs.
const WORKER = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next round copies it */ }
}, workerData.intervalMs);
`;

export class Checkpoints {
  private batches = 0;
  private worker: Worker | undefined;

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  /** Told after each committed group-commit batch. */
  committed(): void {
    if (++this.batches === STARTING_BATCHES) this.start();
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }

  private start(): void {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { driver, file: this.sqlite.name, intervalMs: CHECKPOINT_INTERVAL_MS } });
    // The commits' own checkpoints take over if the worker fails; it must not take the process down.
    this.worker.on('error', () => {
      if (this.sqlite.open) this.sqlite.pragma('wal_autocheckpoint = 1000');
    });
    this.worker.unref();
    this.sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  }
}
