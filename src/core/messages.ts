// The one message pipeline, for every kind of conversation: post (with replies, mentions and
// attachments), edit, delete, react, pin, acknowledge, mark read or unread, typing, and reading
// what is pending or kept. What differs by kind is decided by its policy (kinds.ts), never here.
import { setImmediate } from 'node:timers/promises';
import type { Bus } from '../bus/bus.js';
import type { AttachmentFiles } from '../store/attachment-files.js';
import type { AccountRecord, AttachmentRecord, ConversationKind, MessageRecord, NotificationRecord, PendingMessage } from '../store/records.js';
import type { Change } from '../store/changes.js';
import type { Store } from '../store/store.js';
import type { Conversations, Membership } from './conversations.js';
import { coreError, unlessGone } from './errors.js';
import { conversationRef, notificationTopic, participantOf, refOf, type CoreEvent, type MessageChanged, type MessageCreated } from './events.js';
import { logEntry } from './changes.js';
import { KINDS, allows, dropsDelivered, fanOut, logsChanges, type MessageAction } from './kinds.js';
import { FETCH_PAGE_SIZE, REPEAT_WINDOW_SECONDS } from './limits.js';
import { createdEvent, isPinned, MessageViews, type MessageDetail, PIN_LIFETIME_SECONDS } from './message-views.js';
import type { Presence } from './presence.js';
import type { PushWebhook } from './push.js';
import { addSeconds, justBefore, now, parseInstant, type Instant } from './time.js';

export const MAX_BODY_LENGTH = 65_536;
export const REACTIONS = ['Like', 'Cool', 'HaHa', 'Heart', 'Anger', 'Smile', 'Sad'] as const;
export const MESSAGE_TYPES = ['text', 'image', 'file'] as const;
export const MAX_PINS = 3;
export const MAX_MENTIONS = 100;

/** Told of each committed message: its conversation's kind and how many deliveries it made. */
export type MessageStored = (kind: ConversationKind, deliveries: number) => void;

/**
 * How the notification of a mention reads, fixed when it is stored: the dialect's words. Given
 * the conversation's name and who mentioned.
 */
export type MentionNotice = (mention: { roomName: string; by: AccountRecord }) => { eventType: string; body: string };

/**
 * Who acts on which conversation. A dialect that addresses only one kind of conversation (the
 * rooms dialect's ids are rooms) names it: a conversation of another kind is then not found.
 */
export interface Address {
  actor: AccountRecord;
  conversationId: number;
  kind?: ConversationKind;
}

export interface PostInput extends Address {
  body: string;
  type?: string;
  /** The client's own timestamp for the message, as it wrote it (store-and-forward clients). */
  clientSentAt?: string;
  /** The client's id for the message: a post repeating one (same sender and conversation) is that message again. */
  clientId?: string;
  mentions?: readonly number[];
  parentId?: number | null;
  /** An uploaded file already kept under its key: recorded with the message, or not at all. */
  attachment?: { path: string; record: AttachmentRecord };
}

/** A message just stored, or, when `repeated`, the one stored first with the same key. */
export interface Posted {
  detail: MessageDetail;
  event: MessageCreated;
  repeated: boolean;
}

export interface ReceiptInput extends Address {
  /** The timestamp of the message concerned, as the client wrote it. */
  ref: string;
  /** When the client says it happened, as it wrote it. */
  at: string;
}

/** Read up to a message the client names (`ref`, `at`: store-and-forward clients), or up to now. */
export type ReadInput = Address & Partial<Pick<ReceiptInput, 'ref' | 'at'>>;

export interface MessagesDependencies {
  store: Store;
  bus: Bus<CoreEvent>;
  conversations: Conversations;
  views: MessageViews;
  presence: Presence;
  push: PushWebhook;
  files: AttachmentFiles;
  onStored: MessageStored;
  mentionNotice: MentionNotice;
}

export class Messages {
  private readonly store: Store;
  private readonly bus: Bus<CoreEvent>;
  private readonly views: MessageViews;

  constructor(private readonly deps: MessagesDependencies) {
    this.store = deps.store;
    this.bus = deps.bus;
    this.views = deps.views;
  }

