// Statements of the hot paths (a message's writes, its acknowledgement, a history page), built and
// compiled by Kysely once and then run with each call's values: building a query cost more CPU
// than SQLite took to run it. The SQL text is the same on every call, so SQLite's compiled
// statement is reused too (see reusingStatements in open.ts).
import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.js';

/**
 * The SQL texts of every Statement, each with the name PostgreSQL prepares it under (see
 * open.ts): a statement of the message path is parsed and analysed once per connection instead
 * of at every call.
 */
const preparedNames = new Map<string, string>();

/** The name a statement's SQL text is prepared under, if it is a Statement's. */
export function preparedName(sql: string): string | undefined {
  return preparedNames.get(sql);
}

/** Where a parameter of the compiled query comes from: a value of the call, by position, or a constant. */
type Slot = { arg: number } | { constant: unknown };

/**
 * A statement whose values are given at each call. `build` compiles it from stand-ins for the
 * values, in order; every stand-in must reach the query as a bound value (not as SQL).
 */
export class Statement<Args extends readonly unknown[], Row> {
  private readonly sql: string;
  private readonly query: CompiledQuery['query'];
  private readonly queryId: CompiledQuery['queryId'];
  private readonly slots: Slot[];
  /** The statement prepared on SQLite's connection, on first synchronous use. */
  private prepared: { sqlite: BetterSqlite3.Database; statement: BetterSqlite3.Statement<unknown[], Row> } | undefined;

  constructor(db: Kysely<Database>, arity: Args['length'], build: (db: Kysely<Database>, ...args: Args) => CompiledQuery<Row>) {
    const standIns = Array.from({ length: arity }, (_, i) => `\u0000parley-statement-value-${i}\u0000`);
    const compiled = build(db, ...(standIns as unknown as Args));
    this.sql = compiled.sql;
    if (!preparedNames.has(this.sql)) preparedNames.set(this.sql, `parley_${preparedNames.size + 1}`);
    this.query = compiled.query;
    this.queryId = compiled.queryId;
    this.slots = compiled.parameters.map((value) => {
      const arg = typeof value === 'string' ? standIns.indexOf(value) : -1;
      return arg >= 0 ? { arg } : { constant: value };
    });
    const used = new Set(this.slots.flatMap((slot) => ('arg' in slot ? [slot.arg] : [])));
    if (used.size !== arity) throw new Error(`statement takes ${arity} values but binds ${used.size}: ${this.sql}`);
  }

  /** Runs on `executor`: the store's database, or the transaction of a group commit. */
  run(executor: Kysely<Database>, ...args: Args): Promise<QueryResult<Row>> {
    return executor.executeQuery<Row>({ sql: this.sql, query: this.query, parameters: this.parameters(args), queryId: this.queryId });
  }

  async first(executor: Kysely<Database>, ...args: Args): Promise<Row | undefined> {
    return (await this.run(executor, ...args)).rows[0];
  }

  /** Runs synchronously on SQLite's connection (a group commit's synchronous write); answers the rows changed. */
  runNow(sqlite: BetterSqlite3.Database, ...args: Args): number {
    return this.on(sqlite).run(this.parameters(args)).changes;
  }

  /** The first row, synchronously on SQLite's connection. */
  firstNow(sqlite: BetterSqlite3.Database, ...args: Args): Row | undefined {
    return this.on(sqlite).get(this.parameters(args));
  }

  private on(sqlite: BetterSqlite3.Database): BetterSqlite3.Statement<unknown[], Row> {
    if (this.prepared?.sqlite !== sqlite) this.prepared = { sqlite, statement: sqlite.prepare<unknown[], Row>(this.sql) };
    return this.prepared.statement;
  }

  private parameters(args: Args): unknown[] {
    return this.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.constant));
  }
}
