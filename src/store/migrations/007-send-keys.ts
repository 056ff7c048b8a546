// Idempotent send: the key a sender gave a message (the phone dialect's client timestamp, the
// rooms dialect's client id), unique per sender and conversation. Kept apart from the message so
// that a repeat is still known after a delivered phone message was dropped; forgotten after the
// repeat window (see core/limits.ts).
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { reference } = columnTypes(db);
  await db.schema
    .createTable('send_keys')
    .addColumn('conversation_id', reference, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('sender_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    // No reference: the message may be dropped once delivered while its key is kept.
    .addColumn('message_id', reference, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('send_keys_pk', ['conversation_id', 'sender_id', 'key'])
    .execute();
  await db.schema.createIndex('send_keys_created').on('send_keys').column('created_at').execute();
}
