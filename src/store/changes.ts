// The change log of conversations (migration 008): each change at its position, appended in the
// transaction of the write it records, and read back in order for a socket that resumes.
import { sql, type Kysely, type QueryResult, type Transaction } from 'kysely';
import { ReferenceGone, type Change } from './records.js';
import { isForeignKeyViolation } from './rows.js';
import type { Database } from './schema.js';

export type { Change };

export interface LoggedChange {
  position: number;
  event: string;
}

/**
 * How many changes a conversation's log keeps: the latest CHANGE_LOG_LENGTH, and up to
 * CHANGE_LOG_PRUNE_EVERY more, since the oldest are dropped every CHANGE_LOG_PRUNE_EVERY
 * changes (by the write that reaches a multiple of it), not on every write.
 */
export const CHANGE_LOG_LENGTH = 10_000;
export const CHANGE_LOG_PRUNE_EVERY = 1_000;

/** Appends the change at its conversation's next position, in the caller's transaction; returns the position. */
export async function appendChange(trx: Transaction<Database>, engine: 'sqlite' | 'postgres', change: Change): Promise<number> {
  // One statement either way. PostgreSQL: the counter row stays locked by this transaction until
  // it commits, so a concurrent writer of the conversation takes the next position after it.
  // SQLite: one writer at a time, and the statement reads and writes under one lock.
  const appended = await append(trx, engine, change).catch((error: unknown) => {
    // The conversation was deleted after the caller checked it.
    throw isForeignKeyViolation(error) ? new ReferenceGone() : error;
  });
  const position = Number(appended.rows[0]?.position);
  if (!Number.isSafeInteger(position)) throw new Error('the change log gave no position');
  if (position % CHANGE_LOG_PRUNE_EVERY === 0 && position > CHANGE_LOG_LENGTH) {
    await forgetChanges(trx, change.conversationId, position - CHANGE_LOG_LENGTH);
  }
  return position;
}

function append(trx: Transaction<Database>, engine: 'sqlite' | 'postgres', change: Change): Promise<QueryResult<{ position: number | string }>> {
  return engine === 'postgres'
    ? sql<{ position: number | string }>`with next as (
          insert into change_positions (conversation_id, position) values (${change.conversationId}, 1)
          on conflict (conversation_id) do update set position = change_positions.position + 1
          returning position)
        insert into conversation_changes (conversation_id, position, event)
        select ${change.conversationId}, position, ${change.event} from next returning position`.execute(trx)
    : sql<{ position: number | string }>`insert into conversation_changes (conversation_id, position, event)
        values (${change.conversationId},
          (select coalesce(max(position), 0) + 1 from conversation_changes where conversation_id = ${change.conversationId}),
          ${change.event})
        returning position`.execute(trx);
}

async function forgetChanges(db: Kysely<Database> | Transaction<Database>, conversationId: number, upTo: number): Promise<void> {
  await db.deleteFrom('conversation_changes').where('conversation_id', '=', conversationId).where('position', '<=', upTo).execute();
}

/** The changes after a position, or why they cannot be told. */
export type ChangesAfter =
  | { changes: LoggedChange[] }
  /** Some changes after the position are no longer kept. */
  | 'too_old'
  /** The position is past the conversation's latest change: it was never handed out. */
  | 'unknown';

export class ChangeLog {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Up to `limit` changes of the conversation after position `after`, oldest first. Committed
   * positions are always a prefix of 1, 2, 3… (see appendChange), so a first change that is
   * not `after + 1` means the ones between were dropped.
   */
  async after(conversationId: number, after: number, limit: number): Promise<ChangesAfter> {
    const rows = await this.db
      .selectFrom('conversation_changes')
      .select(['position', 'event'])
      .where('conversation_id', '=', conversationId)
      .where('position', '>', after)
      .orderBy('position')
      .limit(limit)
      .execute();
    const changes = rows.map((row) => ({ position: Number(row.position), event: row.event }));
    const [first] = changes;
    if (first) return first.position === after + 1 ? { changes } : 'too_old';
    if (after === 0) return { changes };
    const latest = await this.latest(conversationId);
    return after > latest ? 'unknown' : { changes };
  }

  /** Drops the conversation's changes up to position `upTo`, as retention does (tests that age a log). */
  async forget(conversationId: number, upTo: number): Promise<void> {
    await forgetChanges(this.db, conversationId, upTo);
  }

  /** The position of the conversation's latest change; 0 before the first. */
  async latest(conversationId: number): Promise<number> {
    const row = await this.db
      .selectFrom('conversation_changes')
      .select((eb) => eb.fn.max('position').as('latest'))
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return Number(row?.latest ?? 0);
  }
}
