// Full-text search over the room messages an account can read (the index: migration 005).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { postgresSearchDocument } from './migrations/005-message-search.js';
import type { Database } from './schema.js';

export interface SearchQuery {
  /** Words to find, each as a prefix; every one must match. Letters and digits only. */
  terms: readonly string[];
  accountId: number;
  /** Only this room, when given. */
  conversationId?: number;
  offset: number;
  limit: number;
}

export class MessageSearch {
  constructor(
    private readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
  ) {}

  /** The ids of one page of matching, undeleted messages, newest first, and how many match in all. */
  async search(query: SearchQuery): Promise<{ count: number; ids: number[] }> {
    // The terms are letters and digits only (the caller's contract), so quoting them is enough.
    // SQLite: the matches come first (CROSS JOIN keeps that order), then each is checked, so a
    // search costs what it finds, not the size of the rooms. PostgreSQL plans this from the index.
    const matches: RawBuilder<unknown> =
      this.engine === 'sqlite'
        ? sql`(select rowid as id from message_search where message_search match ${query.terms.map((t) => `"${t}"*`).join(' AND ')}) as hits
            cross join messages on messages.id = hits.id`
        : sql`messages`;
    const postgresMatch = this.engine === 'postgres' ? sql`and ${postgresSearchDocument(sql.ref('messages.body'))} @@ to_tsquery('simple', ${query.terms.map((t) => `${t}:*`).join(' & ')})` : sql``;
    const room = query.conversationId === undefined ? sql`` : sql`and messages.conversation_id = ${query.conversationId}`;
    const readable = sql`from ${matches}
      join conversations on conversations.id = messages.conversation_id and conversations.kind = 'room'
      join members on members.conversation_id = messages.conversation_id and members.account_id = ${query.accountId}
      where messages.deleted_at is null ${room} ${postgresMatch}`;
    const [total, page] = await Promise.all([
      sql<{ count: number }>`select count(*) as count ${readable}`.execute(this.db),
      sql<{ id: number }>`select messages.id as id ${readable} order by messages.id desc limit ${query.limit} offset ${query.offset}`.execute(this.db),
    ]);
    return { count: Number(total.rows[0]?.count ?? 0), ids: page.rows.map((row) => Number(row.id)) };
  }
}
