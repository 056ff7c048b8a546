// Group commit on a real (in-memory) SQLite database: writes of one tick share a transaction,
// every caller gets its own result after the commit, and a failing write fails alone.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GATHER_MS, GroupCommit, type BatchedWrite } from '../../src/store/group-commit.js';

interface Schema {
  notes: { id: number; body: string };
}

describe('GroupCommit', () => {
  let database: BetterSqlite3.Database;
  let db: Kysely<Schema>;
  let begins: number;

  beforeEach(async () => {
    database = new BetterSqlite3(':memory:');
    begins = 0;
    const prepare = database.prepare.bind(database);
    // Counts the transactions Kysely opens, through the statements it prepares.
    database.prepare = ((sql: string) => {
      if (/^begin/i.test(sql)) begins += 1;
      return prepare(sql);
    }) as typeof database.prepare;
    db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
    await db.schema.createTable('notes').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('body', 'text', (c) => c.notNull()).execute();
  });

  afterEach(async () => {
    await db.destroy();
  });

  const insert = (writes: GroupCommit<Schema>, id: number, conversationId = 1) =>
    writes.run(conversationId, async (trx) => {
      await trx.insertInto('notes').values({ id, body: `note ${id}` }).execute();
      return id * 10;
    });

  it('commits writes made in one tick in one transaction, each caller getting its own result', async () => {
    const writes = new GroupCommit(db, 1);
    const results = await Promise.all([1, 2, 3, 4, 5].map((id) => insert(writes, id)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(begins).toBe(1);
    const rows = await db.selectFrom('notes').select('id').orderBy('id').execute();
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('settles a caller only once its write is committed and visible', async () => {
    const writes = new GroupCommit(db, 1);
    const seen = await insert(writes, 7).then(() => db.selectFrom('notes').select('body').where('id', '=', 7).executeTakeFirst());
    expect(seen?.body).toBe('note 7');
  });

  it('fails only the write that fails; the others of its batch are committed', async () => {
    const writes = new GroupCommit(db, 1);
    await insert(writes, 1);
    const outcomes = await Promise.allSettled([insert(writes, 2), insert(writes, 1), insert(writes, 3)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await db.selectFrom('notes').select('id').orderBy('id').execute();
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('batches the writes that arrive while a commit is in flight into the next transaction', async () => {
    const writes = new GroupCommit(db, 1);
    const first = insert(writes, 1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((id) => insert(writes, id));
    await Promise.all([first, ...later]);
    expect(begins).toBe(2);
  });

  it('while writes stream in, gathers the writes of the next millisecond into one transaction', async () => {
    const writes = new GroupCommit(db, 1);
    await insert(writes, 1);
    await Promise.all([insert(writes, 2), insert(writes, 3)]);
    expect(begins).toBe(2);
    // The lane is streaming now: writes a few event-loop turns apart share the next commit. The
    // gather's clock is held, so that a slow turn on a busy machine cannot end the millisecond.
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const streamed: Array<Promise<number>> = [];
      for (const id of [4, 5, 6]) {
        streamed.push(insert(writes, id));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(begins).toBe(2);
      vi.advanceTimersByTime(GATHER_MS);
      await Promise.all(streamed);
    } finally {
      vi.useRealTimers();
    }
    expect(begins).toBe(3);
  });

  it('with several lanes, commits each conversation\'s writes in its lane\'s batch', async () => {
    const writes = new GroupCommit(db, 2);
    // Conversations 1 and 3 share a lane; 2 has the other: two transactions, one per lane.
    const results = await Promise.all([insert(writes, 1, 1), insert(writes, 2, 2), insert(writes, 3, 3)]);
    expect(results).toEqual([10, 20, 30]);
    expect(begins).toBe(2);
  });

  /** Notes written many at once, one statement per call; ids below zero are refused. */
  function notesTogether(calls: number[][]): BatchedWrite<Schema, number, number> {
    return {
      async many(db, ids) {
        calls.push([...ids]);
        if (ids.some((id) => id < 0)) throw new Error('refused');
        await db.insertInto('notes').values(ids.map((id) => ({ id, body: `note ${id}` }))).execute();
        return ids.map((id) => id * 10);
      },
    };
  }

  it('writes the batched writes of one kind with one call, each caller getting its own result', async () => {
    const writes = new GroupCommit(db, 1);
    const calls: number[][] = [];
    const together = notesTogether(calls);
    const results = await Promise.all([1, 2, 3].map((id) => writes.runBatched(id, together, id)));
    expect(results).toEqual([10, 20, 30]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('keeps each conversation\'s writes in their order around a write of another kind', async () => {
    const writes = new GroupCommit(db, 1);
    const calls: number[][] = [];
    const together = notesTogether(calls);
    const order: string[] = [];
    const other = (conversationId: number) =>
      writes.run(conversationId, async () => {
        order.push(`other ${conversationId}`);
        return 0;
      });
    // Conversation 1: a note, another write, a note; conversation 2: two notes.
    await Promise.all([writes.runBatched(1, together, 1), other(1), writes.runBatched(2, together, 2), writes.runBatched(1, together, 3), writes.runBatched(2, together, 4)]);
    expect(calls).toEqual([[1, 2, 4], [3]]);
    expect(order).toEqual(['other 1']);
  });

  it('writes a kind with lanes of its own apart from the other writes of the conversation', async () => {
    const writes = new GroupCommit(db, 1);
    const inTransaction: boolean[] = [];
    const kind = (ownLanes: boolean): BatchedWrite<Schema, number, number> => ({
      ownLanes,
      async many(db, ids) {
        inTransaction.push(db.isTransaction);
        return ids.map((id) => id * 10);
      },
    });
    const other = () => writes.run(1, async () => 0);
    // In one tick with a write of another kind: in its batch's transaction, or on its own lane without one.
    await Promise.all([other(), writes.runBatched(1, kind(false), 1)]);
    await Promise.all([other(), writes.runBatched(1, kind(true), 2)]);
    expect(inTransaction).toEqual([true, false]);
  });

  it('writes a failing batched write alone, and the others of its kind without it', async () => {
    const writes = new GroupCommit(db, 1);
    const calls: number[][] = [];
    const together = notesTogether(calls);
    const outcomes = await Promise.allSettled([1, -2, 3].map((id) => writes.runBatched(Math.abs(id), together, id)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([[1, -2, 3], [1], [-2], [3]]);
    const rows = await db.selectFrom('notes').select('id').orderBy('id').execute();
    expect(rows.map((r) => r.id)).toEqual([1, 3]);
  });

  describe('synchronous writes on SQLite', () => {
    const insertNow = (writes: GroupCommit<Schema>, id: number) =>
      writes.runSync(1, (sqlite) => {
        sqlite.prepare('insert into notes (id, body) values (?, ?)').run(id, `note ${id}`);
        return { id, inTransaction: sqlite.inTransaction };
      });

    it('commits a tick\'s synchronous writes in one transaction, each caller getting its own result', async () => {
      const writes = new GroupCommit(db, 1, database);
      const results = await Promise.all([1, 2, 3].map((id) => insertNow(writes, id)));
      expect(results).toEqual([1, 2, 3].map((id) => ({ id, inTransaction: true })));
      const rows = await db.selectFrom('notes').select('id').orderBy('id').execute();
      expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    });

    it('fails only the synchronous write that fails', async () => {
      const writes = new GroupCommit(db, 1, database);
      await insertNow(writes, 1);
      const outcomes = await Promise.allSettled([insertNow(writes, 2), insertNow(writes, 1), insertNow(writes, 3)]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const rows = await db.selectFrom('notes').select('id').orderBy('id').execute();
      expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    });

    it('runs synchronous and Kysely writes of one tick in one Kysely transaction', async () => {
      const writes = new GroupCommit(db, 1, database);
      const results = await Promise.all([insertNow(writes, 1), insert(writes, 2), insertNow(writes, 3)]);
      expect(results).toEqual([{ id: 1, inTransaction: true }, 20, { id: 3, inTransaction: true }]);
      expect(begins).toBe(1);
    });

    it('refuses synchronous writes without SQLite\'s connection', () => {
      expect(() => new GroupCommit(db, 1).runSync(1, () => 0)).toThrow(/SQLite/);
    });
  });
});
