// Messages of every kind and their deliveries: what is written on the message path (the
// message, its deliveries and mentions) goes through group commit.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { ConversationKind, MessageAddressing, MessageRecord, NewMessage, PendingMessage, StoredMessage } from './records.js';
import type { GroupCommit } from './group-commit.js';
import { insertAttachment } from './attachments.js';
import { appendChange, type Change } from './changes.js';
import { insertNotifications } from './notifications.js';
import { isForeignKeyViolation, toMessage } from './rows.js';
import { ReferenceGone } from './records.js';

export interface MessageStore {
  /**
   * Stores the message with what it carries (deliveries, mentions, notifications, its
   * attachment's record) in one transaction, shared with the other writes of the same tick.
   */
  insert(message: NewMessage, addressed: MessageAddressing): Promise<StoredMessage>;
  /** Forgets the send keys of messages stored before `before`: their repeats are new messages. */
  forgetSendKeys(before: string): Promise<number>;
  find(id: number): Promise<MessageRecord | undefined>;
  findMany(ids: readonly number[]): Promise<MessageRecord[]>;
  /** One page of the conversation's history, newest first, and the total count. */
  history(conversationId: number, offset: number, limit: number): Promise<{ count: number; messages: MessageRecord[] }>;
  /** Changes the text; with `change`, logs it in the same transaction and answers its position. */
  edit(id: number, body: string, at: string, change?: Change): Promise<number | undefined>;
  /** Soft delete: the row stays (history keeps its place), unpinned. Logs `change` as edit does. */
  markDeleted(id: number, at: string, change?: Change): Promise<number | undefined>;
  /**
   * Removes the recipient's delivery of the oldest message in the conversation sent at that
   * instant; when `dropWhenDelivered` and no delivery remains, the message goes too.
   * Returns the message acknowledged, or undefined when none was pending for the recipient.
   */
  acknowledge(input: { conversationId: number; recipientId: number; sentAt: string; dropWhenDelivered: boolean }): Promise<MessageRecord | undefined>;
  /**
   * One step of a walk through the recipient's undelivered messages in the given kinds of
   * conversation, oldest first: those among its next `scan` deliveries after message `after`,
   * and the message id to continue after (null once the walk is done). A step reads at most
   * `scan` deliveries, however many wait.
   */
  pendingPage(recipientId: number, kinds: readonly ConversationKind[], after: number, scan: number): Promise<{ messages: PendingMessage[]; next: number | null }>;
  /** Who still has to acknowledge each message. */
  pendingRecipients(messageIds: readonly number[]): Promise<Map<number, number[]>>;
}

export class SqlMessageStore implements MessageStore {
  constructor(
    private readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
    private readonly writes: GroupCommit<Database>,
  ) {}

  async insert(message: NewMessage, addressed: MessageAddressing): Promise<StoredMessage> {
    const { recipients = [], mentions = [], notifications = [], attachment, sendKey, change } = addressed;
    try {
      return await this.writes.run((trx) => this.write(trx, message, { recipients, mentions, notifications, attachment, sendKey, change }));
    } catch (error) {
      // The conversation (or the sender) was deleted after the caller checked it.
      if (isForeignKeyViolation(error)) throw new ReferenceGone();
      throw error;
    }
  }

