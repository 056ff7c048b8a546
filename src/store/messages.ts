// Messages of every kind and their deliveries: what is written on the message path (the
// message, its deliveries and mentions) goes through group commit.
import type BetterSqlite3 from 'better-sqlite3';
import { sql, Transaction, type Kysely, type Selectable } from 'kysely';
import type { Database, MessagesTable } from './schema.js';
import type { AnnotatedMessage, ConversationKind, MessageAddressing, MessageRecord, NewMessage, PendingMessage, StoredMessage } from './records.js';
import type { BatchedWrite, GroupCommit } from './group-commit.js';
import { insertAttachment } from './attachments.js';
import { appendChange, type Change } from './changes.js';
import { insertNotifications } from './notifications.js';
import { isForeignKeyViolation, toMessage } from './rows.js';
import { ReferenceGone } from './records.js';
import { Statement } from './statements.js';
import { HistoryPages } from './history.js';

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
  /** One page of the conversation's history, newest first, with what each carries, and the total count. */
  history(conversationId: number, offset: number, limit: number): Promise<{ count: number; messages: AnnotatedMessage[] }>;
  /** Changes the text; with `change`, logs it in the same transaction and answers its position. */
  edit(id: number, body: string, at: string, change?: Change): Promise<number | undefined>;
  /** Soft delete: the row stays (history keeps its place), unpinned. Logs `change` as edit does. */
  markDeleted(id: number, at: string, change?: Change): Promise<number | undefined>;
  /**
   * Removes the recipient's delivery of the oldest message in the conversation sent at that
   * instant; when `dropWhenDelivered` and no delivery remains, the message goes too. In the same
   * write the recipient's received-marker moves to `receivedAt`. Returns the message
   * acknowledged (its id and sender), or undefined (and nothing written) when none was pending
   * for the recipient.
   */
  acknowledge(input: Acknowledgement): Promise<AcknowledgedMessage | undefined>;
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

type MessageRow = Selectable<MessagesTable>;
type SendKeyRow = { message_id: number; created_at: string };

type Addressed = Required<Omit<MessageAddressing, 'attachment' | 'sendKey' | 'change'>> & Pick<MessageAddressing, 'attachment' | 'sendKey' | 'change'>;

/** A message to store with what it carries: one write of a group-commit batch. */
interface MessageWrite {
  message: NewMessage;
  addressed: Addressed;
}

/** Deliveries of up to this many recipients are written by a statement compiled once per count. */
const COMPILED_RECIPIENT_COUNTS = 16;

/** What an acknowledgement tells of the message: reading the whole row cost SQLite more than the write. */
export type AcknowledgedMessage = Pick<MessageRecord, 'id' | 'senderId'>;

export interface Acknowledgement {
  conversationId: number;
  recipientId: number;
  sentAt: string;
  dropWhenDelivered: boolean;
  receivedAt: string;
}

export class SqlMessageStore implements MessageStore {
  /** The message path's statements, compiled once (see statements.ts). */
  private readonly statements;
  private readonly historyPages;
  private readonly deliveryInserts = new Map<number, Statement<number[], unknown>>();
  /**
   * PostgreSQL: the messages of a batch, and its acknowledgements, each written by a statement or
   * two whatever their number, instead of a round trip each.
   */
  private readonly together: {
    insert: BatchedWrite<Database, MessageWrite, StoredMessage>;
    acknowledge: BatchedWrite<Database, Acknowledgement, MessageRecord | undefined>;
  } = {
    // A message's rows are new: storing it locks nothing a conversation's acknowledgements or markers lock.
    insert: { many: (db, writes) => this.insertMany(db, writes), ownLanes: true },
    acknowledge: { many: (db, inputs) => this.acknowledgeMany(db, inputs) },
  };

  constructor(
    private readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
    private readonly writes: GroupCommit<Database>,
  ) {
    this.statements = compileStatements(engine, db);
    this.historyPages = new HistoryPages(engine, db);
  }

