// Per room: how many messages its history holds, so that a page reads the count instead of
// counting the room, and a version that every change to those messages or their reactions and
// mentions moves, so that a page read before can be known to be still current. Kept by triggers
// in the writing transaction itself, so that every write path, every process of a PostgreSQL
// cluster and the command line keep them exact. Only rooms keep their history: other messages are
// not counted, and their writes pay an index probe that finds no row. On PostgreSQL a room's row
// is held until its writer commits, as its change_positions row already is.
import { sql, type Kysely } from 'kysely';
import { columnTypes, isPostgres } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { reference } = columnTypes(db);
  await db.schema
    .createTable('history_counts')
    .addColumn('conversation_id', reference, (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('message_count', reference, (c) => c.notNull())
    .addColumn('version', reference, (c) => c.notNull())
    .execute();
  if (isPostgres(db)) await postgresTriggers(db);
  else await sqliteTriggers(db);
  await sql`insert into history_counts (conversation_id, message_count, version)
    select messages.conversation_id, count(*), 1 from messages join conversations on conversations.id = messages.conversation_id
    where conversations.kind = 'room' group by messages.conversation_id`.execute(db);
}

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  const moved = (conversation: string) => `update history_counts set version = version + 1 where conversation_id = ${conversation}`;
  const ofMessage = (row: 'new' | 'old') => `(select conversation_id from messages where id = ${row}.message_id)`;
  await sql`create trigger history_counts_insert after insert on messages
    when (select kind from conversations where id = new.conversation_id) = 'room'
    begin
      insert into history_counts (conversation_id, message_count, version) values (new.conversation_id, 1, 1)
        on conflict (conversation_id) do update set message_count = history_counts.message_count + 1, version = history_counts.version + 1;
    end`.execute(db);
  await sql`create trigger history_counts_delete after delete on messages
    begin update history_counts set message_count = message_count - 1, version = version + 1 where conversation_id = old.conversation_id; end`.execute(db);
  await sql.raw(`create trigger history_counts_update after update on messages begin ${moved('new.conversation_id')}; end`).execute(db);
  for (const table of ['reactions', 'mentions']) {
    await sql.raw(`create trigger history_counts_${table}_insert after insert on ${table} begin ${moved(ofMessage('new'))}; end`).execute(db);
    await sql.raw(`create trigger history_counts_${table}_delete after delete on ${table} begin ${moved(ofMessage('old'))}; end`).execute(db);
  }
}

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`create function history_counts_messages() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        if (select kind from conversations where id = new.conversation_id) = 'room' then
          insert into history_counts (conversation_id, message_count, version) values (new.conversation_id, 1, 1)
            on conflict (conversation_id) do update set message_count = history_counts.message_count + 1, version = history_counts.version + 1;
        end if;
      elsif tg_op = 'DELETE' then
        update history_counts set message_count = message_count - 1, version = version + 1 where conversation_id = old.conversation_id;
      else
        update history_counts set version = version + 1 where conversation_id = new.conversation_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create function history_counts_annotations() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        update history_counts set version = version + 1 where conversation_id = (select conversation_id from messages where id = old.message_id);
      else
        update history_counts set version = version + 1 where conversation_id = (select conversation_id from messages where id = new.message_id);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger history_counts_messages after insert or update or delete on messages
    for each row execute function history_counts_messages()`.execute(db);
  for (const table of ['reactions', 'mentions']) {
    await sql.raw(`create trigger history_counts_${table} after insert or delete on ${table}
      for each row execute function history_counts_annotations()`).execute(db);
  }
}