  /**
   * Stores the message with what it carries (a delivery per other member where the kind drops
   * delivered messages, its mentions and their notifications, its attachment's record) in one
   * write, then tells the conversation as its kind fans out, the mentioned, and the devices of
   * members who are away. A repeat (the same sender, conversation and client id, or client
   * timestamp, within the repeat window) is neither stored nor told again: the message stored
   * first is returned.
   */
  async post(input: PostInput): Promise<Posted> {
    const parentId = input.parentId ?? null;
    const mentioned = input.mentions ?? [];
    const membership = await this.member(input, 'post');
    const { conversation } = membership;
    if (parentId !== null) this.require(conversation.kind, 'reply');
    if (mentioned.length > 0) this.require(conversation.kind, 'mention');
    if (input.attachment) this.require(conversation.kind, 'attach');
    const type = input.type ?? 'text';
    if (!(MESSAGE_TYPES as readonly string[]).includes(type)) throw coreError('MESSAGE_TYPE_UNKNOWN', { types: MESSAGE_TYPES });
    if (input.body.length > MAX_BODY_LENGTH) throw coreError('MESSAGE_TOO_LONG', { max: MAX_BODY_LENGTH });
    if (mentioned.length > MAX_MENTIONS) throw coreError('TOO_MANY_MENTIONS', { max: MAX_MENTIONS });
    const clientSentAt = input.clientSentAt === undefined ? undefined : requireInstant(input.clientSentAt, 'clientSentAt');
    const parent = parentId === null ? undefined : await this.parentIn(conversation.id, parentId);
    // Only members can be mentioned, each once; other ids are dropped, as the original stored them.
    const mentions = mentioned.length === 0 ? [] : [...new Set(mentioned)].filter((id) => membership.memberIds.includes(id)).sort((a, b) => a - b);
    const recipients = dropsDelivered(conversation.kind) ? otherMembers(membership, input.actor.id) : [];
    const createdAt = now();
    const notice = mentions.length > 0 ? this.deps.mentionNotice({ roomName: conversation.name ?? '', by: input.actor }) : undefined;
    const parentView = parent ? await this.views.parent(parent) : null;
    const detailOf = (message: MessageRecord): MessageDetail => ({
      record: message,
      sender: input.actor,
      body: message.body,
      attachment: message.attachment,
      parent: parentView,
      reactions: undefined,
      mentions,
      pinned: false,
    });
    const stored = await unlessGone(this.store.messages.insert(
      {
        conversationId: conversation.id,
        senderId: input.actor.id,
        body: input.body,
        type,
        clientSentAt: input.clientSentAt ?? null,
        sentAt: clientSentAt ?? createdAt,
        attachment: input.attachment?.path ?? null,
        parentId,
        createdAt,
      },
      {
        recipients,
        mentions,
        notifications: notice
          ? mentions.filter((id) => id !== input.actor.id).map((accountId) => ({ accountId, ...notice, url: null, createdAt }))
          : [],
        attachment: input.attachment?.record,
        // A client that names no id for its message names it by its timestamp: a resend of one
        // not acknowledged to it is the same message again.
        sendKey: input.clientId ?? clientSentAt,
        change: logsChanges(conversation.kind) ? (message) => logEntry(createdEvent(conversation, detailOf(message))) : undefined,
      },
    ));
    const { message } = stored;
    if (stored.repeated) {
      const [first] = await this.views.details([message]);
      if (!first) throw new Error(`message ${message.id} has no detail`);
      return { detail: first, event: createdEvent(conversation, first), repeated: true };
    }
    this.deps.onStored(conversation.kind, recipients.length);
    const detail = detailOf(message);
    const event: MessageCreated = createdEvent(conversation, detail);
    event.position = stored.position;
    await fanOut(this.bus, conversation, recipients, event);
    if (stored.notifications.length > 0) await this.notify(stored.notifications, conversation.id, conversation.kind);
    if (KINDS[conversation.kind].push === 'offline-members') void this.pushToOffline(input.actor, membership, message).catch(this.deps.push.onError);
    return { detail, event, repeated: false };
  }

  /** Forgets the keys of messages sent before the repeat window: returns how many. */
  forgetOldSendKeys(): Promise<number> {
    return this.store.messages.forgetSendKeys(addSeconds(now(), -REPEAT_WINDOW_SECONDS));
  }

