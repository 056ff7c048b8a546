// Checkpoints on a worker thread: once the store has committed enough batches, the log is copied
// into the database file off the event loop, and commits stop checkpointing at SQLite's threshold.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKSTOP_CHECKPOINT_PAGES, CHECKPOINT_INTERVAL_MS, Checkpoints, STARTING_BATCHES } from '../../src/store/checkpoints.js';

describe('Checkpoints', () => {
  let dir: string;
  let database: BetterSqlite3.Database;
  let checkpoints: Checkpoints;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-checkpoints-'));
    database = new BetterSqlite3(path.join(dir, 'test.sqlite3'));
    database.pragma('journal_mode = WAL');
    database.exec('create table notes (id integer primary key, body text not null)');
    checkpoints = new Checkpoints(database);
  });

  afterEach(async () => {
    await checkpoints.stop();
    database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (count: number): void => {
    const insert = database.prepare('insert into notes (body) values (?)');
    database.transaction(() => {
      for (let i = 0; i < count; i++) insert.run(`note ${i}`);
    })();
  };

  it('leaves checkpoints to SQLite until the store has committed enough batches', () => {
    for (let i = 1; i < STARTING_BATCHES; i++) checkpoints.committed();
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('then copies the log on its worker, and commits checkpoint only past the backstop', async () => {
    for (let i = 0; i < STARTING_BATCHES; i++) checkpoints.committed();
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_CHECKPOINT_PAGES);
    const file = path.join(dir, 'test.sqlite3');
    const before = fs.statSync(file).size;
    write(2_000);
    // Nothing on this connection checkpoints (the log is far below the backstop), so the
    // database file grows only when the worker copies the log into it.
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && fs.statSync(file).size === before) await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_INTERVAL_MS));
    expect(fs.statSync(file).size).toBeGreaterThan(before);
  });
});
