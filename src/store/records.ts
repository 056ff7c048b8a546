// What the store hands back: plain records, one per row, with the core's names.
// Instants are UTC ISO-8601 text with six fractional digits (see core/time.ts).

export type ConversationKind = 'dialogue' | 'group' | 'match' | 'room';
export type MemberRole = 'admin' | 'member';

/** An account as the server holds and hands around: all but its password hash. */
export interface AccountRecord {
  id: number;
  email: string;
  username: string;
  phone: string | null;
  firstName: string;
  lastName: string;
  photo: string | null;
  role: string;
  year: number | null;
  createdAt: string;
}

/** An account as stored, with the password hash only log-in reads. */
export interface StoredAccount extends AccountRecord {
  passwordHash: string;
}

export type NewAccount = Omit<StoredAccount, 'id'>;

export interface TokenRecord {
  keyHash: string;
  accountId: number;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ConversationRecord {
  id: number;
  kind: ConversationKind;
  key: string | null;
  /** Dialogues only: the two account ids, lower first, so that a pair has one dialogue. */
  pairKey: string | null;
  name: string | null;
  description: string | null;
  avatar: string | null;
  createdBy: number | null;
  active: boolean;
  expiresAt: string | null;
  createdAt: string;
}

export type NewConversation = Omit<ConversationRecord, 'id'>;

export interface MemberRecord {
  conversationId: number;
  accountId: number;
  role: MemberRole;
  joinedAt: string;
  lastReceivedAt: string | null;
  lastSeenAt: string | null;
}

export interface MessageRecord {
  id: number;
  conversationId: number;
  senderId: number;
  body: string;
  type: string;
  /** The client's timestamp exactly as sent (the phone dialect acknowledges by it). */
  clientSentAt: string | null;
  /** The client's timestamp read as an instant; equal instants in other formats match it. */
  sentAt: string | null;
  /** A server path such as /media/<key>/<name>. */
  attachment: string | null;
  /** The message this one replies to. */
  parentId: number | null;
  createdAt: string;
  updatedAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  pinnedAt: string | null;
}

export type NewMessage = Pick<
  MessageRecord,
  'conversationId' | 'senderId' | 'body' | 'type' | 'clientSentAt' | 'sentAt' | 'attachment' | 'parentId' | 'createdAt'
>;

/** A message with its parent and its annotations, as history reads them in one query. */
export interface AnnotatedMessage {
  record: MessageRecord;
  /** The message it replies to, when that is still stored. */
  parent: MessageRecord | null;
  /** How many of each reaction, in the order each was first given; undefined when none. */
  reactions: Map<string, number> | undefined;
  /** The accounts it mentions, ascending. */
  mentions: number[];
}

/** An undelivered message with the kind of its conversation. */
export interface PendingMessage extends MessageRecord {
  conversationKind: ConversationKind;
}

export type AccountLookup = 'id' | 'email' | 'username' | 'phone';

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
  /** The position of the change logged with the removal, if one was. */
  position?: number;
}

export type RoleChange = 'changed' | 'unchanged' | 'not_member' | 'last_admin';

export interface ConversationWithMembers {
  conversation: ConversationRecord;
  members: MemberRecord[];
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
  lastMessage: MessageRecord | null;
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

/** What is written with a message, in its transaction. */
/** What a write adds to its conversation's change log (changes.ts): the change as the core's event, in JSON. */
export interface Change {
  conversationId: number;
  event: string;
}

export interface MessageAddressing {
  /** One delivery each, kept until they acknowledge. */
  recipients?: readonly number[];
  mentions?: readonly number[];
  /** Notifications about the message; each gets the message's id. */
  notifications?: ReadonlyArray<Omit<NewNotification, 'messageId'>>;
  /** The uploaded file the message shows: recorded with it, or not at all. */
  attachment?: AttachmentRecord;
  /**
   * The sender's key for this message: a message stored before with the same key, sender and
   * conversation makes this one a repeat, stored and delivered once.
   */
  sendKey?: string;
  /** The change to log in the conversation's change log with the message, given it as stored. */
  change?: (stored: MessageRecord) => Change;
}

export interface StoredMessage {
  message: MessageRecord;
  notifications: NotificationRecord[];
  /**
   * The message was a repeat: nothing was written, `message` is the one stored first (as it was
   * sent, when it was dropped since its delivery).
   */
  repeated: boolean;
  /** The message's position in its conversation's change log, when it was logged. */
  position?: number;
}

export interface DeviceTokenRecord {
  token: string;
  accountId: number;
  deviceType: string;
  createdAt: string;
}

/** Which field a unique constraint protected, when an insert collides. */
/** A write referred to a conversation (or account) deleted meanwhile. */
export class ReferenceGone extends Error {
  constructor() {
    super('a referenced row was deleted meanwhile');
    this.name = 'ReferenceGone';
  }
}

export class UniqueViolation extends Error {
  constructor(readonly field: string) {
    super(`unique violation on ${field}`);
    this.name = 'UniqueViolation';
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  // PostgreSQL: connection exceptions (08xxx) and operator intervention (57P0x).
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03',
  'SQLITE_BUSY',
]);

/** Whether an error means the database could not be reached, rather than a bad request. */
export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message);
}