  /** The author replaces the text of a live message. */
  async edit(input: Address & { messageId: number; body: string }): Promise<void> {
    const membership = await this.member(input, 'edit');
    if (input.body.length > MAX_BODY_LENGTH) throw coreError('MESSAGE_TOO_LONG', { max: MAX_BODY_LENGTH });
    const message = await this.ownMessage(input);
    const event = { type: 'message.edited', conversation: conversationRef(membership.conversation), messageId: message.id, body: input.body } as const;
    const position = await unlessGone(this.store.messages.edit(message.id, input.body, now(), this.logged(membership, event)));
    await this.changed(membership, { ...event, position });
  }

  /** The author deletes a live message; its file goes with it. */
  async remove(input: Address & { messageId: number }): Promise<void> {
    const membership = await this.member(input, 'delete');
    const message = await this.ownMessage(input);
    const event = { type: 'message.deleted', conversation: conversationRef(membership.conversation), messageId: message.id } as const;
    const position = await unlessGone(this.store.messages.markDeleted(message.id, now(), this.logged(membership, event)));
    await this.dropAttachment(message);
    await this.changed(membership, { ...event, position });
  }

  /** Toggles the actor's reaction; returns the message's counts afterwards. */
  async react(input: Address & { messageId: number; reaction: string }): Promise<Record<string, number>> {
    const membership = await this.member(input, 'react');
    if (!(REACTIONS as readonly string[]).includes(input.reaction)) throw coreError('REACTION_UNKNOWN', { reactions: REACTIONS });
    const message = await this.liveMessage(input);
    const reacted = (counts: Map<string, number>) =>
      ({ type: 'message.reacted', conversation: conversationRef(membership.conversation), messageId: message.id, reactions: Object.fromEntries(counts) }) as const;
    // The counts are read in the reaction's transaction, so the logged change is what it made.
    const toggled = await unlessGone(
      this.store.annotations.toggleReaction(message.id, input.actor.id, input.reaction, now(), (counts) => logEntry(reacted(counts))),
    );
    const event = reacted(toggled.reactions);
    await this.changed(membership, { ...event, position: toggled.position });
    return event.reactions;
  }

  /** Pins (at most MAX_PINS live pins per conversation; pins expire) or unpins a message. */
  async pin(input: Address & { messageId: number; pin: boolean }): Promise<string | null> {
    const membership = await this.member(input, 'pin');
    const message = await this.liveMessage(input);
    const at = now();
    const pinned = (pinnedAt: string | null) =>
      ({ type: 'message.pinned', conversation: conversationRef(membership.conversation), messageId: message.id, pinnedAt }) as const;
    let position: number | undefined;
    if (input.pin) {
      if (isPinned(message, at)) return message.pinnedAt;
      const window = { since: addSeconds(at, -PIN_LIFETIME_SECONDS), max: MAX_PINS };
      const pinning = await unlessGone(this.store.annotations.pin(message.conversationId, message.id, at, window, this.logged(membership, pinned(at))));
      if (pinning.pinnedAt === 'full') throw coreError('PIN_LIMIT', { max: MAX_PINS });
      // Pinned by a concurrent request in the meantime: that one told the conversation.
      if (pinning.pinnedAt !== at) return pinning.pinnedAt;
      position = pinning.position;
    } else {
      position = await unlessGone(this.store.annotations.setPinned(message.id, null, this.logged(membership, pinned(null))));
    }
    const event = pinned(input.pin ? at : null);
    await this.changed(membership, { ...event, position });
    return event.pinnedAt;
  }

  /**
   * The actor acknowledges the message sent at `ref`: its delivery is removed (the message too
   * when nobody else is waiting for it and its kind drops delivered messages) and the actor's
   * received-marker moves to `at`, in one write; then the kind's receipt audience is told.
   * Returns false when no message sent at that instant was pending for the actor.
   */
  async acknowledge(input: ReceiptInput): Promise<boolean> {
    const membership = await this.member(input, 'acknowledge');
    const sentAt = requireInstant(input.ref, 'ref');
    const at = requireInstant(input.at, 'at');
    const message = await this.store.messages.acknowledge({
      conversationId: membership.conversation.id,
      recipientId: input.actor.id,
      sentAt,
      dropWhenDelivered: dropsDelivered(membership.conversation.kind),
      receivedAt: at,
    });
    if (!message) return false;
    await this.receipt('received', membership, input, message.senderId);
    return true;
  }