  private async write(
    trx: Transaction<Database>,
    message: NewMessage,
    { recipients, mentions, notifications, attachment, sendKey, change }: Required<Omit<MessageAddressing, 'attachment' | 'sendKey' | 'change'>> &
      Pick<MessageAddressing, 'attachment' | 'sendKey' | 'change'>,
  ): Promise<StoredMessage> {
    if (sendKey !== undefined) {
      // The key is claimed first, so that of two sends with one key (in one batch, or in two
      // transactions racing on PostgreSQL) exactly one stores the message.
      const key = { conversation_id: message.conversationId, sender_id: message.senderId, key: sendKey };
      const claimed = await trx
        .insertInto('send_keys')
        .values({ ...key, message_id: 0, created_at: message.createdAt })
        .onConflict((conflict) => conflict.columns(['conversation_id', 'sender_id', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!claimed) {
        const first = await trx
          .selectFrom('send_keys')
          .select(['message_id', 'created_at'])
          .where('conversation_id', '=', key.conversation_id)
          .where('sender_id', '=', key.sender_id)
          .where('key', '=', key.key)
          .executeTakeFirstOrThrow();
        const stored = await trx.selectFrom('messages').selectAll().where('id', '=', first.message_id).executeTakeFirst();
        const dropped = { ...asStored(message), id: Number(first.message_id), createdAt: first.created_at, updatedAt: first.created_at };
        return { message: stored ? toMessage(stored) : dropped, notifications: [], repeated: true };
      }
    }
    if (attachment) await insertAttachment(trx, attachment);
    const row = await trx
      .insertInto('messages')
      .values({
        conversation_id: message.conversationId,
        sender_id: message.senderId,
        body: message.body,
        type: message.type,
        client_sent_at: message.clientSentAt,
        sent_at: message.sentAt,
        created_at: message.createdAt,
        attachment: message.attachment,
        parent_id: message.parentId,
        updated_at: message.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (sendKey !== undefined) {
      await trx
        .updateTable('send_keys')
        .set({ message_id: row.id })
        .where('conversation_id', '=', message.conversationId)
        .where('sender_id', '=', message.senderId)
        .where('key', '=', sendKey)
        .execute();
    }
    if (recipients.length > 0) {
      await trx
        .insertInto('deliveries')
        .values(recipients.map((recipient) => ({ message_id: row.id, recipient_id: recipient })))
        .execute();
    }
    if (mentions.length > 0) {
      await trx
        .insertInto('mentions')
        .values(mentions.map((accountId) => ({ message_id: row.id, account_id: accountId })))
        .execute();
    }
    const stored = toMessage(row);
    return {
      message: stored,
      notifications: await insertNotifications(trx, notifications.map((n) => ({ ...n, messageId: stored.id }))),
      repeated: false,
      position: change && (await appendChange(trx, this.engine, change(stored))),
    };
  }

  async forgetSendKeys(before: string): Promise<number> {
    const result = await this.db.deleteFrom('send_keys').where('created_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async find(id: number): Promise<MessageRecord | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toMessage(row);
  }

  async findMany(ids: readonly number[]): Promise<MessageRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('messages').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return rows.map(toMessage);
  }

  async history(conversationId: number, offset: number, limit: number): Promise<{ count: number; messages: MessageRecord[] }> {
    const total = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('conversation_id', '=', conversationId)
      .executeTakeFirstOrThrow();
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    return { count: Number(total.count), messages: rows.map(toMessage) };
  }

  async edit(id: number, body: string, at: string, change?: Change): Promise<number | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('messages').set({ body, edited_at: at, updated_at: at }).where('id', '=', id).execute();
      return change && appendChange(trx, this.engine, change);
    });
  }

  async markDeleted(id: number, at: string, change?: Change): Promise<number | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('messages').set({ deleted_at: at, updated_at: at, pinned_at: null }).where('id', '=', id).execute();
      return change && appendChange(trx, this.engine, change);
    });
  }

  async acknowledge(input: { conversationId: number; recipientId: number; sentAt: string; dropWhenDelivered: boolean }): Promise<MessageRecord | undefined> {
    const postgres = this.engine === 'postgres';
    return this.writes.run(async (trx) => {
      const row = await trx
        .selectFrom('messages')
        .innerJoin('deliveries', 'deliveries.message_id', 'messages.id')
        .selectAll('messages')
        .where('messages.conversation_id', '=', input.conversationId)
        .where('messages.sent_at', '=', input.sentAt)
        .where('deliveries.recipient_id', '=', input.recipientId)
        .orderBy('messages.id')
        .limit(1)
        // Two acknowledgements of one message must not both see the other's delivery remaining.
        .$if(postgres, (qb) => qb.forUpdate('messages'))
        .executeTakeFirst();
      if (!row) return undefined;
      const removed = await trx
        .deleteFrom('deliveries')
        .where('message_id', '=', row.id)
        .where('recipient_id', '=', input.recipientId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return undefined;
      if (input.dropWhenDelivered) {
        // One statement: the message goes only when no delivery of it remains.
        await trx
          .deleteFrom('messages')
          .where('id', '=', row.id)
          .where(({ not, exists, selectFrom }) => not(exists(selectFrom('deliveries').select('message_id').where('message_id', '=', row.id))))
          .execute();
      }
      return toMessage(row);
    });
  }

  async pendingPage(recipientId: number, kinds: readonly ConversationKind[], after: number, scan: number): Promise<{ messages: PendingMessage[]; next: number | null }> {
    if (kinds.length === 0) return { messages: [], next: null };
    // The next `scan` deliveries, whatever their kind, in one round trip. They are chosen by a
    // subquery (an index walk with a limit), so the join reads at most `scan` rows whatever plan
    // the database picks; those of other kinds come back without a kind and are skipped.
    const rows = await this.db
      .selectFrom('deliveries')
      .innerJoin('messages', 'messages.id', 'deliveries.message_id')
      .leftJoin('conversations', (join) =>
        join.onRef('conversations.id', '=', 'messages.conversation_id').on('conversations.kind', 'in', kinds),
      )
      .selectAll('messages')
      .select('conversations.kind as conversation_kind')
      .where('deliveries.recipient_id', '=', recipientId)
      .where('deliveries.message_id', 'in', (eb) =>
        eb
          .selectFrom('deliveries as next')
          .select('next.message_id')
          .where('next.recipient_id', '=', recipientId)
          .where('next.message_id', '>', after)
          .orderBy('next.message_id')
          .limit(scan),
      )
      .orderBy('deliveries.message_id')
      .execute();
    const messages: PendingMessage[] = [];
    for (const row of rows) {
      if (row.conversation_kind !== null) messages.push({ ...toMessage(row), conversationKind: row.conversation_kind as ConversationKind });
    }
    const last = rows.at(-1);
    return { messages, next: rows.length === scan && last ? Number(last.id) : null };
  }

  async pendingRecipients(messageIds: readonly number[]): Promise<Map<number, number[]>> {
    const pending = new Map<number, number[]>(messageIds.map((id) => [id, []]));
    if (messageIds.length === 0) return pending;
    const rows = await this.db
      .selectFrom('deliveries')
      .select(['message_id', 'recipient_id'])
      .where('message_id', 'in', [...messageIds])
      .orderBy('recipient_id')
      .execute();
    for (const row of rows) pending.get(Number(row.message_id))?.push(Number(row.recipient_id));
    return pending;
  }
}

/** A message as it was sent, for a repeat whose first copy was dropped once delivered. */
function asStored(message: NewMessage): Omit<MessageRecord, 'id' | 'createdAt' | 'updatedAt'> {
  return {
    conversationId: message.conversationId,
    senderId: message.senderId,
    body: message.body,
    type: message.type,
    clientSentAt: message.clientSentAt,
    sentAt: message.sentAt,
    attachment: message.attachment,
    parentId: message.parentId,
    editedAt: null,
    deletedAt: null,
    pinnedAt: null,
  };
}
