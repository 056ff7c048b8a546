// Conversations whose members change after creation: the phone dialect's groups (admins and
// members) and its match rooms (two partners, an expiry and a grade each).
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { ConversationKind, ConversationRecord, MemberRecord, MemberRole, NewConversation } from './records.js';
import { conversationRow, toConversation, toMember, uniqueViolation } from './sql-store.js';

export interface NewMember {
  accountId: number;
  role: MemberRole;
}

/** What removing a member did to the conversation. */
export interface Removal {
  removed: boolean;
  /** The member who became admin because no admin was left, if any. */
  promotedId: number | null;
  /** True when nobody was left and the conversation went with its messages. */
  deleted: boolean;
}

export type RoleChange = 'changed' | 'unchanged' | 'not_member' | 'last_admin';

export interface ConversationWithMembers {
  conversation: ConversationRecord;
  members: MemberRecord[];
}

export interface MembershipStore {
  /** Creates the conversation and its members at once. Throws UniqueViolation('key') on a taken key. */
  createConversation(conversation: NewConversation, members: readonly NewMember[]): Promise<ConversationRecord>;
  /** Adds a member unless already one, or unless the conversation already holds `capacity`. */
  addMember(
    conversationId: number,
    member: NewMember,
    joinedAt: string,
    capacity: number,
  ): Promise<'added' | 'member' | 'full'>;
  /**
   * Removes the member with their pending deliveries there (messages nobody waits for any more
   * go too). When no admin remains the longest-standing member becomes admin; when nobody
   * remains the conversation is deleted.
   */
  removeMember(conversationId: number, accountId: number): Promise<Removal>;
  /** Changes a member's role; never takes the role of the last admin away. */
  setRole(conversationId: number, accountId: number, role: MemberRole): Promise<RoleChange>;
  updateConversation(
    id: number,
    changes: Partial<Pick<ConversationRecord, 'name' | 'description' | 'active'>>,
  ): Promise<void>;
  /** The account's conversations of one kind with all their members, newest first. */
  conversationsOf(accountId: number, kind: ConversationKind): Promise<ConversationWithMembers[]>;
  /** Who still has to acknowledge each message. */
  pendingRecipients(messageIds: readonly number[]): Promise<Map<number, number[]>>;
  /**
   * Opens a match between the members unless one of them is in a match that is active and
   * not expired at `at`; undefined then. Safe against concurrent calls for the same accounts.
   */
  openMatch(conversation: NewConversation, members: readonly number[], at: string): Promise<ConversationRecord | undefined>;
  /** Records the account's grade unless it graded already; returns every grade given so far. */
  grade(
    conversationId: number,
    accountId: number,
    grade: string,
    at: string,
  ): Promise<{ recorded: boolean; grades: Map<number, string> }>;
}

export class SqlMembershipStore implements MembershipStore {
  constructor(
    private readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
  ) {}

  async createConversation(conversation: NewConversation, members: readonly NewMember[]): Promise<ConversationRecord> {
    try {
      return await this.db.transaction().execute((trx) => insertConversation(trx, conversation, members));
    } catch (error) {
      throw uniqueViolation(error) ?? error;
    }
  }