  /** The actor has read the conversation up to `ref` (or everything, up to now): the read-marker moves and the kind's receipt audience is told. */
  async markRead(input: ReadInput): Promise<void> {
    const membership = await this.member(input, 'markRead');
    const at = input.at === undefined ? now() : requireInstant(input.at, 'at');
    await this.store.conversations.setMarker(membership.conversation.id, input.actor.id, 'lastSeenAt', at);
    if (input.ref !== undefined && input.at !== undefined) await this.receipt('read', membership, { ...input, ref: input.ref, at: input.at });
  }

  /** Moves the actor's read marker back to just before the message: it and what follows are unread again. */
  async markUnread(input: Address & { messageId: number }): Promise<void> {
    const membership = await this.member(input, 'markRead');
    const message = await this.store.messages.find(input.messageId);
    if (!message || message.conversationId !== membership.conversation.id) throw coreError('MESSAGE_NOT_FOUND');
    await this.store.conversations.setMarker(message.conversationId, input.actor.id, 'lastSeenAt', justBefore(message.createdAt as Instant));
  }

  /** Tells the other members that the actor started (or stopped) typing. Never touches the store. */
  async typing(input: Address & { typing?: boolean; at?: string }): Promise<void> {
    const membership = await this.member(input, 'typing');
    const event: CoreEvent = {
      type: 'typing',
      conversation: conversationRef(membership.conversation),
      by: participantOf(input.actor),
      at: input.at ?? now(),
      typing: input.typing ?? true,
    };
    await fanOut(this.bus, membership.conversation, otherMembers(membership, input.actor.id), event);
  }

  /**
   * Messages still waiting for the account's acknowledgement, oldest first, a bounded page at a
   * time (see FETCH_PAGE_SIZE): the caller renders and sends one page before the next is read.
   * Each page is read in a turn of the event loop of its own: SQLite answers synchronously, so
   * without the pause a whole fetch would hold the loop from its first page to its last.
   */
  async *pending(account: AccountRecord, kinds: readonly ConversationKind[]): AsyncGenerator<PendingMessage[]> {
    let after = 0;
    for (;;) {
      const { messages, next } = await this.store.messages.pendingPage(account.id, kinds, after, FETCH_PAGE_SIZE);
      if (messages.length > 0) yield messages;
      if (next === null) return;
      after = next;
      await setImmediate();
    }
  }

  /** One page of a conversation's kept history, newest first. */
  async history(input: Address & { offset: number; limit: number }): Promise<{ count: number; messages: MessageDetail[] }> {
    const membership = await this.member(input, 'post');
    if (KINDS[membership.conversation.kind].retention !== 'history') throw coreError('CONVERSATION_NOT_FOUND');
    const { count, messages } = await this.store.messages.history(membership.conversation.id, input.offset, input.limit);
    return { count, messages: await this.views.present(messages) };
  }

  /**
   * The actor's membership. Refused as not found when the conversation does not exist, is not of
   * the kind the dialect addresses, does not take the action, or has closed; then as not a member.
   */
  async member(input: Address, action: MessageAction): Promise<Membership> {
    const membership = await this.deps.conversations.membership(input.conversationId);
    const kind = membership?.conversation.kind;
    if (
      !membership ||
      kind === undefined ||
      (input.kind !== undefined && kind !== input.kind) ||
      !allows(kind, action) ||
      (KINDS[kind].closes && !membership.conversation.active)
    ) {
      throw coreError('CONVERSATION_NOT_FOUND');
    }
    if (!membership.memberIds.includes(input.actor.id)) throw coreError('NOT_A_MEMBER');
    return membership;
  }

  private require(kind: ConversationKind, action: MessageAction): void {
    if (!allows(kind, action)) throw coreError('CONVERSATION_NOT_FOUND');
  }

  /** The change-log entry of an event, in kinds that keep a change log (kinds.ts logsChanges). */
  private logged(membership: Membership, event: MessageChanged): Change | undefined {
    return logsChanges(membership.conversation.kind) ? logEntry(event) : undefined;
  }

