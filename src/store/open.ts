// Opens the configured store: SQLite under the data directory, or PostgreSQL when a URL is given.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type PostgresPool, type PostgresPoolClient, type SqliteDatabase } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';
import { SqlStore, type Store } from './store.js';
import { preparedName } from './statements.js';

export interface StoreOptions {
  dataDir: string;
  databaseUrl: string | undefined;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const { engine, db, sqlite } = options.databaseUrl ? await openPostgres(options.databaseUrl) : openSqlite(options.dataDir);
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new SqlStore(engine, db, sqlite);
}

function openSqlite(dataDir: string): { engine: 'sqlite'; db: Kysely<Database>; sqlite: BetterSqlite3.Database } {
  fs.mkdirSync(dataDir, { recursive: true });
  const database = new BetterSqlite3(path.join(dataDir, 'parley.sqlite3'));
  database.pragma('journal_mode = WAL');
  // WAL with NORMAL survives a killed process; only a power loss can take the last commits.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return { engine: 'sqlite', db: new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(database) }) }), sqlite: database };
}

/** Distinct SQL texts kept compiled; queries with variable-length IN lists make the set open-ended. */
const MAX_CACHED_STATEMENTS = 500;

/**
 * Kysely prepares every query it runs, and better-sqlite3 compiles SQL on every prepare():
 * a third of a message's CPU went there. Compiled statements are kept by their SQL text and
 * reused (Parley never streams rows, so no statement is still iterating when it is reused).
 */
function reusingStatements(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/** pg is loaded only when PostgreSQL is configured: the embedded default does not pay its memory. */
async function openPostgres(connectionString: string): Promise<{ engine: 'postgres'; db: Kysely<Database>; sqlite?: undefined }> {
  const { default: pg } = await import('pg');
  // int8 (ids, counts) arrives as text by default; Parley's values stay far below 2^53.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  // Up to two group-commit batches per lane in flight (messages have lanes of their own, see
  // group-commit.ts), with connections to spare for reads.
  // Prepared statements (see preparing) are planned once, for any values: planning a message
  // path statement anew for each batch cost PostgreSQL more CPU than running it for a small batch
  // (a message alone: 1.1 ms of PostgreSQL CPU planned each time, 0.6 ms planned once).
  // No sequential scans where an index serves: deliveries are written and removed within
  // moments, so their statistics say empty, and a plan made then (the message path's, and the
  // foreign keys' own checks and cascades, kept for the connection's life) read the table whole,
  // every dead row included, on every message: 36 million rows read for 33,000 messages in a
  // bench run, and a server that fell behind fell further.
  const pool = new pg.Pool({ connectionString, max: 20, options: '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off' });
  // An idle client that loses its server must not take the process down.
  pool.on('error', () => undefined);
  return { engine: 'postgres', db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparing(pool) }) }) };
}

/** PostgreSQL's error for a prepared statement whose result columns a migration changed since. */
const CACHED_PLAN_CHANGED = '0A000';

/**
 * The pool, with the message path's statements (statements.ts) run as named prepared statements:
 * each connection parses and analyses one the first time it runs it. Should another process's
 * migration change a table under one, it runs once more unprepared.
 */
function preparing(pool: pg.Pool): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      const query = async (text: string, values: unknown[]) => {
        const name = preparedName(text);
        if (name === undefined) return client.query(text, values);
        try {
          return await client.query({ name, text, values });
        } catch (error) {
          if ((error as { code?: unknown }).code !== CACHED_PLAN_CHANGED) throw error;
          return client.query(text, values);
        }
      };
      return { query, release: () => client.release() } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