  async insert(message: NewMessage, addressed: MessageAddressing): Promise<StoredMessage> {
    const { recipients = [], mentions = [], notifications = [], attachment, sendKey, change } = addressed;
    const write: MessageWrite = { message, addressed: { recipients, mentions, notifications, attachment, sendKey, change } };
    try {
      if (this.engine === 'postgres') return await this.writes.runBatched(message.conversationId, this.together.insert, write);
      if (carriesOnlyDeliveries(write) && recipients.length <= COMPILED_RECIPIENT_COUNTS) {
        return await this.writes.runSync(message.conversationId, (sqlite) => this.writeNow(sqlite, message, recipients, sendKey));
      }
      return await this.writes.run(message.conversationId, (trx) => this.write(trx, write.message, write.addressed));
    } catch (error) {
      // The conversation (or the sender) was deleted after the caller checked it.
      if (isForeignKeyViolation(error)) throw new ReferenceGone();
      throw error;
    }
  }

  private async write(
    trx: Transaction<Database>,
    message: NewMessage,
    { recipients, mentions, notifications, attachment, sendKey, change }: Addressed,
  ): Promise<StoredMessage> {
    // The key is claimed first, with the id the message will have, in one statement, so that of
    // two sends with one key (in one batch, or in two transactions racing on PostgreSQL) exactly
    // one stores the message.
    let id: number | null = null;
    if (sendKey !== undefined) {
      const claimed = await this.statements.claimKey.first(trx, message.conversationId, message.senderId, sendKey, message.createdAt);
      if (!claimed) return this.repeat(trx, message, sendKey);
      id = Number(claimed.message_id);
    }
    if (attachment) await insertAttachment(trx, attachment);
    const values: [id: number | null, ...MessageColumns] = [id, ...columnsOf(message)];
    let record: MessageRecord;
    if (this.engine === 'postgres') {
      // The message and its deliveries in one round trip.
      const row = await this.statements.insertWithDeliveries.first(trx, ...values, [...recipients]);
      if (!row) throw new Error('message insert returned no row');
      record = toMessage(row);
    } else {
      const inserted = await this.statements.insertMessage.first(trx, ...values);
      if (!inserted) throw new Error('message insert returned no row');
      record = newRecord(message, Number(inserted.id));
      if (recipients.length > 0) await this.insertDeliveries(trx, record.id, recipients);
    }
    return this.stored(trx, record, mentions, notifications, change);
  }

  /**
   * PostgreSQL: messages that carry nothing but their deliveries, with keys of their own, are
   * stored by one statement (atomic without a transaction); others in a transaction, in order.
   */
  private async insertMany(db: Kysely<Database>, writes: readonly MessageWrite[]): Promise<StoredMessage[]> {
    const keys = writes.flatMap((write) => keyOf(write) ?? []);
    if (new Set(keys).size < keys.length || !writes.every(carriesOnlyDeliveries)) return inTransaction(db, (trx) => this.insertInOrder(trx, writes));
    const rows = await this.storeMany(db, writes);
    const results: StoredMessage[] = [];
    for (const [i, { message, addressed }] of writes.entries()) {
      const row = rows[i]!;
      results.push(row.fresh || addressed.sendKey === undefined ? { message: toMessage(row), notifications: [], repeated: false } : await this.repeat(db, message, addressed.sendKey));
    }
    return results;
  }

  /**
   * Runs of consecutive messages each stored by one statement (storeMany); a message it does
   * not take (one with an attachment, one whose key an earlier message of the run claims) is
   * written on its own, in its place, so that ids follow the order of the sends.
   */
  private async insertInOrder(trx: Transaction<Database>, writes: readonly MessageWrite[]): Promise<StoredMessage[]> {
    const results: StoredMessage[] = [];
    let run: MessageWrite[] = [];
    let keys = new Set<string>();
    const flush = async (): Promise<void> => {
      const rows = run.length > 0 ? await this.storeMany(trx, run) : [];
      for (const [i, { message, addressed }] of run.entries()) {
        const row = rows[i]!;
        results.push(
          row.fresh || addressed.sendKey === undefined
            ? await this.stored(trx, toMessage(row), addressed.mentions, addressed.notifications, addressed.change)
            : await this.repeat(trx, message, addressed.sendKey),
        );
      }
      run = [];
      keys = new Set();
    };
    for (const write of writes) {
      const key = keyOf(write);
      if (write.addressed.attachment || (key !== undefined && keys.has(key))) {
        await flush();
        results.push(await this.write(trx, write.message, write.addressed));
        continue;
      }
      if (key !== undefined) keys.add(key);
      run.push(write);
    }
    await flush();
    return results;
  }

