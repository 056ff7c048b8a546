// What members add to a message after it is sent: reactions, pins; and the mentions it carries.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface AnnotationStore {
  setPinned(messageId: number, pinnedAt: string | null): Promise<void>;
  /** Pinned, undeleted messages of the conversation pinned at or after `since`. */
  countPins(conversationId: number, since: string): Promise<number>;
  /** Adds the reaction, or takes it back when the account already gave it; returns whether it is now on. */
  toggleReaction(messageId: number, accountId: number, name: string, at: string): Promise<boolean>;
  /** Per message: reaction name -> count, names in the order they were first given. */
  reactionCounts(messageIds: readonly number[]): Promise<Map<number, Map<string, number>>>;
  /** Per message: the ids of the accounts it mentions, ascending. */
  mentions(messageIds: readonly number[]): Promise<Map<number, number[]>>;
}

export class SqlAnnotationStore implements AnnotationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async setPinned(messageId: number, pinnedAt: string | null): Promise<void> {
    await this.db.updateTable('messages').set({ pinned_at: pinnedAt }).where('id', '=', messageId).execute();
  }

  async countPins(conversationId: number, since: string): Promise<number> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('conversation_id', '=', conversationId)
      .where('deleted_at', 'is', null)
      .where('pinned_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(row.count);
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
