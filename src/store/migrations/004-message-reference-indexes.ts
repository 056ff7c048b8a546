// Indexes on the columns that reference a message. Without them, deleting one message (every
// acknowledged phone message is deleted) made the database scan the whole messages table for
// replies to it and the whole notifications table for mentions of it, to apply the foreign keys.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('messages_parent').on('messages').column('parent_id').execute();
  await db.schema.createIndex('notifications_message').on('notifications').column('message_id').execute();
}
