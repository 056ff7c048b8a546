// The Store on Kysely: one implementation for SQLite and PostgreSQL.
import type { Kysely, Selectable } from 'kysely';
import type { Database, AccountsTable, ConversationsTable, MessagesTable, MembersTable, TokensTable } from './schema.js';
import {
  UniqueViolation,
  type AccountRecord,
  type ConversationKind,
  type ConversationRecord,
  type MemberRecord,
  type MemberRole,
  type MessageRecord,
  type NewAccount,
  type NewConversation,
  type NewMessage,
  type TokenRecord,
} from './records.js';
import type { AccountLookup, PendingMessage, Store } from './store.js';
import { SqlMembershipStore, type MembershipStore } from './membership-store.js';
import { SqlRoomStore, type RoomStore } from './room-store.js';
import { GroupCommit } from './group-commit.js';
import { ForeignWrites } from './foreign-writes.js';
import { MessageSearch } from './search.js';
import { MessageVersions } from './versions.js';

const ACCOUNT_COLUMNS = { id: 'id', email: 'email', username: 'username', phone: 'phone' } as const;
const CONVERSATION_COLUMNS = { id: 'id', pairKey: 'pair_key', key: 'key' } as const;
/** Group-commit batches in flight at once on PostgreSQL (its pool has more connections). */
const POSTGRES_PARALLEL_BATCHES = 4;

export class SqlStore implements Store {
  readonly memberships: MembershipStore;
  readonly rooms: RoomStore;
  readonly search: MessageSearch;
  readonly versions: MessageVersions;
  /** The writes of every message's path (store, acknowledge, markers) share transactions. */
  private readonly writes: GroupCommit<Database>;
  private readonly foreignWrites: ForeignWrites;

  constructor(
    readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
  ) {
    this.writes = new GroupCommit(db, engine === 'sqlite' ? 1 : POSTGRES_PARALLEL_BATCHES);
    this.memberships = new SqlMembershipStore(engine, db);
    this.rooms = new SqlRoomStore(db);
    this.foreignWrites = new ForeignWrites(db);
    this.search = new MessageSearch(engine, db);
    this.versions = new MessageVersions(db);
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('accounts').select('id').limit(1).execute();
  }

  watchForeignWrites(listener: () => void): void {
    if (this.engine === 'sqlite') this.foreignWrites.watch(listener);
  }

  async close(): Promise<void> {
    this.foreignWrites.stop();
    await this.db.destroy();
  }

