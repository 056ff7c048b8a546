// The texts that edits replaced (written by the trigger of migration 006).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface MessageVersionRecord {
  body: string;
  /** When this text was written: the message's creation, or the edit before. */
  writtenAt: string;
  replacedAt: string;
}

export class MessageVersions {
  constructor(private readonly db: Kysely<Database>) {}

  /** The `limit` latest replaced texts of a message, oldest first, and how many there are in all. */
  async of(messageId: number, limit: number): Promise<{ count: number; versions: MessageVersionRecord[] }> {
    const [total, rows] = await Promise.all([
      this.db.selectFrom('message_versions').select((eb) => eb.fn.countAll<number>().as('count')).where('message_id', '=', messageId).executeTakeFirstOrThrow(),
      this.db
        .selectFrom('message_versions')
        .select(['body', 'written_at', 'replaced_at'])
        .where('message_id', '=', messageId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    ]);
    const versions = rows.reverse().map((row) => ({ body: row.body, writtenAt: row.written_at, replacedAt: row.replaced_at }));
    return { count: Number(total.count), versions };
  }
}
