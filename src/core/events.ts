// What the core tells the rest of the system. Events travel over the bus, so they are plain
// JSON: no Dates, no Maps, no class instances.
import type { AccountRecord, ConversationKind, ConversationRecord } from '../store/records.js';

export interface AccountRef {
  id: number;
  phone: string | null;
  username: string;
}

export interface ConversationRef {
  id: number;
  kind: ConversationKind;
  /** The group key, for groups. */
  key?: string | null;
}

/** Who wrote or did something, with what each dialect shows of them. */
export interface Participant extends AccountRef {
  firstName: string;
  lastName: string;
  photo: string | null;
  role: string;
}

/** A message was stored, whatever the kind of its conversation. */
export interface MessageCreated {
  type: 'message.created';
  conversation: ConversationRef;
  sender: Participant;
  message: {
    id: number;
    body: string;
    type: string;
    /** The client's timestamp as it wrote it, and read as an instant (store-and-forward kinds). */
    clientSentAt: string | null;
    sentAt: string | null;
    /** A server path such as /media/<key>/<name>. */
    attachment: string | null;
    parent: { id: number; body: string; createdAt: string; sender: Participant } | null;
    createdAt: string;
  };
  /** Where the change sits in its conversation's change log, in kinds that keep one (see changes.ts). */
  position?: number;
}

/** What happened to a stored message afterwards, whatever the kind of its conversation. */
export type MessageChanged =
  | { type: 'message.edited'; conversation: ConversationRef; messageId: number; body: string; position?: number }
  | { type: 'message.reacted'; conversation: ConversationRef; messageId: number; reactions: Record<string, number>; position?: number }
  | { type: 'message.deleted'; conversation: ConversationRef; messageId: number; position?: number }
  | { type: 'message.pinned'; conversation: ConversationRef; messageId: number; pinnedAt: string | null; position?: number };

/** A member acknowledged (received) or read messages of a conversation. */
export interface ReceiptEvent {
  type: 'receipt';
  receipt: 'received' | 'read';
  conversation: ConversationRef;
  by: AccountRef;
  /** The acknowledged message's timestamp, as the acknowledging client wrote it. */
  ref: string;
  /** When the client says it acknowledged, as it wrote it. */
  at: string;
}

export interface TypingEvent {
  type: 'typing';
  conversation: ConversationRef;
  by: Participant;
  /** When, as the client wrote it, or the server's instant. */
  at: string;
  /** Started (true) or stopped. */
  typing: boolean;
}

/** A conversation was created or deleted by an actor; sent to the other members. */
export interface ConversationEvent {
  type: 'conversation.opened' | 'conversation.closed';
  conversation: ConversationRef;
  actor: AccountRef;
  at: string;
}

export type GroupChange = 'create' | 'add' | 'remove' | 'promote' | 'demote' | 'leave' | 'delete';

/** A group was created, changed its members or roles, or was deleted; sent to the members concerned. */
export interface GroupEvent {
  type: 'group.changed';
  conversation: ConversationRef;
  change: GroupChange;
  actor: AccountRef;
  /** The member the change is about (added, removed, promoted, demoted), if any. */
  target: AccountRef | null;
  at: string;
}

export type MatchChange = 'create' | 'end' | 'grade' | 'replace' | 'delete';

/** A match room was opened, ended, graded, replaced by a dialogue or deleted; sent to both partners. */
export interface MatchEvent {
  type: 'match.changed';
  conversation: ConversationRef;
  change: MatchChange;
  actor: AccountRef;
  /** The actor's partner in the room. */
  partner: AccountRef;
  at: string;
}

/** Someone became or stopped being a member, or the room went away (deleted or deactivated). */
export type RoomMembershipEvent =
  | { type: 'room.joined'; conversation: ConversationRef; accountId: number; position?: number }
  | { type: 'room.left'; conversation: ConversationRef; accountId: number; position?: number }
  | { type: 'room.closed'; conversation: ConversationRef };

/** The events a conversation's change log holds (see changes.ts). */
export type LoggedEvent = MessageCreated | MessageChanged | Extract<RoomMembershipEvent, { type: 'room.joined' | 'room.left' }>;

/** A notification for one account (a mention), published on its notifications topic. */
export interface NotificationCreated {
  type: 'notification';
  conversation: ConversationRef;
  notification: { id: number; eventType: string; body: string; url: string | null; createdAt: string };
}

export type DeliveryEvent =
  | MessageCreated
  | ReceiptEvent
  | TypingEvent
  | ConversationEvent
  | GroupEvent
  | MatchEvent
  | MessageChanged
  | RoomMembershipEvent
  | NotificationCreated;

/** Tells every process to drop what it cached about a conversation, a token or an account. */
export type InvalidationEvent =
  | { type: 'invalidate.conversation'; id: number; pairKey: string | null }
  | { type: 'invalidate.token'; keyHash: string }
  | { type: 'invalidate.account'; id: number };

export type CoreEvent = DeliveryEvent | InvalidationEvent;

export function isDeliveryEvent(event: CoreEvent): event is DeliveryEvent {
  return !event.type.startsWith('invalidate.');
}

/** The topic of everything addressed to one account. */
export const accountTopic = (accountId: number): string => `account:${accountId}`;
export const INVALIDATION_TOPIC = 'invalidate';
/** The topic of everything that happens in one conversation (rooms publish there once). */
export const conversationTopic = (conversationId: number): string => `conversation:${conversationId}`;
/** The topic of one account's notifications. */
export const notificationTopic = (accountId: number): string => `notifications:${accountId}`;

export function conversationRef(conversation: ConversationRecord): ConversationRef {
  return conversation.key === null
    ? { id: conversation.id, kind: conversation.kind }
    : { id: conversation.id, kind: conversation.kind, key: conversation.key };
}

export function refOf(account: { id: number; phone: string | null; username: string }): AccountRef {
  return { id: account.id, phone: account.phone, username: account.username };
}

export function participantOf(account: AccountRecord): Participant {
  // A literal, not a spread of refOf's: one is built per message.
  return {
    id: account.id,
    phone: account.phone,
    username: account.username,
    firstName: account.firstName,
    lastName: account.lastName,
    photo: account.photo,
    role: account.role,
  };
}
