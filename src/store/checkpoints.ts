// SQLite's write-ahead log is copied back into the database file (a checkpoint) by a worker
// thread on a connection of its own, not by the commit that happens to cross SQLite's threshold:
// that commit used to pay for copying the pages and for two fsyncs, on the event loop, in the
// middle of the message path. What a commit guarantees is unchanged (it is durable once in the
// log, with synchronous = NORMAL); a checkpoint only moves committed pages.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** How often the worker checkpoints; one with nothing new to copy costs a few microseconds. */
export const CHECKPOINT_INTERVAL_MS = 100;
/**
 * Log pages past which a commit still checkpoints by itself (SQLite's default is 1,000). Under
 * steady writes the worker's checkpoints never find the log wholly copied when the next write
 * begins, so the log is never restarted by them; this checkpoint, with the worker's copying
 * done, copies the last pages and lets the log restart. It is also the backstop should the
 * worker stop.
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
  private readonly worker: Worker;

  constructor(sqlite: BetterSqlite3.Database) {
    sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { driver, file: sqlite.name, intervalMs: CHECKPOINT_INTERVAL_MS } });
    // The store's own threshold takes over if the worker fails; it must not take the process down.
    this.worker.on('error', () => undefined);
    this.worker.unref();
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