  async addMember(
    conversationId: number,
    member: NewMember,
    joinedAt: string,
    capacity: number,
  ): Promise<'added' | 'member' | 'full'> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockConversation(trx, conversationId);
      const members = await trx
        .selectFrom('members')
        .select('account_id')
        .where('conversation_id', '=', conversationId)
        .execute();
      if (members.some((m) => Number(m.account_id) === member.accountId)) return 'member';
      if (members.length >= capacity) return 'full';
      await trx
        .insertInto('members')
        .values(memberRow(conversationId, member, joinedAt))
        .execute();
      return 'added';
    });
  }

  async removeMember(conversationId: number, accountId: number): Promise<Removal> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockConversation(trx, conversationId);
      const removed = await trx
        .deleteFrom('members')
        .where('conversation_id', '=', conversationId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return { removed: false, promotedId: null, deleted: false };
      const inConversation = trx.selectFrom('messages').select('id').where('conversation_id', '=', conversationId);
      await trx
        .deleteFrom('deliveries')
        .where('recipient_id', '=', accountId)
        .where('message_id', 'in', inConversation)
        .execute();
      await trx
        .deleteFrom('messages')
        .where('conversation_id', '=', conversationId)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('deliveries').select('message_id').whereRef('deliveries.message_id', '=', 'messages.id'))),
        )
        .execute();
      const remaining = (
        await trx
          .selectFrom('members')
          .selectAll()
          .where('conversation_id', '=', conversationId)
          .orderBy('joined_at')
          .orderBy('account_id')
          .execute()
      ).map(toMember);
      const [longestStanding] = remaining;
      if (!longestStanding) {
        await trx.deleteFrom('conversations').where('id', '=', conversationId).execute();
        return { removed: true, promotedId: null, deleted: true };
      }
      if (remaining.some((m) => m.role === 'admin')) return { removed: true, promotedId: null, deleted: false };
      await setMemberRole(trx, conversationId, longestStanding.accountId, 'admin');
      return { removed: true, promotedId: longestStanding.accountId, deleted: false };
    });
  }

  async setRole(conversationId: number, accountId: number, role: MemberRole): Promise<RoleChange> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockConversation(trx, conversationId);
      const members = (
        await trx.selectFrom('members').selectAll().where('conversation_id', '=', conversationId).execute()
      ).map(toMember);
      const member = members.find((m) => m.accountId === accountId);
      if (!member) return 'not_member';
      if (member.role === role) return 'unchanged';
      if (member.role === 'admin' && members.filter((m) => m.role === 'admin').length === 1) return 'last_admin';
      await setMemberRole(trx, conversationId, accountId, role);
      return 'changed';
    });
  }

  async updateConversation(
    id: number,
    changes: Partial<Pick<ConversationRecord, 'name' | 'description' | 'active'>>,
  ): Promise<void> {
    const row: { name?: string | null; description?: string | null; active?: number } = {};
    if (changes.name !== undefined) row.name = changes.name;
    if (changes.description !== undefined) row.description = changes.description;
    if (changes.active !== undefined) row.active = changes.active ? 1 : 0;
    if (Object.keys(row).length === 0) return;
    await this.db.updateTable('conversations').set(row).where('id', '=', id).execute();
  }

  async conversationsOf(accountId: number, kind: ConversationKind): Promise<ConversationWithMembers[]> {
    const conversations = await this.db
      .selectFrom('conversations')
      .innerJoin('members', 'members.conversation_id', 'conversations.id')
      .selectAll('conversations')
      .where('members.account_id', '=', accountId)
      .where('conversations.kind', '=', kind)
      .orderBy('conversations.id', 'desc')
      .execute();
    if (conversations.length === 0) return [];
    const members = await this.db
      .selectFrom('members')
      .selectAll()
      .where(
        'conversation_id',
        'in',
        conversations.map((c) => c.id),
      )
      .orderBy('joined_at')
      .orderBy('account_id')
      .execute();
    return conversations.map((row) => ({
      conversation: toConversation(row),
      members: members.filter((m) => Number(m.conversation_id) === Number(row.id)).map(toMember),
    }));
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

  async openMatch(
    conversation: NewConversation,
    members: readonly number[],
    at: string,
  ): Promise<ConversationRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      if (this.engine === 'postgres') {
        // Two pairings involving the same account must not both see it free.
        await trx
          .selectFrom('accounts')
          .select('id')
          .where('id', 'in', [...members])
          .orderBy('id')
          .forUpdate()
          .execute();
      }
      const busy = await trx
        .selectFrom('members')
        .innerJoin('conversations', 'conversations.id', 'members.conversation_id')
        .select('members.account_id')
        .where('members.account_id', 'in', [...members])
        .where('conversations.kind', '=', 'match')
        .where('conversations.active', '=', 1)
        .where('conversations.expires_at', '>', at)
        .limit(1)
        .executeTakeFirst();
      if (busy) return undefined;
      return insertConversation(
        trx,
        conversation,
        members.map((accountId) => ({ accountId, role: 'member' as const })),
      );
    });
  }

  async grade(
    conversationId: number,
    accountId: number,
    grade: string,
    at: string,
  ): Promise<{ recorded: boolean; grades: Map<number, string> }> {
    return this.db.transaction().execute(async (trx) => {
      // Both partners grading at once must not each miss the other's grade.
      await this.lockConversation(trx, conversationId);
      const inserted = await trx
        .insertInto('match_grades')
        .values({ conversation_id: conversationId, account_id: accountId, grade, graded_at: at })
        .onConflict((oc) => oc.columns(['conversation_id', 'account_id']).doNothing())
        .returning('account_id')
        .executeTakeFirst();
      const rows = await trx
        .selectFrom('match_grades')
        .select(['account_id', 'grade'])
        .where('conversation_id', '=', conversationId)
        .execute();
      return {
        recorded: inserted !== undefined,
        grades: new Map(rows.map((row) => [Number(row.account_id), row.grade])),
      };
    });
  }

  /** Serializes changes to one conversation's members on PostgreSQL (SQLite writes one at a time). */
  private async lockConversation(trx: Transaction<Database>, conversationId: number): Promise<void> {
    if (this.engine !== 'postgres') return;
    await trx.selectFrom('conversations').select('id').where('id', '=', conversationId).forUpdate().execute();
  }
}

async function insertConversation(
  trx: Transaction<Database>,
  conversation: NewConversation,
  members: readonly NewMember[],
): Promise<ConversationRecord> {
  const row = await trx
    .insertInto('conversations')
    .values(conversationRow(conversation))
    .returningAll()
    .executeTakeFirstOrThrow();
  const unique = new Map(members.map((m) => [m.accountId, m]));
  if (unique.size > 0) {
    await trx
      .insertInto('members')
      .values([...unique.values()].map((m) => memberRow(Number(row.id), m, conversation.createdAt)))
      .execute();
  }
  return toConversation(row);
}

function memberRow(conversationId: number, member: NewMember, joinedAt: string) {
  return {
    conversation_id: conversationId,
    account_id: member.accountId,
    role: member.role,
    joined_at: joinedAt,
    last_received_at: joinedAt,
    last_seen_at: joinedAt,
  };
}

async function setMemberRole(
  trx: Transaction<Database>,
  conversationId: number,
  accountId: number,
  role: MemberRole,
): Promise<void> {
  await trx
    .updateTable('members')
    .set({ role })
    .where('conversation_id', '=', conversationId)
    .where('account_id', '=', accountId)
    .execute();
}
