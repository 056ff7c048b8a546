// What members add to a message after it is sent: reactions, pins; and the mentions it carries.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface AnnotationStore {
  /**
   * Pins the message at `at` unless it is pinned since `window.since` already (its pin time is
   * answered then), or unless the conversation holds `window.max` such pins ('full'). The count
   * and the pin are one transaction, serialized per conversation: concurrent pins never exceed
   * the cap.
   */
  pin(conversationId: number, messageId: number, at: string, window: { since: string; max: number }): Promise<string | 'full'>;
  /** Sets or clears the pin time as given, with no cap (unpinning; tests that age a pin). */
  setPinned(messageId: number, pinnedAt: string | null): Promise<void>;
  /** Adds the reaction, or takes it back when the account already gave it; returns whether it is now on. */
  toggleReaction(messageId: number, accountId: number, name: string, at: string): Promise<boolean>;
  /** Per message: reaction name -> count, names in the order they were first given. */
  reactionCounts(messageIds: readonly number[]): Promise<Map<number, Map<string, number>>>;
  /** Per message: the ids of the accounts it mentions, ascending. */
  mentions(messageIds: readonly number[]): Promise<Map<number, number[]>>;
}

export class SqlAnnotationStore implements AnnotationStore {
  constructor(
    private readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
  ) {}

  async pin(conversationId: number, messageId: number, at: string, window: { since: string; max: number }): Promise<string | 'full'> {
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
      if (current?.pinned_at) return current.pinned_at;
      const pins = await live.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      if (Number(pins.count) >= window.max) return 'full';
      await trx.updateTable('messages').set({ pinned_at: at }).where('id', '=', messageId).execute();
      return at;
    });
  }

  async setPinned(messageId: number, pinnedAt: string | null): Promise<void> {
    await this.db.updateTable('messages').set({ pinned_at: pinnedAt }).where('id', '=', messageId).execute();
  }

  async toggleReaction(messageId: number, accountId: number, name: string, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('reactions')
        .where('message_id', '=', messageId)
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) > 0) return false;
      await trx
        .insertInto('reactions')
        .values({ message_id: messageId, account_id: accountId, name, created_at: at })
        .onConflict((oc) => oc.columns(['message_id', 'account_id', 'name']).doNothing())
        .execute();
      await trx.updateTable('messages').set({ updated_at: at }).where('id', '=', messageId).execute();
      return true;
    });
  }

  async reactionCounts(messageIds: readonly number[]): Promise<Map<number, Map<string, number>>> {
    const result = new Map<number, Map<string, number>>();
    if (messageIds.length === 0) return result;
    const rows = await this.db
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
