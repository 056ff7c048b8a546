// Rows <-> records, once for the whole store: every aggregate module maps through these.
// Drivers differ (SQLite hands back numbers where pg hands back text for int8 sums), so every
// number is passed through Number() here and nowhere else.
import type { Selectable } from 'kysely';
import type {
  AccountsTable,
  AttachmentsTable,
  ConversationsTable,
  DeviceTokensTable,
  MembersTable,
  MessagesTable,
  NotificationsTable,
  TokensTable,
} from './schema.js';
import {
  UniqueViolation,
  type AttachmentRecord,
  type ConversationKind,
  type ConversationRecord,
  type DeviceTokenRecord,
  type MemberRecord,
  type MemberRole,
  type MessageRecord,
  type NewConversation,
  type NewMember,
  type NotificationRecord,
  type RoomRow,
  type StoredAccount,
  type TokenRecord,
} from './records.js';

export function toAccount(row: Selectable<AccountsTable>): StoredAccount {
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

export function toToken(row: Selectable<TokensTable>): TokenRecord {
  return {
    keyHash: row.key_hash,
    accountId: Number(row.account_id),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
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
    updated_at: c.createdAt,
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

export function toRoomRow(row: Selectable<ConversationsTable> & { members_count: number | null }): RoomRow {
  return {
    ...toConversation(row),
    kind: 'room',
    updatedAt: row.updated_at ?? row.created_at,
    membersCount: Number(row.members_count ?? 0),
  };
}

/**
 * The members rows of a conversation, each account once. The one place members are written:
 * a history kind's member has read nothing yet (markers unset), a store-and-forward member
 * starts caught up at the moment it joined.
 */
export function memberRows(conversationId: number, kind: ConversationKind, members: readonly NewMember[], joinedAt: string) {
  const marker = kind === 'room' ? null : joinedAt;
  const unique = new Map(members.map((m) => [m.accountId, m]));
  return [...unique.values()].map((m) => ({
    conversation_id: conversationId,
    account_id: m.accountId,
    role: m.role,
    joined_at: joinedAt,
    last_received_at: marker,
    last_seen_at: marker,
  }));
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

export function toMessage(row: Selectable<MessagesTable>): MessageRecord {
  return {
    id: Number(row.id),
    conversationId: Number(row.conversation_id),
    senderId: Number(row.sender_id),
    body: row.body,
    type: row.type,
    clientSentAt: row.client_sent_at,
    sentAt: row.sent_at,
    attachment: row.attachment,
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    createdAt: row.created_at,
    updatedAt: row.updated_at ?? row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    pinnedAt: row.pinned_at,
  };
}

export function toAttachment(row: Selectable<AttachmentsTable>): AttachmentRecord {
  return {
    key: row.key,
    conversationId: Number(row.conversation_id),
    uploaderId: Number(row.uploader_id),
    fileName: row.file_name,
    contentType: row.content_type,
    size: Number(row.size),
    createdAt: row.created_at,
  };
}

export function toNotification(row: Selectable<NotificationsTable>): NotificationRecord {
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    messageId: row.message_id === null ? null : Number(row.message_id),
    eventType: row.event_type,
    body: row.body,
    url: row.url,
    isRead: Number(row.is_read) === 1,
    createdAt: row.created_at,
  };
}

export function toDeviceToken(row: Selectable<DeviceTokensTable>): DeviceTokenRecord {
  return { token: row.token, accountId: Number(row.account_id), deviceType: row.device_type, createdAt: row.created_at };
}

/** Recognises a unique-constraint failure from either driver and names the column. */
/** Whether the database refused a write for a foreign key whose row is gone. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

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
