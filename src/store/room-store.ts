// Persistence of rooms (conversations of kind 'room'): their members and read state, the
// permanent history with replies, edits, soft deletes, pins, reactions and mentions, uploaded
// attachments, notifications and push device tokens.
import type { Kysely, Selectable } from 'kysely';
import { UniqueViolation, type AccountRecord, type ConversationRecord, type MemberRole } from './records.js';
import type { Database, MessagesTable } from './schema.js';
import { toAccount, toConversation, uniqueViolation } from './sql-store.js';

export interface RoomMessageRecord {
  id: number;
  conversationId: number;
  senderId: number;
  body: string;
  type: string;
  attachment: string | null;
  parentId: number | null;
  createdAt: string;
  updatedAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  pinnedAt: string | null;
}

export interface NewRoomMessage {
  conversationId: number;
  senderId: number;
  body: string;
  type: string;
  attachment: string | null;
  parentId: number | null;
  createdAt: string;
}

export interface NewRoom {
  name: string;
  description: string | null;
  avatar: string | null;
  createdBy: number;
  active: boolean;
  createdAt: string;
}

export interface RoomPatch {
  name?: string;
  description?: string | null;
  avatar?: string | null;
  active?: boolean;
  createdBy?: number;
  updatedAt: string;
}

export interface RoomRow extends ConversationRecord {
  updatedAt: string;
  membersCount: number;
}

export interface ReadState {
  lastReadAt: string | null;
  unreadCount: number;
  lastReadMessageId: number | null;
  lastMessage: RoomMessageRecord | null;
}

export interface AttachmentRecord {
  key: string;
  conversationId: number;
  uploaderId: number;
  fileName: string;
  contentType: string;
  size: number;
  createdAt: string;
}

export interface NotificationRecord {
  id: number;
  accountId: number;
  messageId: number | null;
  eventType: string;
  body: string;
  url: string | null;
  isRead: boolean;
  createdAt: string;
}

export type NewNotification = Omit<NotificationRecord, 'id' | 'isRead'>;

export interface DeviceTokenRecord {
  token: string;
  accountId: number;
  deviceType: string;
  createdAt: string;
}

export interface RoomStore {
  /** Creates the room with its members in one transaction; UniqueViolation('name') on a taken name. */
  createRoom(room: NewRoom, members: ReadonlyArray<{ accountId: number; role: MemberRole }>): Promise<ConversationRecord>;
  updateRoom(id: number, patch: RoomPatch): Promise<void>;
  /** Rooms the account is a member of, optionally only active ones or those matching `query`. */
  listRooms(filter: { memberId: number; activeOnly: boolean; query?: string }): Promise<RoomRow[]>;
  findRoom(id: number): Promise<RoomRow | undefined>;
  addMembers(conversationId: number, members: ReadonlyArray<{ accountId: number; role: MemberRole }>, at: string): Promise<void>;
  removeMember(conversationId: number, accountId: number): Promise<void>;
  setMemberRole(conversationId: number, accountId: number, role: MemberRole): Promise<void>;
  readState(conversationId: number, accountId: number): Promise<ReadState>;

  insertMessage(message: NewRoomMessage, mentions: readonly number[]): Promise<RoomMessageRecord>;
  findMessage(id: number): Promise<RoomMessageRecord | undefined>;
  findMessages(ids: readonly number[]): Promise<RoomMessageRecord[]>;
  /** One page of the room's history, newest first, and the total count. */
  history(conversationId: number, offset: number, limit: number): Promise<{ count: number; messages: RoomMessageRecord[] }>;
  editMessage(id: number, body: string, at: string): Promise<void>;
  deleteMessage(id: number, at: string): Promise<void>;
  setPinned(id: number, pinnedAt: string | null): Promise<void>;
  /** Pinned, undeleted messages of the room pinned at or after `since`. */
  countPins(conversationId: number, since: string): Promise<number>;
  /** Adds the reaction, or takes it back when the account already gave it; returns whether it is now on. */
  toggleReaction(messageId: number, accountId: number, name: string, at: string): Promise<boolean>;
  /** Per message: reaction name -> count. */
  reactionCounts(messageIds: readonly number[]): Promise<Map<number, Map<string, number>>>;
  mentions(messageIds: readonly number[]): Promise<Map<number, number[]>>;

  /** Every account, oldest first, for the admin command. */
  listAccounts(): Promise<AccountRecord[]>;
  setAccountRole(accountId: number, role: string): Promise<void>;

  insertAttachment(attachment: AttachmentRecord): Promise<void>;
  findAttachment(key: string): Promise<AttachmentRecord | undefined>;
  deleteAttachment(key: string): Promise<void>;
  /** The keys of every file uploaded to the conversation. */
  attachmentKeys(conversationId: number): Promise<string[]>;

