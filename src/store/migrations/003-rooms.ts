// The rooms dialect's additions: message edits, soft deletes, pins, replies and attachments;
// reactions, mentions, uploaded files, notifications and push device tokens.
import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { id, identity, reference } = columnTypes(db);

  // SQLite takes one added column per statement.
  await db.schema
    .alterTable('messages')
    .addColumn('parent_id', reference, (c) => c.references('messages.id').onDelete('set null'))
    .execute();
  for (const column of ['attachment', 'updated_at', 'edited_at', 'deleted_at', 'pinned_at']) {
    await db.schema.alterTable('messages').addColumn(column, 'text').execute();
  }
  await db.schema.alterTable('conversations').addColumn('updated_at', 'text').execute();
  await db.schema
    .createIndex('conversations_room_name')
    .on('conversations')
    .column('name')
    .unique()
    .where(sql.ref('kind'), '=', 'room')
    .execute();
  await db.schema.createIndex('messages_conversation_id').on('messages').columns(['conversation_id', 'id']).execute();

  await db.schema
    .createTable('reactions')
    .addColumn('message_id', reference, (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('account_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reactions_pk', ['message_id', 'account_id', 'name'])
    .execute();

  await db.schema
    .createTable('mentions')
    .addColumn('message_id', reference, (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('account_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('mentions_pk', ['message_id', 'account_id'])
    .execute();

  await db.schema
    .createTable('attachments')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', reference, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('uploader_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', id, identity)
    .addColumn('account_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('message_id', reference, (c) => c.references('messages.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('is_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_account').on('notifications').columns(['account_id', 'is_read']).execute();

  await db.schema
    .createTable('device_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('account_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('device_tokens_account').on('device_tokens').column('account_id').execute();
}