  private async changed(membership: Membership, event: MessageChanged): Promise<void> {
    await fanOut(this.bus, membership.conversation, membership.memberIds, event);
  }

  private async receipt(receipt: 'received' | 'read', membership: Membership, input: ReceiptInput, senderId?: number): Promise<void> {
    const audience = KINDS[membership.conversation.kind].receipts;
    if (audience === 'none') return;
    const recipients = audience === 'sender' && senderId !== undefined ? [senderId] : otherMembers(membership, input.actor.id);
    await fanOut(this.bus, membership.conversation, recipients, {
      type: 'receipt',
      receipt,
      conversation: conversationRef(membership.conversation),
      by: refOf(input.actor),
      ref: input.ref,
      at: input.at,
    });
  }

  /** Tells each mentioned member, on their notifications topic. */
  private async notify(notifications: readonly NotificationRecord[], conversationId: number, kind: ConversationKind): Promise<void> {
    await Promise.all(
      notifications.map((n) =>
        this.bus.publish(notificationTopic(n.accountId), {
          type: 'notification',
          conversation: { id: conversationId, kind },
          notification: { id: n.id, eventType: n.eventType, body: n.body, url: n.url, createdAt: n.createdAt },
        }),
      ),
    );
  }

  /** Pushes a stored message to the registered devices of members with no live socket. */
  private async pushToOffline(actor: AccountRecord, membership: Membership, record: MessageRecord): Promise<void> {
    const { push, presence } = this.deps;
    if (!push.enabled) return;
    const statuses = await presence.statuses(otherMembers(membership, actor.id));
    const offline = [...statuses].filter(([, status]) => !status.active).map(([id]) => id);
    const devices = await this.store.notifications.deviceTokens(offline);
    await push.send({
      conversation: { id: membership.conversation.id, name: membership.conversation.name ?? '' },
      message: { id: record.id, body: record.body, type: record.type, hasAttachment: record.attachment !== null },
      devices: devices.map((d) => ({ token: d.token, deviceType: d.deviceType, accountId: d.accountId })),
    });
  }

  /** The file of a deleted message goes with it: its URL is not found from then on. */
  private async dropAttachment(message: MessageRecord): Promise<void> {
    const key = message.attachment === null ? undefined : MEDIA_PATH.exec(message.attachment)?.[1];
    if (key === undefined) return;
    const record = await this.store.attachments.find(key);
    if (record?.conversationId !== message.conversationId) return;
    await this.deps.files.remove(key);
    await this.store.attachments.delete(key);
  }

  /** The parent must be a message of the same conversation; others are reported as missing. */
  private async parentIn(conversationId: number, parentId: number): Promise<MessageRecord> {
    const parent = await this.store.messages.find(parentId);
    if (!parent || parent.conversationId !== conversationId) throw coreError('PARENT_NOT_FOUND');
    return parent;
  }

  /** A message of this conversation that is not deleted; messages of others are reported as missing. */
  private async liveMessage(input: Address & { messageId: number }): Promise<MessageRecord> {
    const message = await this.store.messages.find(input.messageId);
    if (!message || message.conversationId !== input.conversationId) throw coreError('MESSAGE_NOT_FOUND');
    if (message.deletedAt !== null) throw coreError('MESSAGE_DELETED');
    return message;
  }

  private async ownMessage(input: Address & { messageId: number }): Promise<MessageRecord> {
    const message = await this.liveMessage(input);
    if (message.senderId !== input.actor.id) throw coreError('NOT_AUTHOR');
    return message;
  }
}

/** Where an uploaded file is served; the key in it names the file. */
export const MEDIA_PATH = /^\/media\/([0-9a-f]{32})\//;

export function mediaPath(key: string, fileName: string): string {
  return `/media/${key}/${encodeURIComponent(fileName)}`;
}

function otherMembers(membership: Membership, accountId: number): number[] {
  return membership.memberIds.filter((id) => id !== accountId);
}

function requireInstant(text: string, field: string): Instant {
  const instant = parseInstant(text);
  if (!instant) throw coreError('INSTANT_INVALID', { field });
  return instant;
}
