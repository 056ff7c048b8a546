// Accounts, tokens, conversations, members, messages and deliveries: the tables both dialects share.
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { id, identity, reference } = columnTypes(db);

  await db.schema
    .createTable('accounts')
    .addColumn('id', id, identity)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('phone', 'text', (c) => c.unique())
    .addColumn('first_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('photo', 'text')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('member'))
    .addColumn('year', 'integer')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('tokens_account').on('tokens').column('account_id').execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', id, identity)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.unique())
    .addColumn('pair_key', 'text', (c) => c.unique())
    .addColumn('name', 'text')
    .addColumn('description', 'text')
    .addColumn('avatar', 'text')
    .addColumn('created_by', reference, (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('members')
    .addColumn('conversation_id', reference, (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('account_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('member'))
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addColumn('last_received_at', 'text')
    .addColumn('last_seen_at', 'text')
    .addPrimaryKeyConstraint('members_pk', ['conversation_id', 'account_id'])
    .execute();
  await db.schema.createIndex('members_account').on('members').column('account_id').execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', id, identity)
    .addColumn('conversation_id', reference, (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('sender_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('text'))
    .addColumn('client_sent_at', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messages_conversation_sent')
    .on('messages')
    .columns(['conversation_id', 'sent_at'])
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('message_id', reference, (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('recipient_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('deliveries_pk', ['message_id', 'recipient_id'])
    .execute();
  await db.schema
    .createIndex('deliveries_recipient')
    .on('deliveries')
    .columns(['recipient_id', 'message_id'])
    .execute();
}
