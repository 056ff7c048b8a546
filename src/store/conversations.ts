// Conversations of every kind and their members, with the members' read and received markers.
// Members rows are written through rows.ts' memberRows only.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import { appendChange, type Change } from './changes.js';
import { Statement } from './statements.js';
import {
  UniqueViolation,
  type ConversationKind,
  type ConversationRecord,
  type ConversationWithMembers,
  type MemberRecord,
  type MemberRole,
  type NewConversation,
  type NewMember,
  type NewRoom,
  type ReadState,
  type Removal,
  type RoleChange,
  type RoomPatch,
  type RoomRow,
} from './records.js';
import type { GroupCommit } from './group-commit.js';
import { conversationRow, memberRows, toConversation, toMember, toMessage, toRoomRow, uniqueViolation } from './rows.js';

const CONVERSATION_COLUMNS = { id: 'id', pairKey: 'pair_key', key: 'key' } as const;

type ConversationRef = Pick<ConversationRecord, 'id' | 'kind'>;

/** A change made on an account's behalf only while it is an admin of the conversation. */
export interface AdminGuard {
  byAdmin: number;
}

export interface ConversationStore {
  /**
   * Creates the conversation with its members unless one with the same pairKey exists, in which
   * case that one is returned. Safe against a concurrent call for the same pair.
   */
  openPair(
    conversation: NewConversation & { pairKey: string },
    members: readonly number[],
  ): Promise<{ conversation: ConversationRecord; created: boolean }>;
  /** Creates the conversation and its members at once. Throws UniqueViolation('key') on a taken key. */
  create(conversation: NewConversation, members: readonly NewMember[]): Promise<ConversationRecord>;
  /** Creates the room with its members in one transaction; UniqueViolation('name') on a taken name. */
  createRoom(room: NewRoom, members: readonly NewMember[]): Promise<ConversationRecord>;
  /**
   * Opens a match between the members unless one of them is in a match that is active and
   * not expired at `at`; undefined then. Safe against concurrent calls for the same accounts.
   */
  openMatch(conversation: NewConversation, members: readonly number[], at: string): Promise<ConversationRecord | undefined>;
  find(by: 'id' | 'pairKey' | 'key', value: string | number): Promise<ConversationRecord | undefined>;
  findRoom(id: number): Promise<RoomRow | undefined>;
  /** Rooms the account is a member of, optionally only active ones or those matching `query`. */
  listRooms(filter: { memberId: number; activeOnly: boolean; query?: string }): Promise<RoomRow[]>;
  /** The account's conversations of one kind with all their members, newest first. */
  of(accountId: number, kind: ConversationKind): Promise<ConversationWithMembers[]>;
  update(id: number, changes: Partial<Pick<ConversationRecord, 'name' | 'description' | 'active'>>): Promise<void>;
  updateRoom(id: number, patch: RoomPatch): Promise<void>;
  /**
   * Deletes the conversation with everything in it; returns how many messages each sender lost.
   * With `byAdmin`, only while that account is an admin there, checked in the deleting transaction.
   */
  delete(id: number): Promise<Map<number, number>>;
  delete(id: number, guard: AdminGuard): Promise<Map<number, number> | 'not_admin'>;

