// Pages of a room's history: the messages, each with its parent, its reaction counts and its
// mentions, read in one query with the room's count and version (history_counts, kept by
// triggers: migration 009). A page read before is answered again, from memory, for as long as the
// room's version has not moved: checking the version is one primary-key lookup, on PostgreSQL
// shared by the requests of one turn of the event loop (see turn-batch.ts).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, MessagesTable } from './schema.js';
import type { AnnotatedMessage } from './records.js';
import { toMessage } from './rows.js';
import { Statement } from './statements.js';
import { TurnBatch } from '../turn-batch.js';

type MessageRow = Selectable<MessagesTable>;

/** Every column of a message, in the order the parent's JSON array lists them. */
const MESSAGE_COLUMNS = [
  'id',
  'conversation_id',
  'sender_id',
  'body',
  'type',
  'client_sent_at',
  'sent_at',
  'created_at',
  'parent_id',
  'attachment',
  'updated_at',
  'edited_at',
  'deleted_at',
  'pinned_at',
] as const satisfies ReadonlyArray<keyof MessageRow>;

interface Counts {
  message_count: number;
  version: number;
}

type PageRow = MessageRow &
  Counts & {
    /** JSON array of the parent's MESSAGE_COLUMNS, or null. */
    parent: string | null;
    /** JSON [[name, count], …] in the order each reaction was first given, or null. */
    reactions: string | null;
    /** Comma-separated account ids, ascending, or null. */
    mentions: string | null;
  };

export interface HistoryPage {
  count: number;
  messages: AnnotatedMessage[];
}

/** Pages kept for answering again; each holds at most a page of messages. */
const MAX_CACHED_PAGES = 256;

export class HistoryPages {
  private readonly page;
  private readonly counts;
  /** PostgreSQL: the version checks of one turn of the event loop share a round trip. */
  private readonly countReads: TurnBatch<number, Counts> | undefined;
  private readonly pages = new Map<string, HistoryPage & { version: number }>();

  constructor(
    engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
  ) {
    const postgres = engine === 'postgres';
    // Most messages have no parent, reaction or mention: each is looked for by an index probe
    // before anything is aggregated, and answers null when there is none.
    const parent = sql.raw(
      `case when m.parent_id is null then null else (select ${postgres ? 'json_build_array' : 'json_array'}(${MESSAGE_COLUMNS.map((c) => `p.${c}`).join(', ')})${postgres ? '::text' : ''} from messages p where p.id = m.parent_id) end`,
    );
    const reactionCounts = '(select name, count(*) as count, min(created_at) as first from reactions where message_id = m.id group by name) r';
    const reactions = sql.raw(
      `case when exists (select 1 from reactions where message_id = m.id) then (select ${
        postgres ? 'json_agg(json_build_array(name, count) order by first, name)::text' : 'json_group_array(json_array(name, count) order by first, name)'
      } from ${reactionCounts}) end`,
    );
    const mentions = sql.raw(
      `case when exists (select 1 from mentions where message_id = m.id) then (select ${
        postgres ? "string_agg(account_id::text, ',' order by account_id)" : "group_concat(account_id, ',' order by account_id)"
      } from mentions where message_id = m.id) end`,
    );
    this.page = new Statement<[conversationId: number, limit: number, offset: number], PageRow>(db, 3, (db, conversationId, limit, offset) =>
      sql<PageRow>`select m.*, h.message_count, h.version, ${parent} as parent, ${reactions} as reactions, ${mentions} as mentions
        from history_counts h join messages m on m.conversation_id = h.conversation_id
        where h.conversation_id = ${conversationId}
        order by m.id desc limit ${limit} offset ${offset}`.compile(db),
    );
    this.counts = new Statement<[conversationId: number], Counts>(db, 1, (db, conversationId) =>
      db.selectFrom('history_counts').select(['message_count', 'version']).where('conversation_id', '=', conversationId).compile(),
    );
    if (postgres) {
      this.countReads = new TurnBatch(async (ids) => {
        const rows = await db
          .selectFrom('history_counts')
          .select(['conversation_id', 'message_count', 'version'])
          .where('conversation_id', 'in', ids)
          .execute();
        return new Map(rows.map((row) => [Number(row.conversation_id), row]));
      });
    }
  }

  /** One page of the room's history, newest first, and the room's count of messages. */
  async read(conversationId: number, offset: number, limit: number): Promise<HistoryPage> {
    const key = `${conversationId} ${offset} ${limit}`;
    const cached = this.pages.get(key);
    if (cached) {
      // SQLite answers at once: its check is not worth a turn of the event loop.
      const counts = this.countReads ? (await this.countReads.request([conversationId])).get(conversationId) : await this.counts.first(this.db, conversationId);
      if (counts && Number(counts.version) === cached.version) return cached;
      this.pages.delete(key);
    }
    const { rows } = await this.page.run(this.db, conversationId, limit, offset);
    const [first] = rows;
    // A page past the end has no row to carry the count: it is asked apart.
    const counts = first ?? (await this.counts.first(this.db, conversationId));
    if (!counts) return { count: 0, messages: [] };
    const page = { count: Number(counts.message_count), messages: rows.map(annotated), version: Number(counts.version) };
    if (this.pages.size >= MAX_CACHED_PAGES) this.pages.clear();
    this.pages.set(key, page);
    return page;
  }
}

function annotated(row: PageRow): AnnotatedMessage {
  return {
    record: toMessage(row),
    parent: row.parent === null ? null : toMessage(parentRow(JSON.parse(row.parent) as unknown[])),
    reactions: row.reactions === null ? undefined : new Map(JSON.parse(row.reactions) as Array<[string, number]>),
    mentions: row.mentions === null ? [] : row.mentions.split(',').map(Number),
  };
}

function parentRow(values: readonly unknown[]): MessageRow {
  return Object.fromEntries(MESSAGE_COLUMNS.map((column, i) => [column, values[i]])) as MessageRow;
}
