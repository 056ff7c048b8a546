// Full-text search over room messages. SQLite: an FTS5 index without its own copy of the text
// (contentless, deletable by rowid), kept in step with inserts, edits and deletes by triggers that
// index room messages only (phone messages are dropped once delivered: indexing them would cost
// the hot path for nothing). PostgreSQL: a GIN index on the message's tsvector. Both tokenize
// alike: words of letters and digits, case folded, accents kept.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from './column-types.js';

/**
 * What PostgreSQL indexes of a message, and what a search must match against to use the index.
 * ASCII punctuation becomes a space first: PostgreSQL's parser would otherwise read
 * `alice@example.com` or `v1.2` as one token, where SQLite's FTS5 sees separate words.
 */
export const postgresSearchDocument = (body: RawBuilder<unknown>): RawBuilder<unknown> =>
  sql`to_tsvector('simple', translate(${body}, ${sql.lit(ASCII_PUNCTUATION)}, ${sql.lit(' '.repeat(ASCII_PUNCTUATION.length))}))`;

const ASCII_PUNCTUATION = `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`create index messages_search on messages using gin (${postgresSearchDocument(sql.ref('body'))})`.execute(db);
    return;
  }
  await sql`create virtual table message_search using fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')`.execute(db);
  const isRoom = (row: 'new' | 'old') => sql.raw(`(select kind from conversations where id = ${row}.conversation_id) = 'room'`);
  await sql`create trigger message_search_insert after insert on messages when ${isRoom('new')}
    begin insert into message_search (rowid, body) values (new.id, new.body); end`.execute(db);
  await sql`create trigger message_search_edit after update of body on messages when ${isRoom('new')}
    begin delete from message_search where rowid = old.id; insert into message_search (rowid, body) values (new.id, new.body); end`.execute(db);
  await sql`create trigger message_search_delete after delete on messages
    begin delete from message_search where rowid = old.id; end`.execute(db);
  await sql`insert into message_search (rowid, body)
    select messages.id, messages.body from messages join conversations on conversations.id = messages.conversation_id where conversations.kind = 'room'`.execute(db);
}