  listMembers(conversationId: number): Promise<MemberRecord[]>;
  /**
   * Adds a member unless already one, or unless the conversation already holds `capacity`.
   * The admin checks of these member changes (`guard`) are made inside their transaction, so a
   * request that raced its actor's demotion cannot act on the rights it had before.
   */
  addMember(conversation: ConversationRef, member: NewMember, joinedAt: string, capacity: number, guard?: AdminGuard): Promise<'added' | 'member' | 'full' | 'not_admin'>;
  /**
   * Adds those that are not members yet; with `change`, logs one change per account added, in
   * the same transaction. Answers the accounts added, with their change's position.
   */
  addMembers(
    conversation: ConversationRef,
    members: readonly NewMember[],
    at: string,
    change?: (accountId: number) => Change,
  ): Promise<Array<{ accountId: number; position: number | undefined }>>;
  /**
   * Removes the member with their pending deliveries there; when `dropUndelivered`, messages
   * nobody waits for any more go too. When no admin remains the longest-standing member becomes
   * admin; when nobody remains the conversation is deleted.
   */
  removeMember(conversationId: number, accountId: number, dropUndelivered: boolean): Promise<Removal>;
  removeMember(conversationId: number, accountId: number, dropUndelivered: boolean, guard: AdminGuard): Promise<Removal | 'not_admin'>;
  /** As above, logging `change` in the same transaction when the member was removed (its position in `position`). */
  removeMember(conversationId: number, accountId: number, dropUndelivered: boolean, guard: undefined, change: Change): Promise<Removal>;
  /** Changes a member's role; never takes the role of the last admin away. */
  setRole(conversationId: number, accountId: number, role: MemberRole, guard?: AdminGuard): Promise<RoleChange | 'not_admin'>;
  setMarker(conversationId: number, accountId: number, marker: 'lastReceivedAt' | 'lastSeenAt', at: string): Promise<void>;
  /** The member's read marker, unread count, last read and last message in the conversation. */
  readState(conversationId: number, accountId: number): Promise<ReadState>;
  /** Those of `candidates` that are members of a conversation of one of `kinds` with `accountId`. */
  membersWith(accountId: number, candidates: readonly number[], kinds: readonly ConversationKind[]): Promise<number[]>;
  /** Records the account's grade unless it graded already; returns every grade given so far. */
  grade(conversationId: number, accountId: number, grade: string, at: string): Promise<{ recorded: boolean; grades: Map<number, string> }>;
}

export class SqlConversationStore implements ConversationStore {
  constructor(
    private readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
    private readonly writes: GroupCommit<Database>,
  ) {
    this.markers = { received: markerStatement(db, 'last_received_at'), seen: markerStatement(db, 'last_seen_at') };
  }

  /** The marker writes of every acknowledgement and read, compiled once (see statements.ts). */
  private readonly markers: Record<'received' | 'seen', Statement<[at: string, conversationId: number, accountId: number], unknown>>;

