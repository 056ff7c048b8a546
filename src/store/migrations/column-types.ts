// The column definitions that differ between the SQL dialects Parley runs on.
import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

interface ColumnTypes {
  /** Type of a generated primary key. */
  id: 'integer' | 'bigserial';
  /** Makes the generated key a primary key that never reuses a value, even after deletes. */
  identity: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /** Type of a column that refers to a generated key. */
  reference: 'integer' | 'bigint';
}

export const isPostgres = (db: Kysely<unknown>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

export function columnTypes(db: Kysely<unknown>): ColumnTypes {
  if (isPostgres(db)) {
    return { id: 'bigserial', identity: (c) => c.primaryKey(), reference: 'bigint' };
  }
  // Without AUTOINCREMENT SQLite hands out the id of a deleted last row again.
  return { id: 'integer', identity: (c) => c.primaryKey().autoIncrement(), reference: 'integer' };
}