  /** The claims, messages and deliveries of `writes` in one statement: a row each, in order, fresh unless its key was claimed before. */
  private async storeMany(db: Kysely<Database>, writes: readonly MessageWrite[]): Promise<Array<MessageRow & { fresh: boolean }>> {
    const deliveryOrdinals: number[] = [];
    const deliveryRecipients: number[] = [];
    writes.forEach(({ addressed }, i) => {
      for (const recipient of addressed.recipients) {
        deliveryOrdinals.push(i + 1);
        deliveryRecipients.push(recipient);
      }
    });
    const { rows } = await this.statements.storeMany.run(
      db,
      ...columnArraysOf(writes.map((write) => write.message)),
      writes.map((write) => write.addressed.sendKey ?? null),
      deliveryOrdinals,
      deliveryRecipients,
    );
    if (rows.length !== writes.length) throw new Error('message insert returned no row');
    return rows;
  }

  /**
   * SQLite's write of a message that carries nothing but its few deliveries (a personal message):
   * the same statements as write's, synchronously, in the batch's transaction.
   */
  private writeNow(sqlite: BetterSqlite3.Database, message: NewMessage, recipients: readonly number[], sendKey: string | undefined): StoredMessage {
    let id: number | null = null;
    if (sendKey !== undefined) {
      const claimed = this.statements.claimKey.firstNow(sqlite, message.conversationId, message.senderId, sendKey, message.createdAt);
      if (!claimed) return this.repeated(message, this.statements.sendKey.firstNow(sqlite, message.conversationId, message.senderId, sendKey), (id) => this.statements.message.firstNow(sqlite, id));
      id = Number(claimed.message_id);
    }
    const inserted = this.statements.insertMessage.firstNow(sqlite, id, ...columnsOf(message));
    if (!inserted) throw new Error('message insert returned no row');
    const record = newRecord(message, Number(inserted.id));
    if (recipients.length > 0) this.deliveryInsert(recipients.length).runNow(sqlite, ...deliveryValues(record.id, recipients));
    return { message: record, notifications: [], repeated: false };
  }

  /** The rest of a stored message's write: its mentions, notifications and change-log entry. */
  private async stored(
    trx: Transaction<Database>,
    stored: MessageRecord,
    mentions: readonly number[],
    notifications: NonNullable<MessageAddressing['notifications']>,
    change: MessageAddressing['change'],
  ): Promise<StoredMessage> {
    if (mentions.length > 0) {
      await trx
        .insertInto('mentions')
        .values(mentions.map((accountId) => ({ message_id: stored.id, account_id: accountId })))
        .execute();
    }
    return {
      message: stored,
      notifications: notifications.length === 0 ? [] : await insertNotifications(trx, notifications.map((n) => ({ ...n, messageId: stored.id }))),
      repeated: false,
      position: change && (await appendChange(trx, this.engine, change(stored))),
    };
  }

  /** A send whose key was claimed before: the message stored first, as it is or as it was sent. */
  private async repeat(trx: Kysely<Database>, message: NewMessage, sendKey: string): Promise<StoredMessage> {
    const first = await this.statements.sendKey.first(trx, message.conversationId, message.senderId, sendKey);
    const stored = first && (await this.statements.message.first(trx, first.message_id));
    return this.repeated(message, first, () => stored);
  }

  /** The answer to a repeat, from its send key's row and a look-up of the message stored first. */
  private repeated(message: NewMessage, first: SendKeyRow | undefined, find: (id: number) => MessageRow | undefined): StoredMessage {
    if (!first) throw new Error('a claimed send key has no row');
    const stored = find(first.message_id);
    const dropped = { ...asStored(message), id: Number(first.message_id), createdAt: first.created_at, updatedAt: first.created_at };
    return { message: stored ? toMessage(stored) : dropped, notifications: [], repeated: true };
  }

  private async insertDeliveries(trx: Transaction<Database>, messageId: number, recipients: readonly number[]): Promise<void> {
    if (recipients.length > COMPILED_RECIPIENT_COUNTS) {
      await trx
        .insertInto('deliveries')
        .values(recipients.map((recipient) => ({ message_id: messageId, recipient_id: recipient })))
        .execute();
      return;
    }
    await this.deliveryInsert(recipients.length).run(trx, ...deliveryValues(messageId, recipients));
  }