  insertNotifications(notifications: readonly NewNotification[]): Promise<NotificationRecord[]>;
  unreadNotifications(accountId: number): Promise<number>;
  /** Marks the account's notifications read (only those ids, when given); returns how many changed. */
  markNotificationsRead(accountId: number, ids: readonly number[] | undefined): Promise<number>;
  /** Registers the token for the account; a token moves to the account that registers it last. */
  upsertDeviceToken(device: DeviceTokenRecord): Promise<void>;
  deviceTokens(accountIds: readonly number[]): Promise<DeviceTokenRecord[]>;
}

export class SqlRoomStore implements RoomStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createRoom(room: NewRoom, members: ReadonlyArray<{ accountId: number; role: MemberRole }>): Promise<ConversationRecord> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('conversations')
          .values({
            kind: 'room',
            key: null,
            pair_key: null,
            name: room.name,
            description: room.description,
            avatar: room.avatar,
            created_by: room.createdBy,
            active: room.active ? 1 : 0,
            expires_at: null,
            created_at: room.createdAt,
            updated_at: room.createdAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const id = Number(row.id);
        if (members.length > 0) {
          await trx.insertInto('members').values(memberRows(id, members, room.createdAt)).execute();
        }
        return {
          id,
          kind: 'room',
          key: null,
          pairKey: null,
          name: row.name,
          description: row.description,
          avatar: row.avatar,
          createdBy: room.createdBy,
          active: room.active,
          expiresAt: null,
          createdAt: row.created_at,
        };
      });
    } catch (error) {
      throw uniqueName(error) ?? error;
    }
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
      throw uniqueName(error) ?? error;
    }
  }

  async listRooms(filter: { memberId: number; activeOnly: boolean; query?: string }): Promise<RoomRow[]> {
    const rows = await this.roomQuery()
      .where('conversations.kind', '=', 'room')
      .where('conversations.id', 'in', (eb) =>
        eb.selectFrom('members').select('conversation_id').where('account_id', '=', filter.memberId),
      )
      .$if(filter.activeOnly, (qb) => qb.where('conversations.active', '=', 1))
      .orderBy('conversations.id')
      .execute();
    const rooms = rows.map(toRoomRow);
    // An account is in few rooms: matching here keeps LIKE escaping differences out of the way.
    const needle = filter.query?.toLowerCase();
    if (needle === undefined) return rooms;
    return rooms.filter((room) => `${room.name ?? ''}\n${room.description ?? ''}`.toLowerCase().includes(needle));
  }

  async findRoom(id: number): Promise<RoomRow | undefined> {
    const row = await this.roomQuery().where('conversations.kind', '=', 'room').where('conversations.id', '=', id).executeTakeFirst();
    return row && toRoomRow(row);
  }

  async addMembers(conversationId: number, members: ReadonlyArray<{ accountId: number; role: MemberRole }>, at: string): Promise<void> {
    if (members.length === 0) return;
    await this.db
      .insertInto('members')
      .values(memberRows(conversationId, members, at))
      .onConflict((oc) => oc.columns(['conversation_id', 'account_id']).doNothing())
      .execute();
  }

  async removeMember(conversationId: number, accountId: number): Promise<void> {
    await this.db.deleteFrom('members').where('conversation_id', '=', conversationId).where('account_id', '=', accountId).execute();
  }

  async setMemberRole(conversationId: number, accountId: number, role: MemberRole): Promise<void> {
    await this.db
      .updateTable('members')
      .set({ role })
      .where('conversation_id', '=', conversationId)
      .where('account_id', '=', accountId)
      .execute();
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
      lastMessage: last ? toRoomMessage(last) : null,
    };
  }

  async insertMessage(message: NewRoomMessage, mentions: readonly number[]): Promise<RoomMessageRecord> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('messages')
        .values({
          conversation_id: message.conversationId,
          sender_id: message.senderId,
          body: message.body,
          type: message.type,
          client_sent_at: null,
          sent_at: message.createdAt,
          created_at: message.createdAt,
          attachment: message.attachment,
          parent_id: message.parentId,
          updated_at: message.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (mentions.length > 0) {
        await trx
          .insertInto('mentions')
          .values(mentions.map((accountId) => ({ message_id: row.id, account_id: accountId })))
          .execute();
      }
      return toRoomMessage(row);
    });
  }

  async findMessage(id: number): Promise<RoomMessageRecord | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRoomMessage(row);
  }

  async findMessages(ids: readonly number[]): Promise<RoomMessageRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('messages').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return rows.map(toRoomMessage);
  }

  async history(conversationId: number, offset: number, limit: number): Promise<{ count: number; messages: RoomMessageRecord[] }> {
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
    return { count: Number(total.count), messages: rows.map(toRoomMessage) };
  }

  async editMessage(id: number, body: string, at: string): Promise<void> {
    await this.db.updateTable('messages').set({ body, edited_at: at, updated_at: at }).where('id', '=', id).execute();
  }

  async deleteMessage(id: number, at: string): Promise<void> {
    await this.db.updateTable('messages').set({ deleted_at: at, updated_at: at, pinned_at: null }).where('id', '=', id).execute();
  }

  async setPinned(id: number, pinnedAt: string | null): Promise<void> {
    await this.db.updateTable('messages').set({ pinned_at: pinnedAt }).where('id', '=', id).execute();
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

  async listAccounts(): Promise<AccountRecord[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().orderBy('id').execute();
    return rows.map(toAccount);
  }

  async setAccountRole(accountId: number, role: string): Promise<void> {
    await this.db.updateTable('accounts').set({ role }).where('id', '=', accountId).execute();
  }

  async insertAttachment(attachment: AttachmentRecord): Promise<void> {
    await this.db
      .insertInto('attachments')
      .values({
        key: attachment.key,
        conversation_id: attachment.conversationId,
        uploader_id: attachment.uploaderId,
        file_name: attachment.fileName,
        content_type: attachment.contentType,
        size: attachment.size,
        created_at: attachment.createdAt,
      })
      .execute();
  }

  async deleteAttachment(key: string): Promise<void> {
    await this.db.deleteFrom('attachments').where('key', '=', key).execute();
  }

  async attachmentKeys(conversationId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('attachments').select('key').where('conversation_id', '=', conversationId).execute();
    return rows.map((row) => row.key);
  }

  async findAttachment(key: string): Promise<AttachmentRecord | undefined> {
    const row = await this.db.selectFrom('attachments').selectAll().where('key', '=', key).executeTakeFirst();
    return (
      row && {
        key: row.key,
        conversationId: Number(row.conversation_id),
        uploaderId: Number(row.uploader_id),
        fileName: row.file_name,
        contentType: row.content_type,
        size: Number(row.size),
        createdAt: row.created_at,
      }
    );
  }

  async insertNotifications(notifications: readonly NewNotification[]): Promise<NotificationRecord[]> {
    if (notifications.length === 0) return [];
    const rows = await this.db
      .insertInto('notifications')
      .values(
        notifications.map((n) => ({
          account_id: n.accountId,
          message_id: n.messageId,
          event_type: n.eventType,
          body: n.body,
          url: n.url,
          is_read: 0,
          created_at: n.createdAt,
        })),
      )
      .returningAll()
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      accountId: Number(row.account_id),
      messageId: row.message_id === null ? null : Number(row.message_id),
      eventType: row.event_type,
      body: row.body,
      url: row.url,
      isRead: Number(row.is_read) === 1,
      createdAt: row.created_at,
    }));
  }

  async unreadNotifications(accountId: number): Promise<number> {
    const row = await this.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('account_id', '=', accountId)
      .where('is_read', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async markNotificationsRead(accountId: number, ids: readonly number[] | undefined): Promise<number> {
    if (ids !== undefined && ids.length === 0) return 0;
    const result = await this.db
      .updateTable('notifications')
      .set({ is_read: 1 })
      .where('account_id', '=', accountId)
      .where('is_read', '=', 0)
      .$if(ids !== undefined, (qb) => qb.where('id', 'in', [...(ids ?? [])]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async upsertDeviceToken(device: DeviceTokenRecord): Promise<void> {
    await this.db
      .insertInto('device_tokens')
      .values({ token: device.token, account_id: device.accountId, device_type: device.deviceType, created_at: device.createdAt })
      .onConflict((oc) =>
        oc.column('token').doUpdateSet({ account_id: device.accountId, device_type: device.deviceType, created_at: device.createdAt }),
      )
      .execute();
  }

  async deviceTokens(accountIds: readonly number[]): Promise<DeviceTokenRecord[]> {
    if (accountIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('device_tokens')
      .selectAll()
      .where('account_id', 'in', [...new Set(accountIds)])
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({
      token: row.token,
      accountId: Number(row.account_id),
      deviceType: row.device_type,
      createdAt: row.created_at,
    }));
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

function memberRows(conversationId: number, members: ReadonlyArray<{ accountId: number; role: MemberRole }>, at: string) {
  const seen = new Set<number>();
  return members
    .filter((m) => !seen.has(m.accountId) && seen.add(m.accountId))
    .map((m) => ({
      conversation_id: conversationId,
      account_id: m.accountId,
      role: m.role,
      joined_at: at,
      last_received_at: null,
      last_seen_at: null,
    }));
}

function toRoomRow(row: Selectable<Database['conversations']> & { members_count: number | null }): RoomRow {
  return {
    ...toConversation(row),
    kind: 'room',
    updatedAt: row.updated_at ?? row.created_at,
    membersCount: Number(row.members_count ?? 0),
  };
}

function toRoomMessage(row: Selectable<MessagesTable>): RoomMessageRecord {
  return {
    id: Number(row.id),
    conversationId: Number(row.conversation_id),
    senderId: Number(row.sender_id),
    body: row.body,
    type: row.type,
    attachment: row.attachment,
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    createdAt: row.created_at,
    updatedAt: row.updated_at ?? row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    pinnedAt: row.pinned_at,
  };
}

/** A room's only unique column is its name. */
function uniqueName(error: unknown): UniqueViolation | undefined {
  return uniqueViolation(error) && new UniqueViolation('name');
}
