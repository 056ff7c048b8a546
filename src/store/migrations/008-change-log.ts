// The change log: every change to a conversation that keeps one (a room's messages, edits,
// deletions, reactions, pins, members) at a position in that conversation's order, written in
// the change's own transaction, so a socket that reconnects can be told exactly what it missed.
// Positions are 1, 2, 3… per conversation, unique by the primary key. On PostgreSQL the next
// position comes from a counter row (change_positions) that the writing transaction holds until
// it commits, so concurrent writers of one conversation queue there and committed positions are
// always a prefix; SQLite runs one write at a time and reads the next position from the log.
import type { Kysely } from 'kysely';
import { columnTypes, isPostgres } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { reference } = columnTypes(db);
  await db.schema
    .createTable('conversation_changes')
    .addColumn('conversation_id', reference, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('position', reference, (c) => c.notNull())
    /** The change as the core's event, in the JSON the bus carries. */
    .addColumn('event', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_changes_pk', ['conversation_id', 'position'])
    .execute();
  if (!isPostgres(db)) return;
  await db.schema
    .createTable('change_positions')
    .addColumn('conversation_id', reference, (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('position', reference, (c) => c.notNull())
    .execute();
}