  /** The insert of a message's deliveries to `count` recipients, compiled on first use. */
  private deliveryInsert(count: number): Statement<number[], unknown> {
    let statement = this.deliveryInserts.get(count);
    if (!statement) {
      statement = new Statement<number[], unknown>(this.db, count * 2, (db, ...ids) =>
        db
          .insertInto('deliveries')
          .values(Array.from({ length: count }, (_, i) => ({ message_id: ids[2 * i]!, recipient_id: ids[2 * i + 1]! })))
          .compile(),
      );
      this.deliveryInserts.set(count, statement);
    }
    return statement;
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

  history(conversationId: number, offset: number, limit: number): Promise<{ count: number; messages: AnnotatedMessage[] }> {
    return this.historyPages.read(conversationId, offset, limit);
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

  async acknowledge(input: Acknowledgement): Promise<AcknowledgedMessage | undefined> {
    if (this.engine === 'postgres') return this.writes.runBatched(input.conversationId, this.together.acknowledge, input);
    const { removePending, dropDelivered, senderOf, markReceived } = this.statements;
    return this.writes.runSync(input.conversationId, (sqlite) => {
      const removed = removePending.firstNow(sqlite, input.recipientId, input.conversationId, input.sentAt);
      if (!removed) return undefined;
      const id = removed.message_id;
      const dropped = input.dropWhenDelivered ? dropDelivered.firstNow(sqlite, id) : undefined;
      const sender = dropped ?? senderOf.firstNow(sqlite, id);
      if (!sender) throw new Error(`acknowledged message ${id} has no row`);
      markReceived.runNow(sqlite, input.receivedAt, input.conversationId, input.recipientId);
      return { id, senderId: sender.sender_id };
    });
  }

  /**
   * PostgreSQL: runs of acknowledgements each written by one statement (the deliveries, the
   * markers, and the messages nobody waits for any more). A message whose other deliveries that
   * statement saw is dropped by a statement of its own, if none remains: it sees the deliveries
   * another process removed while this one waited for the lock. An acknowledgement repeating an
   * earlier one of the run starts the next run, which sees what that one removed.
   *
   * One run is one statement, atomic on its own: it needs no transaction, whose BEGIN and COMMIT
   * would cost two more round trips. Dropping what it left is safe at any time after it.
   */
  private async acknowledgeMany(db: Kysely<Database>, inputs: readonly Acknowledgement[]): Promise<Array<MessageRecord | undefined>> {
    const runs = runsOf(inputs);
    if (runs.length === 1) return this.acknowledgeRun(db, inputs);
    return inTransaction(db, async (trx) => {
      const results: Array<MessageRecord | undefined> = [];
      // In order: each run sees what the runs before it removed.
      for (const run of runs) results.push(...(await this.acknowledgeRun(trx, run)));
      return results;
    });
  }

  private async acknowledgeRun(db: Kysely<Database>, run: readonly Acknowledgement[]): Promise<Array<MessageRecord | undefined>> {
    const { rows } = await this.statements.acknowledgeMany.run(
      db,
      run.map((input) => input.conversationId),
      run.map((input) => input.sentAt),
      run.map((input) => input.recipientId),
      run.map((input) => input.receivedAt),
      run.map((input) => input.dropWhenDelivered),
    );
    const drops = run.flatMap((input, i) => (input.dropWhenDelivered && rows[i]?.acknowledged && !rows[i].dropped ? [rows[i].id] : []));
    if (drops.length > 0) await this.statements.dropManyDelivered.run(db, drops);
    return run.map((_, i) => (rows[i]?.acknowledged ? toMessage(rows[i]) : undefined));
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

/** The acknowledgements in runs that repeat none of their own: a repeat starts the next run. */
function runsOf(inputs: readonly Acknowledgement[]): Array<readonly Acknowledgement[]> {
  const runs: Acknowledgement[][] = [];
  let seen = new Set<string>();
  for (const input of inputs) {
    const key = JSON.stringify([input.conversationId, input.recipientId, input.sentAt]);
    if (runs.length === 0 || seen.has(key)) {
      runs.push([]);
      seen = new Set();
    }
    seen.add(key);
    runs.at(-1)!.push(input);
  }
  return runs;
}

/** The write's send key with its sender and conversation, if it has one. */
function keyOf({ message, addressed }: MessageWrite): string | undefined {
  return addressed.sendKey === undefined ? undefined : JSON.stringify([message.conversationId, message.senderId, addressed.sendKey]);
}

function carriesOnlyDeliveries({ addressed }: MessageWrite): boolean {
  return !addressed.attachment && !addressed.change && addressed.mentions.length === 0 && addressed.notifications.length === 0;
}

/** Runs `work` in `db` when it is a transaction, otherwise in a transaction of its own. */
function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db instanceof Transaction ? work(db) : db.transaction().execute(work);
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

/** A message just inserted with this id, as its row now reads. */
function newRecord(message: NewMessage, id: number): MessageRecord {
  return { ...asStored(message), id, createdAt: message.createdAt, updatedAt: message.createdAt };
}

/** The statements of the message path, compiled once for the store's engine. */
function compileStatements(engine: 'sqlite' | 'postgres', db: Kysely<Database>) {
  const postgres = engine === 'postgres';
  type MessageValues = [id: number | null, ...MessageColumns];
  // The id the message will get: SQLite's single connection writes one message at a time inside
  // the batch's transaction, so the next one takes the autoincrement sequence's next value.
  const nextMessageId = postgres
    ? sql<number>`nextval(pg_get_serial_sequence('messages', 'id'))`
    : sql<number>`(select coalesce((select seq from sqlite_sequence where name = 'messages'), 0) + 1)`;
  return {
    sendKey: new Statement<[conversationId: number, senderId: number, key: string], SendKeyRow>(db, 3, (db, conversationId, senderId, key) =>
      db
        .selectFrom('send_keys')
        .select(['message_id', 'created_at'])
        .where('conversation_id', '=', conversationId)
        .where('sender_id', '=', senderId)
        .where('key', '=', key)
        .compile(),
    ),
    message: new Statement<[id: number], MessageRow>(db, 1, (db, id) => db.selectFrom('messages').selectAll().where('id', '=', id).compile()),
    claimKey: new Statement<[conversationId: number, senderId: number, key: string, createdAt: string], { message_id: number }>(
      db,
      4,
      (db, conversationId, senderId, key, createdAt) =>
        db
          .insertInto('send_keys')
          .values({ conversation_id: conversationId, sender_id: senderId, key, message_id: nextMessageId, created_at: createdAt })
          .onConflict((conflict) => conflict.columns(['conversation_id', 'sender_id', 'key']).doNothing())
          .returning('message_id')
          .compile(),
    ),
    insertMessage: new Statement<MessageValues, { id: number }>(db, 10, (db, id, conversationId, senderId, body, type, clientSentAt, sentAt, createdAt, attachment, parentId) =>
      db
        .insertInto('messages')
        .values({
          id: id as number,
          conversation_id: conversationId,
          sender_id: senderId,
          body,
          type,
          client_sent_at: clientSentAt,
          sent_at: sentAt,
          created_at: createdAt,
          attachment,
          parent_id: parentId,
          updated_at: createdAt,
        })
        // The rest of the row is what was inserted (see newRecord).
        .returning('id')
        .compile(),
    ),
    insertWithDeliveries: new Statement<[...MessageValues, recipients: number[]], MessageRow>(
      db,
      11,
      (db, id, conversationId, senderId, body, type, clientSentAt, sentAt, createdAt, attachment, parentId, recipients) =>
        sql<MessageRow>`with stored as (
            insert into messages (id, conversation_id, sender_id, body, type, client_sent_at, sent_at, created_at, attachment, parent_id, updated_at)
            values (coalesce(${id}::bigint, ${nextMessageId}), ${conversationId}, ${senderId}, ${body}, ${type}, ${clientSentAt}, ${sentAt}, ${createdAt}, ${attachment}, ${parentId}::bigint, ${createdAt})
            returning *
          ), delivered as (
            insert into deliveries (message_id, recipient_id) select stored.id, recipient from stored, unnest(${recipients}::bigint[]) as recipient
          )
          select * from stored`.compile(db),
    ),
    storeMany: new Statement<[...MessageColumnArrays, keys: Array<string | null>, deliveryOrdinals: number[], deliveryRecipients: number[]], MessageRow & { fresh: boolean }>(
      db,
      12,
      (db, conversationIds, senderIds, bodies, types, clientSentAts, sentAts, createdAts, attachments, parentIds, keys, deliveryOrdinals, deliveryRecipients) =>
        // Each message gets the next id in the order of the batch (the ids drawn are numbered in
        // ascending order); one with a key is stored only when its key's claim is new.
        sql<MessageRow & { fresh: boolean }>`with input as (
            select * from unnest(${conversationIds}::bigint[], ${senderIds}::bigint[], ${bodies}::text[], ${types}::text[], ${clientSentAts}::text[],
              ${sentAts}::text[], ${createdAts}::text[], ${attachments}::text[], ${parentIds}::bigint[], ${keys}::text[])
              with ordinality as input (conversation_id, sender_id, body, type, client_sent_at, sent_at, created_at, attachment, parent_id, key, ord)
          ), drawn as (
            select nextval(pg_get_serial_sequence('messages', 'id')) as id from input
          ), numbered as (
            select id, row_number() over (order by id) as ord from drawn
          ), claimed as (
            insert into send_keys (conversation_id, sender_id, key, message_id, created_at)
            select input.conversation_id, input.sender_id, input.key, numbered.id, input.created_at
            from input inner join numbered on numbered.ord = input.ord
            where input.key is not null
            on conflict (conversation_id, sender_id, key) do nothing
            returning message_id
          ), stored as (
            insert into messages (id, conversation_id, sender_id, body, type, client_sent_at, sent_at, created_at, attachment, parent_id, updated_at)
            select numbered.id, input.conversation_id, input.sender_id, input.body, input.type, input.client_sent_at, input.sent_at,
              input.created_at, input.attachment, input.parent_id, input.created_at
            from input inner join numbered on numbered.ord = input.ord
            where input.key is null or numbered.id in (select message_id from claimed)
            returning *
          ), delivered as (
            insert into deliveries (message_id, recipient_id)
            select stored.id, delivery.recipient_id
            from unnest(${deliveryOrdinals}::bigint[], ${deliveryRecipients}::bigint[]) as delivery (ord, recipient_id)
            inner join numbered on numbered.ord = delivery.ord inner join stored on stored.id = numbered.id
          )
          select stored.*, stored.id is not null as fresh from numbered left join stored on stored.id = numbered.id order by numbered.ord`.compile(db),
    ),
    acknowledgeMany: new Statement<
      [conversationIds: number[], sentAts: string[], recipientIds: number[], receivedAts: string[], drops: boolean[]],
      MessageRow & { acknowledged: boolean; dropped: boolean }
    >(
      db,
      5,
      (db, conversationIds, sentAts, recipientIds, receivedAts, drops) =>
        // Each acknowledgement removes its recipient's delivery of the oldest message sent at that
        // instant; a recipient's received-marker moves to its last acknowledgement that removed one;
        // a message to drop goes when no other delivery of it is left in the statement's snapshot.
        sql<MessageRow & { acknowledged: boolean; dropped: boolean }>`with input as (
            select * from unnest(${conversationIds}::bigint[], ${sentAts}::text[], ${recipientIds}::bigint[], ${receivedAts}::text[], ${drops}::boolean[])
              with ordinality as input (conversation_id, sent_at, recipient_id, received_at, drop_delivered, ord)
          ), target as (
            select input.ord, input.recipient_id as acknowledger, input.received_at as acknowledged_at, input.drop_delivered, found.*
            from input cross join lateral (
              select messages.* from messages inner join deliveries on deliveries.message_id = messages.id
              where messages.conversation_id = input.conversation_id and messages.sent_at = input.sent_at and deliveries.recipient_id = input.recipient_id
              order by messages.id limit 1
              for update of messages
            ) as found
          ), removed as (
            delete from deliveries using target
            where deliveries.message_id = target.id and deliveries.recipient_id = target.acknowledger
            returning deliveries.message_id, deliveries.recipient_id
          ), marked as (
            update members set last_received_at = latest.acknowledged_at
            from (
              select distinct on (target.conversation_id, target.acknowledger) target.conversation_id, target.acknowledger, target.acknowledged_at
              from target inner join removed on removed.message_id = target.id and removed.recipient_id = target.acknowledger
              order by target.conversation_id, target.acknowledger, target.ord desc
            ) as latest
            where members.conversation_id = latest.conversation_id and members.account_id = latest.acknowledger
          ), dropped as (
            -- Every delivery of the message the snapshot holds is one this statement removed.
            delete from messages
            using (
              select target.id, count(*) as removed_count
              from target inner join removed on removed.message_id = target.id and removed.recipient_id = target.acknowledger
              where target.drop_delivered
              group by target.id
            ) as acknowledged
            where messages.id = acknowledged.id
            and (select count(*) from deliveries where deliveries.message_id = messages.id) = acknowledged.removed_count
            returning messages.id
          )
          select target.*, removed.message_id is not null as acknowledged, dropped.id is not null as dropped
          from input
          left join target on target.ord = input.ord
          left join removed on removed.message_id = target.id and removed.recipient_id = target.acknowledger
          left join dropped on dropped.id = target.id
          order by input.ord`.compile(db),
    ),
    // SQLite: removes the recipient's delivery of the oldest message of the conversation sent at
    // that instant, in one statement that finds it.
    removePending: new Statement<[recipientId: number, conversationId: number, sentAt: string], { message_id: number }>(
      db,
      3,
      (db, recipientId, conversationId, sentAt) =>
        db
          .deleteFrom('deliveries')
          .where('recipient_id', '=', recipientId)
          .where('message_id', '=', (eb) =>
            eb
              .selectFrom('messages')
              .innerJoin('deliveries as pending', 'pending.message_id', 'messages.id')
              .select('messages.id')
              .where('messages.conversation_id', '=', conversationId)
              .where('messages.sent_at', '=', sentAt)
              .where('pending.recipient_id', '=', recipientId)
              .orderBy('messages.id')
              // A literal: SQLite ran this lookup ~30 times slower with its limit bound as a parameter.
              .limit(sql.lit(1)),
          )
          .returning('message_id')
          .compile(),
    ),
    senderOf: new Statement<[id: number], { sender_id: number }>(db, 1, (db, id) => db.selectFrom('messages').select('sender_id').where('id', '=', id).compile()),
    // One statement: the message goes only when no delivery of it remains; answers its sender when it went.
    dropDelivered: new Statement<[messageId: number], { sender_id: number }>(db, 1, (db, messageId) =>
      db
        .deleteFrom('messages')
        .where('id', '=', messageId)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('deliveries').select('message_id').where('message_id', '=', messageId))))
        .returning('sender_id')
        .compile(),
    ),
    // PostgreSQL: one statement for the acknowledged messages whose other deliveries the acknowledgement saw.
    dropManyDelivered: new Statement<[messageIds: number[]], unknown>(db, 1, (db, messageIds) =>
      sql`delete from messages where id = any(${messageIds}::bigint[])
        and not exists (select 1 from deliveries where deliveries.message_id = messages.id)`.compile(db),
    ),
    markReceived: new Statement<[at: string, conversationId: number, accountId: number], unknown>(db, 3, (db, at, conversationId, accountId) =>
      db
        .updateTable('members')
        .set({ last_received_at: at })
        .where('conversation_id', '=', conversationId)
        .where('account_id', '=', accountId)
        .compile(),
    ),
  };
}

/** A new message's columns, in the order the message path's compiled statements bind them. */
type MessageColumns = [
  conversationId: number,
  senderId: number,
  body: string,
  type: string,
  clientSentAt: string | null,
  sentAt: string | null,
  createdAt: string,
  attachment: string | null,
  parentId: number | null,
];

/** The columns of many new messages, one array per column, for a statement that unnests them. */
type MessageColumnArrays = ArraysOf<MessageColumns>;
type ArraysOf<T extends readonly unknown[]> = { [K in keyof T]: Array<T[K]> };

function columnArraysOf(messages: readonly NewMessage[]): MessageColumnArrays {
  const arrays = Array.from({ length: COLUMN_COUNT }, (): unknown[] => []);
  for (const message of messages) columnsOf(message).forEach((value, i) => arrays[i]!.push(value));
  return arrays as unknown as MessageColumnArrays;
}

const COLUMN_COUNT: MessageColumns['length'] = 9;

/** A deliveries insert's values: the message and each recipient, pair by pair. */
function deliveryValues(messageId: number, recipients: readonly number[]): number[] {
  return recipients.flatMap((recipient) => [messageId, recipient]);
}

function columnsOf(message: NewMessage): MessageColumns {
  return [
    message.conversationId,
    message.senderId,
    message.body,
    message.type,
    message.clientSentAt,
    message.sentAt,
    message.createdAt,
    message.attachment,
    message.parentId,
  ];
}