  async insertAccount(account: NewAccount): Promise<AccountRecord> {
    try {
      const row = await this.db
        .insertInto('accounts')
        .values({
          email: account.email,
          username: account.username,
          phone: account.phone,
          first_name: account.firstName,
          last_name: account.lastName,
          photo: account.photo,
          role: account.role,
          year: account.year,
          password_hash: account.passwordHash,
          created_at: account.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAccount(row);
    } catch (error) {
      throw uniqueViolation(error) ?? error;
    }
  }

  async setPasswordHash(accountId: number, passwordHash: string): Promise<void> {
    await this.db.updateTable('accounts').set({ password_hash: passwordHash }).where('id', '=', accountId).execute();
  }

  async findAccount(by: AccountLookup, value: string | number): Promise<AccountRecord | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where(ACCOUNT_COLUMNS[by], '=', value)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async findAccounts(by: 'id' | 'phone', values: readonly (string | number)[]): Promise<AccountRecord[]> {
    if (values.length === 0) return [];
    const rows = await this.db.selectFrom('accounts').selectAll().where(ACCOUNT_COLUMNS[by], 'in', [...new Set(values)]).execute();
    return rows.map(toAccount);
  }

  async insertToken(token: TokenRecord): Promise<void> {
    await this.db
      .insertInto('tokens')
      .values({
        key_hash: token.keyHash,
        account_id: token.accountId,
        created_at: token.createdAt,
        last_used_at: token.lastUsedAt,
        revoked_at: token.revokedAt,
      })
      .execute();
  }

  async findToken(keyHash: string): Promise<TokenRecord | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    return row && toToken(row);
  }

  async findTokens(keyHashes: readonly string[]): Promise<TokenRecord[]> {
    if (keyHashes.length === 0) return [];
    const rows = await this.db.selectFrom('tokens').selectAll().where('key_hash', 'in', [...keyHashes]).execute();
    return rows.map(toToken);
  }

  async revokeToken(keyHash: string, at: string): Promise<void> {
    await this.db
      .updateTable('tokens')
      .set({ revoked_at: at })
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async revokeTokensOf(accountId: number, at: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('tokens')
      .set({ revoked_at: at })
      .where('account_id', '=', accountId)
      .where('revoked_at', 'is', null)
      .returning('key_hash')
      .execute();
    return rows.map((row) => row.key_hash);
  }

  async touchToken(keyHash: string, at: string): Promise<void> {
    await this.db.updateTable('tokens').set({ last_used_at: at }).where('key_hash', '=', keyHash).execute();
  }

  async openPairConversation(
    conversation: NewConversation & { pairKey: string },
    members: readonly number[],
  ): Promise<{ conversation: ConversationRecord; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('conversations')
        .values(conversationRow(conversation))
        .onConflict((oc) => oc.column('pair_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!inserted) {
        const existing = await trx
          .selectFrom('conversations')
          .selectAll()
          .where('pair_key', '=', conversation.pairKey)
          .executeTakeFirstOrThrow();
        return { conversation: toConversation(existing), created: false };
      }
      await trx
        .insertInto('members')
        .values(
          [...new Set(members)].map((accountId) => ({
            conversation_id: inserted.id,
            account_id: accountId,
            role: 'member',
            joined_at: conversation.createdAt,
            last_received_at: conversation.createdAt,
            last_seen_at: conversation.createdAt,
          })),
        )
        .execute();
      return { conversation: toConversation(inserted), created: true };
    });
  }

  async findConversation(
    by: 'id' | 'pairKey' | 'key',
    value: string | number,
  ): Promise<ConversationRecord | undefined> {
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where(CONVERSATION_COLUMNS[by], '=', value)
      .executeTakeFirst();
    return row && toConversation(row);
  }

  async deleteConversation(id: number): Promise<Map<number, number>> {
    return this.db.transaction().execute(async (trx) => {
      const counts = await trx
        .selectFrom('messages')
        .select(['sender_id', (eb) => eb.fn.countAll<number>().as('count')])
        .where('conversation_id', '=', id)
        .groupBy('sender_id')
        .execute();
      await trx.deleteFrom('conversations').where('id', '=', id).execute();
      return new Map(counts.map((row) => [Number(row.sender_id), Number(row.count)]));
    });
  }

  async listMembers(conversationId: number): Promise<MemberRecord[]> {
    const rows = await this.db
      .selectFrom('members')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('joined_at')
      .orderBy('account_id')
      .execute();
    return rows.map(toMember);
  }

  async setMemberMarker(
    conversationId: number,
    accountId: number,
    marker: 'lastReceivedAt' | 'lastSeenAt',
    at: string,
  ): Promise<void> {
    const column = marker === 'lastReceivedAt' ? 'last_received_at' : 'last_seen_at';
    await this.writes.run((trx) =>
      trx
        .updateTable('members')
        .set({ [column]: at })
        .where('conversation_id', '=', conversationId)
        .where('account_id', '=', accountId)
        .execute(),
    );
  }

  async membersWith(accountId: number, candidates: readonly number[], kinds: readonly ConversationKind[]): Promise<number[]> {
    if (candidates.length === 0 || kinds.length === 0) return [];
    const rows = await this.db
      .selectFrom('members as mine')
      .innerJoin('conversations', 'conversations.id', 'mine.conversation_id')
      .innerJoin('members as theirs', 'theirs.conversation_id', 'mine.conversation_id')
      .select('theirs.account_id')
      .distinct()
      .where('mine.account_id', '=', accountId)
      .where('conversations.kind', 'in', kinds)
      .where('theirs.account_id', 'in', [...new Set(candidates)])
      .execute();
    return rows.map((row) => Number(row.account_id));
  }

  async insertMessage(message: NewMessage, recipients: readonly number[]): Promise<MessageRecord> {
    return this.writes.run(async (trx) => {
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
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (recipients.length > 0) {
        await trx
          .insertInto('deliveries')
          .values(recipients.map((recipient) => ({ message_id: row.id, recipient_id: recipient })))
          .execute();
      }
      return toMessage(row);
    });
  }

  async acknowledge(input: {
    conversationId: number;
    recipientId: number;
    sentAt: string;
    dropWhenDelivered: boolean;
  }): Promise<MessageRecord | undefined> {
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

  async pendingPage(
    recipientId: number,
    kinds: readonly ConversationKind[],
    after: number,
    scan: number,
  ): Promise<{ messages: PendingMessage[]; next: number | null }> {
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
}

function toToken(row: Selectable<TokensTable>): TokenRecord {
  return {
    keyHash: row.key_hash,
    accountId: Number(row.account_id),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export function toAccount(row: Selectable<AccountsTable>): AccountRecord {
  return {
    id: Number(row.id),
    email: row.email,
    username: row.username,
    phone: row.phone,
    firstName: row.first_name,
    lastName: row.last_name,
    photo: row.photo,
    role: row.role,
    year: row.year,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}

export function conversationRow(c: NewConversation) {
  return {
    kind: c.kind,
    key: c.key,
    pair_key: c.pairKey,
    name: c.name,
    description: c.description,
    avatar: c.avatar,
    created_by: c.createdBy,
    active: c.active ? 1 : 0,
    expires_at: c.expiresAt,
    created_at: c.createdAt,
  };
}

export function toConversation(row: Selectable<ConversationsTable>): ConversationRecord {
  return {
    id: Number(row.id),
    kind: row.kind as ConversationKind,
    key: row.key,
    pairKey: row.pair_key,
    name: row.name,
    description: row.description,
    avatar: row.avatar,
    createdBy: row.created_by === null ? null : Number(row.created_by),
    active: Number(row.active) === 1,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

export function toMember(row: Selectable<MembersTable>): MemberRecord {
  return {
    conversationId: Number(row.conversation_id),
    accountId: Number(row.account_id),
    role: row.role as MemberRole,
    joinedAt: row.joined_at,
    lastReceivedAt: row.last_received_at,
    lastSeenAt: row.last_seen_at,
  };
}

function toMessage(row: Selectable<MessagesTable>): MessageRecord {
  return {
    id: Number(row.id),
    conversationId: Number(row.conversation_id),
    senderId: Number(row.sender_id),
    body: row.body,
    type: row.type,
    clientSentAt: row.client_sent_at,
    sentAt: row.sent_at,
    createdAt: row.created_at,
  };
}

/** Recognises a unique-constraint failure from either driver and names the column. */
export function uniqueViolation(error: unknown): UniqueViolation | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
    const column = /UNIQUE constraint failed: \w+\.(\w+)/.exec(error.message)?.[1];
    return new UniqueViolation(column ?? 'unknown');
  }
  if (code === '23505') {
    const detail = String((error as { detail?: unknown }).detail ?? '');
    const column = /Key \((\w+)\)/.exec(detail)?.[1];
    return new UniqueViolation(column ?? 'unknown');
  }
  return undefined;
}
