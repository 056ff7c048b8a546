// Edit history: every edit that changes a message's text keeps the text it replaced, written by
// the database itself (a trigger on messages.body), so no write path can forget it.
import { sql, type Kysely } from 'kysely';
import { columnTypes, isPostgres } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { id, identity, reference } = columnTypes(db);
  await db.schema
    .createTable('message_versions')
    .addColumn('id', id, identity)
    .addColumn('message_id', reference, (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    /** When this text was written: the message's creation, or the edit before. */
    .addColumn('written_at', 'text', (c) => c.notNull())
    .addColumn('replaced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_versions_message').on('message_versions').columns(['message_id', 'id']).execute();
  const keepReplaced = sql`insert into message_versions (message_id, body, written_at, replaced_at)
    values (old.id, old.body, coalesce(old.edited_at, old.created_at), coalesce(new.edited_at, new.updated_at, new.created_at))`;
  if (isPostgres(db)) {
    await sql`create function keep_message_version() returns trigger language plpgsql as $$
      begin ${keepReplaced}; return new; end $$`.execute(db);
    await sql`create trigger message_versions_keep after update of body on messages for each row
      when (old.body is distinct from new.body) execute function keep_message_version()`.execute(db);
    return;
  }
  await sql`create trigger message_versions_keep after update of body on messages when old.body is not new.body
    begin ${keepReplaced}; end`.execute(db);
}