  async openPair(
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
      const record = toConversation(inserted);
      await insertMembers(trx, record, members.map((accountId) => ({ accountId, role: 'member' as const })), conversation.createdAt);
      return { conversation: record, created: true };
    });
  }

  async create(conversation: NewConversation, members: readonly NewMember[]): Promise<ConversationRecord> {
    try {
      return await this.db.transaction().execute((trx) => insertConversation(trx, conversation, members));
    } catch (error) {
      throw uniqueViolation(error) ?? error;
    }
  }

  async createRoom(room: NewRoom, members: readonly NewMember[]): Promise<ConversationRecord> {
    const conversation: NewConversation = {
      kind: 'room',
      key: null,
      pairKey: null,
      name: room.name,
      description: room.description,
      avatar: room.avatar,
      createdBy: room.createdBy,
      active: room.active,
      expiresAt: null,
      createdAt: room.createdAt,
    };
    try {
      return await this.db.transaction().execute((trx) => insertConversation(trx, conversation, members));
    } catch (error) {
      // A room's only unique column is its name.
      throw uniqueViolation(error) ? new UniqueViolation('name') : error;
    }
  }

  async openMatch(conversation: NewConversation, members: readonly number[], at: string): Promise<ConversationRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      if (this.engine === 'postgres') {
        // Two pairings involving the same account must not both see it free.
        await trx.selectFrom('accounts').select('id').where('id', 'in', [...members]).orderBy('id').forUpdate().execute();
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

  async find(by: 'id' | 'pairKey' | 'key', value: string | number): Promise<ConversationRecord | undefined> {
    const row = await this.db.selectFrom('conversations').selectAll().where(CONVERSATION_COLUMNS[by], '=', value).executeTakeFirst();
    return row && toConversation(row);
  }

  async findRoom(id: number): Promise<RoomRow | undefined> {
    const row = await this.roomQuery().where('conversations.kind', '=', 'room').where('conversations.id', '=', id).executeTakeFirst();
    return row && toRoomRow(row);
  }

  async listRooms(filter: { memberId: number; activeOnly: boolean; query?: string }): Promise<RoomRow[]> {
    const rows = await this.roomQuery()
      .where('conversations.kind', '=', 'room')
      .where('conversations.id', 'in', (eb) => eb.selectFrom('members').select('conversation_id').where('account_id', '=', filter.memberId))
      .$if(filter.activeOnly, (qb) => qb.where('conversations.active', '=', 1))
      .orderBy('conversations.id')
      .execute();
    const rooms = rows.map(toRoomRow);
    // An account is in few rooms: matching here keeps LIKE escaping differences out of the way.
    const needle = filter.query?.toLowerCase();
    if (needle === undefined) return rooms;
    return rooms.filter((room) => `${room.name ?? ''}\n${room.description ?? ''}`.toLowerCase().includes(needle));
  }

  async of(accountId: number, kind: ConversationKind): Promise<ConversationWithMembers[]> {
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

  async update(id: number, changes: Partial<Pick<ConversationRecord, 'name' | 'description' | 'active'>>): Promise<void> {
    const row: { name?: string | null; description?: string | null; active?: number } = {};
    if (changes.name !== undefined) row.name = changes.name;
    if (changes.description !== undefined) row.description = changes.description;
    if (changes.active !== undefined) row.active = changes.active ? 1 : 0;
    if (Object.keys(row).length === 0) return;
    await this.db.updateTable('conversations').set(row).where('id', '=', id).execute();
  }

  async updateRoom(id: number, patch: RoomPatch): Promise<void> {
    try {
      await this.db
        .updateTable('conversations')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.avatar !== undefined && { avatar: patch.avatar }),
          ...(patch.active !== undefined && { active: patch.active ? 1 : 0 }),
          ...(patch.createdBy !== undefined && { created_by: patch.createdBy }),
          updated_at: patch.updatedAt,
        })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      throw uniqueViolation(error) ? new UniqueViolation('name') : error;
    }
  }

  delete(id: number): Promise<Map<number, number>>;
  delete(id: number, guard: AdminGuard): Promise<Map<number, number> | 'not_admin'>;
  async delete(id: number, guard?: AdminGuard): Promise<Map<number, number> | 'not_admin'> {
    return this.db.transaction().execute(async (trx) => {
      if (guard && !(await this.lock(trx, id, guard))) return 'not_admin';
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
    return listMembers(this.db, conversationId);
  }

  async addMember(
    conversation: ConversationRef,
    member: NewMember,
    joinedAt: string,
    capacity: number,
    guard?: AdminGuard,
  ): Promise<'added' | 'member' | 'full' | 'not_admin'> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await this.lock(trx, conversation.id, guard))) return 'not_admin';
      const members = await trx.selectFrom('members').select('account_id').where('conversation_id', '=', conversation.id).execute();
      if (members.some((m) => Number(m.account_id) === member.accountId)) return 'member';
      if (members.length >= capacity) return 'full';
      await insertMembers(trx, conversation, [member], joinedAt);
      return 'added';
    });
  }

  async addMembers(
    conversation: ConversationRef,
    members: readonly NewMember[],
    at: string,
    change?: (accountId: number) => Change,
  ): Promise<Array<{ accountId: number; position: number | undefined }>> {
    if (members.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .insertInto('members')
        .values(memberRows(conversation.id, conversation.kind, members, at))
        .onConflict((oc) => oc.columns(['conversation_id', 'account_id']).doNothing())
        .returning('account_id')
        .execute();
      const added: Array<{ accountId: number; position: number | undefined }> = [];
      for (const row of rows) {
        const accountId = Number(row.account_id);
        added.push({ accountId, position: change && (await appendChange(trx, this.engine, change(accountId))) });
      }
      return added;
    });
  }

  removeMember(conversationId: number, accountId: number, dropUndelivered: boolean): Promise<Removal>;
  removeMember(conversationId: number, accountId: number, dropUndelivered: boolean, guard: AdminGuard): Promise<Removal | 'not_admin'>;
  removeMember(conversationId: number, accountId: number, dropUndelivered: boolean, guard: undefined, change: Change): Promise<Removal>;
  async removeMember(
    conversationId: number,
    accountId: number,
    dropUndelivered: boolean,
    guard?: AdminGuard,
    change?: Change,
  ): Promise<Removal | 'not_admin'> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await this.lock(trx, conversationId, guard))) return 'not_admin';
      const removed = await trx
        .deleteFrom('members')
        .where('conversation_id', '=', conversationId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return { removed: false, promotedId: null, deleted: false };
      const position = change && (await appendChange(trx, this.engine, change));
      const inConversation = trx.selectFrom('messages').select('id').where('conversation_id', '=', conversationId);
      await trx.deleteFrom('deliveries').where('recipient_id', '=', accountId).where('message_id', 'in', inConversation).execute();
      if (dropUndelivered) {
        await trx
          .deleteFrom('messages')
          .where('conversation_id', '=', conversationId)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('deliveries').select('message_id').whereRef('deliveries.message_id', '=', 'messages.id'))),
          )
          .execute();
      }
      const remaining = await listMembers(trx, conversationId);
      const [longestStanding] = remaining;
      if (!longestStanding) {
        await trx.deleteFrom('conversations').where('id', '=', conversationId).execute();
        return { removed: true, promotedId: null, deleted: true, position };
      }
      if (remaining.some((m) => m.role === 'admin')) return { removed: true, promotedId: null, deleted: false, position };
      await setMemberRole(trx, conversationId, longestStanding.accountId, 'admin');
      return { removed: true, promotedId: longestStanding.accountId, deleted: false, position };
    });
  }

  async setRole(conversationId: number, accountId: number, role: MemberRole, guard?: AdminGuard): Promise<RoleChange | 'not_admin'> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await this.lock(trx, conversationId, guard))) return 'not_admin';
      const members = await listMembers(trx, conversationId);
      const member = members.find((m) => m.accountId === accountId);
      if (!member) return 'not_member';
      if (member.role === role) return 'unchanged';
      if (member.role === 'admin' && members.filter((m) => m.role === 'admin').length === 1) return 'last_admin';
      await setMemberRole(trx, conversationId, accountId, role);
      return 'changed';
    });
  }

  async setMarker(conversationId: number, accountId: number, marker: 'lastReceivedAt' | 'lastSeenAt', at: string): Promise<void> {
    const statement = marker === 'lastReceivedAt' ? this.markers.received : this.markers.seen;
    if (this.engine === 'sqlite') await this.writes.runSync(conversationId, (sqlite) => statement.runNow(sqlite, at, conversationId, accountId));
    else await this.writes.run(conversationId, (trx) => statement.run(trx, at, conversationId, accountId));
  }

  async readState(conversationId: number, accountId: number): Promise<ReadState> {
    const member = await this.db
      .selectFrom('members')
      .select(['last_seen_at', 'joined_at'])
      .where('conversation_id', '=', conversationId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    const lastReadAt = member?.last_seen_at ?? null;
    const unread = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('conversation_id', '=', conversationId)
      .where('sender_id', '!=', accountId)
      .where('deleted_at', 'is', null)
      .$if(lastReadAt !== null, (qb) => qb.where('created_at', '>', lastReadAt ?? ''))
      .executeTakeFirstOrThrow();
    const lastRead =
      lastReadAt === null
        ? undefined
        : await this.db
            .selectFrom('messages')
            .select('id')
            .where('conversation_id', '=', conversationId)
            .where('created_at', '<=', lastReadAt)
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst();
    const last = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return {
      lastReadAt,
      unreadCount: Number(unread.count),
      lastReadMessageId: lastRead ? Number(lastRead.id) : null,
      lastMessage: last ? toMessage(last) : null,
    };
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

  async grade(conversationId: number, accountId: number, grade: string, at: string): Promise<{ recorded: boolean; grades: Map<number, string> }> {
    return this.db.transaction().execute(async (trx) => {
      // Both partners grading at once must not each miss the other's grade.
      await this.lockConversation(trx, conversationId);
      const inserted = await trx
        .insertInto('match_grades')
        .values({ conversation_id: conversationId, account_id: accountId, grade, graded_at: at })
        .onConflict((oc) => oc.columns(['conversation_id', 'account_id']).doNothing())
        .returning('account_id')
        .executeTakeFirst();
      const rows = await trx.selectFrom('match_grades').select(['account_id', 'grade']).where('conversation_id', '=', conversationId).execute();
      return {
        recorded: inserted !== undefined,
        grades: new Map(rows.map((row) => [Number(row.account_id), row.grade])),
      };
    });
  }

  /**
   * Locks the conversation's members for the transaction; false when `guard` names an account
   * that is no admin there. Locked first, the answer holds until the transaction ends: a
   * concurrent demotion waits for it, or it waits for the demotion.
   */
  private async lock(trx: Transaction<Database>, conversationId: number, guard: AdminGuard | undefined): Promise<boolean> {
    await this.lockConversation(trx, conversationId);
    if (!guard) return true;
    const member = await trx
      .selectFrom('members')
      .select('role')
      .where('conversation_id', '=', conversationId)
      .where('account_id', '=', guard.byAdmin)
      .executeTakeFirst();
    return member?.role === 'admin';
  }

  /** Serializes changes to one conversation's members on PostgreSQL (SQLite writes one at a time). */
  private async lockConversation(trx: Transaction<Database>, conversationId: number): Promise<void> {
    if (this.engine !== 'postgres') return;
    await trx.selectFrom('conversations').select('id').where('id', '=', conversationId).forUpdate().execute();
  }

  private roomQuery() {
    return this.db
      .selectFrom('conversations')
      .selectAll('conversations')
      .select((eb) =>
        eb
          .selectFrom('members')
          .select((inner) => inner.fn.countAll<number>().as('n'))
          .whereRef('members.conversation_id', '=', 'conversations.id')
          .as('members_count'),
      );
  }
}

async function insertConversation(trx: Transaction<Database>, conversation: NewConversation, members: readonly NewMember[]): Promise<ConversationRecord> {
  const row = await trx.insertInto('conversations').values(conversationRow(conversation)).returningAll().executeTakeFirstOrThrow();
  const record = toConversation(row);
  await insertMembers(trx, record, members, conversation.createdAt);
  return record;
}

async function insertMembers(trx: Transaction<Database>, conversation: ConversationRef, members: readonly NewMember[], joinedAt: string): Promise<void> {
  if (members.length === 0) return;
  await trx.insertInto('members').values(memberRows(conversation.id, conversation.kind, members, joinedAt)).execute();
}

async function listMembers(db: Kysely<Database>, conversationId: number): Promise<MemberRecord[]> {
  const rows = await db
    .selectFrom('members')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('joined_at')
    .orderBy('account_id')
    .execute();
  return rows.map(toMember);
}

async function setMemberRole(trx: Transaction<Database>, conversationId: number, accountId: number, role: MemberRole): Promise<void> {
  await trx.updateTable('members').set({ role }).where('conversation_id', '=', conversationId).where('account_id', '=', accountId).execute();
}

function markerStatement(db: Kysely<Database>, column: 'last_received_at' | 'last_seen_at'): Statement<[at: string, conversationId: number, accountId: number], unknown> {
  return new Statement(db, 3, (db, at, conversationId, accountId) =>
    db.updateTable('members').set({ [column]: at }).where('conversation_id', '=', conversationId).where('account_id', '=', accountId).compile(),
  );
}
