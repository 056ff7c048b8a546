// Full-text search over the room messages an account can read (the index: migration 005).
import { sql, type Kysely } from 'kysely';
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
    const match =
      this.engine === 'sqlite'
        ? sql<boolean>`messages.id in (select rowid from message_search where message_search match ${query.terms.map((t) => `"${t}"*`).join(' AND ')})`
        : sql<boolean>`${postgresSearchDocument(sql.ref('messages.body'))} @@ to_tsquery('simple', ${query.terms.map((t) => `${t}:*`).join(' & ')})`;
    const matching = this.db
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .innerJoin('members', (join) => join.onRef('members.conversation_id', '=', 'messages.conversation_id').on('members.account_id', '=', query.accountId))
      .where('conversations.kind', '=', 'room')
      .where('messages.deleted_at', 'is', null)
      .where(match)
      .$if(query.conversationId !== undefined, (q) => q.where('messages.conversation_id', '=', query.conversationId ?? 0));
    const [total, rows] = await Promise.all([
      matching.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
      matching.select('messages.id').orderBy('messages.id', 'desc').limit(query.limit).offset(query.offset).execute(),
    ]);
    return { count: Number(total.count), ids: rows.map((row) => Number(row.id)) };
  }
}
