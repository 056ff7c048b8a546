// What members add to a message after it is sent: reactions, pins; and the mentions it carries.
import type { Kysely, Transaction } from 'kysely';
import { appendChange, type Change } from './changes.js';
import type { Database } from './schema.js';

export interface AnnotationStore {
  /**
   * Pins the message at `at` unless it is pinned since `window.since` already (its pin time is
   * answered then), or unless the conversation holds `window.max` such pins ('full'). The count
   * and the pin are one transaction, serialized per conversation: concurrent pins never exceed
   * the cap.
   */
  pin(conversationId: number, messageId: number, at: string, window: { since: string; max: number }, change?: Change): Promise<Pinning>;
  /** Sets or clears the pin time as given, with no cap (unpinning; tests that age a pin); logs `change`, answering its position. */
  setPinned(messageId: number, pinnedAt: string | null, change?: Change): Promise<number | undefined>;
  /**
   * Adds the reaction, or takes it back when the account already gave it; answers whether it is
   * now on and the message's counts afterwards, read in the same transaction, and logs the
   * change made of those counts.
   */
  toggleReaction(
    messageId: number,
    accountId: number,
    name: string,
    at: string,
    change?: (reactions: Map<string, number>) => Change,
  ): Promise<{ on: boolean; reactions: Map<string, number>; position: number | undefined }>;
  /** Per message: reaction name -> count, names in the order they were first given. */
  reactionCounts(messageIds: readonly number[]): Promise<Map<number, Map<string, number>>>;
  /** Per message: the ids of the accounts it mentions, ascending. */
  mentions(messageIds: readonly number[]): Promise<Map<number, number[]>>;
}

/** The pin time (the one found when pinned already), or 'full'; the position of the change logged when this pinned it. */
export interface Pinning {
  pinnedAt: string | 'full';
  position: number | undefined;
}

export class SqlAnnotationStore implements AnnotationStore {
  constructor(
    private readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
  ) {}

  async pin(conversationId: number, messageId: number, at: string, window: { since: string; max: number }, change?: Change): Promise<Pinning> {
    return this.db.transaction().execute(async (trx) => {
      // SQLite runs one transaction at a time; PostgreSQL pins of one conversation queue here.
      if (this.engine === 'postgres') {
        await trx.selectFrom('conversations').select('id').where('id', '=', conversationId).forUpdate().execute();
      }
      const live = trx
        .selectFrom('messages')
        .where('conversation_id', '=', conversationId)
        .where('deleted_at', 'is', null)
        .where('pinned_at', '>=', window.since);
      const current = await live.select('pinned_at').where('id', '=', messageId).executeTakeFirst();
      if (current?.pinned_at) return { pinnedAt: current.pinned_at, position: undefined };
      const pins = await live.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      if (Number(pins.count) >= window.max) return { pinnedAt: 'full', position: undefined };
      await trx.updateTable('messages').set({ pinned_at: at }).where('id', '=', messageId).execute();
      return { pinnedAt: at, position: change && (await appendChange(trx, this.engine, change)) };
    });
  }

  async setPinned(messageId: number, pinnedAt: string | null, change?: Change): Promise<number | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('messages').set({ pinned_at: pinnedAt }).where('id', '=', messageId).execute();
      return change && appendChange(trx, this.engine, change);
    });
  }

  async toggleReaction(
    messageId: number,
    accountId: number,
    name: string,
    at: string,
    change?: (reactions: Map<string, number>) => Change,
  ): Promise<{ on: boolean; reactions: Map<string, number>; position: number | undefined }> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('reactions')
        .where('message_id', '=', messageId)
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .executeTakeFirst();
      const on = Number(removed.numDeletedRows) === 0;
      if (on) {
        await trx
          .insertInto('reactions')
          .values({ message_id: messageId, account_id: accountId, name, created_at: at })
          .onConflict((oc) => oc.columns(['message_id', 'account_id', 'name']).doNothing())
          .execute();
        await trx.updateTable('messages').set({ updated_at: at }).where('id', '=', messageId).execute();
      }
      const reactions = (await reactionCounts(trx, [messageId])).get(messageId) ?? new Map<string, number>();
      return { on, reactions, position: change && (await appendChange(trx, this.engine, change(reactions))) };
    });
  }

  async reactionCounts(messageIds: readonly number[]): Promise<Map<number, Map<string, number>>> {
    return reactionCounts(this.db, messageIds);
  }

  async mentions(messageIds: readonly number[]): Promise<Map<number, number[]>> {
    const result = new Map<number, number[]>();
    if (messageIds.length === 0) return result;
    const rows = await this.db
      .selectFrom('mentions')
      .selectAll()
      .where('message_id', 'in', [...new Set(messageIds)])
      .orderBy('account_id')
      .execute();
    for (const row of rows) {
      const id = Number(row.message_id);
      const list = result.get(id) ?? [];
      list.push(Number(row.account_id));
      result.set(id, list);
    }
    return result;
  }
}

/** Per message: reaction name -> count, names in the order they were first given. */
async function reactionCounts(db: Kysely<Database> | Transaction<Database>, messageIds: readonly number[]): Promise<Map<number, Map<string, number>>> {
  const result = new Map<number, Map<string, number>>();
  if (messageIds.length === 0) return result;
  const rows = await db
    .selectFrom('reactions')
    .select(['message_id', 'name', (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.min('created_at').as('first')])
    .where('message_id', 'in', [...new Set(messageIds)])
    .groupBy(['message_id', 'name'])
    .orderBy('first')
    .execute();
  for (const row of rows) {
    const id = Number(row.message_id);
    let counts = result.get(id);
    if (!counts) result.set(id, (counts = new Map()));
    counts.set(row.name, Number(row.count));
  }
  return result;
}
