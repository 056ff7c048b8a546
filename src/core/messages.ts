// Messages and their deliveries: send, acknowledge, read, typing, and what is still pending.
import { setImmediate } from 'node:timers/promises';
import type { Bus } from '../bus/bus.js';
import type { AccountRecord, ConversationKind, MessageRecord, PendingMessage } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Conversations, Membership } from './conversations.js';
import { coreError, unlessGone } from './errors.js';
import { KINDS, allows, dropsDelivered, fanOut, type MessageAction } from './kinds.js';
import { FETCH_PAGE_SIZE, REPEAT_WINDOW_SECONDS } from './limits.js';
import { conversationRef, participantOf, refOf, type CoreEvent } from './events.js';
import { addSeconds, now, parseInstant, type Instant } from './time.js';

export const MAX_BODY_LENGTH = 65_536;

/** Told of each committed message: its conversation's kind and how many deliveries it made. */
export type MessageStored = (kind: ConversationKind, deliveries: number) => void;

export interface SendInput {
  actor: AccountRecord;
  conversationId: number;
  body: string;
  type?: string;
  /** The client's own timestamp for the message, as it wrote it. */
  clientSentAt: string;
}

export interface ReceiptInput {
  actor: AccountRecord;
  conversationId: number;
  /** The timestamp of the message concerned, as the client wrote it. */
  ref: string;
  /** When the client says it happened, as it wrote it. */
  at: string;
}

export class Messages {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus<CoreEvent>,
    private readonly conversations: Conversations,
    private readonly onStored: MessageStored,
  ) {}

  /**
   * Persists the message with a delivery per other member, then publishes it to them. A repeat
   * (the same sender, conversation and client timestamp within the repeat window) is neither
   * stored nor published again: the message stored first is returned.
   */
  async send(input: SendInput): Promise<MessageRecord> {
    const membership = await this.member(input, 'post');
    if (input.body.length > MAX_BODY_LENGTH) throw coreError('MESSAGE_TOO_LONG', { max: MAX_BODY_LENGTH });
    const sentAt = requireInstant(input.clientSentAt, 'clientSentAt');
    const recipients = otherMembers(membership, input.actor.id);
    const { message, repeated } = await unlessGone('CONVERSATION_NOT_FOUND', this.store.messages.insert(
      {
        conversationId: membership.conversation.id,
        senderId: input.actor.id,
        body: input.body,
        type: input.type ?? 'text',
        clientSentAt: input.clientSentAt,
        sentAt,
        attachment: null,
        parentId: null,
        createdAt: now(),
      },
      // The client's timestamp is its key for the message: a resend of one not acknowledged to it
      // (its msg_sent lost) is the same message again.
      { recipients, mentions: [], sendKey: sentAt },
    ));
    if (repeated) return message;
    this.onStored(membership.conversation.kind, recipients.length);
    const event: CoreEvent = {
      type: 'message.created',
      conversation: conversationRef(membership.conversation),
      sender: participantOf(input.actor),
      message: {
        id: message.id,
        body: message.body,
        type: message.type,
        clientSentAt: message.clientSentAt,
        sentAt: message.sentAt,
        attachment: null,
        parent: null,
        createdAt: message.createdAt,
      },
    };
    await fanOut(this.bus, membership.conversation, recipients, event);
    return message;
  }

  /** Forgets the keys of messages sent before the repeat window: returns how many. */
  forgetOldSendKeys(): Promise<number> {
    return this.store.messages.forgetSendKeys(addSeconds(now(), -REPEAT_WINDOW_SECONDS));
  }

  /**
   * The actor acknowledges the message sent at `ref`: its delivery is removed (the message too
   * when nobody else is waiting for it and its kind drops delivered messages), the actor's
   * received-marker moves to `at`, and the sender is told. Returns false when no message sent
   * at that instant was pending for the actor.
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
    const audience = KINDS[membership.conversation.kind].receipts === 'members' ? otherMembers(membership, input.actor.id) : [message.senderId];
    const event = this.receipt('received', membership, input);
    await fanOut(this.bus, membership.conversation, audience, event);
    return true;
  }

  /** The actor has read the conversation up to `ref`: the read-marker moves and the others are told. */
  async markRead(input: ReceiptInput): Promise<void> {
    const membership = await this.member(input, 'markRead');
    const at = requireInstant(input.at, 'at');
    await this.store.conversations.setMarker(membership.conversation.id, input.actor.id, 'lastSeenAt', at);
    const event = this.receipt('read', membership, input);
    await fanOut(this.bus, membership.conversation, otherMembers(membership, input.actor.id), event);
  }

  /** Tells the other members that the actor is typing. Never touches the store. */
  async typing(input: { actor: AccountRecord; conversationId: number; at: string }): Promise<void> {
    const membership = await this.member(input, 'typing');
    const event: CoreEvent = {
      type: 'typing',
      conversation: conversationRef(membership.conversation),
      by: participantOf(input.actor),
      at: input.at,
      typing: true,
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

  /** The actor's membership, refused as missing when the conversation's kind does not take the action. */
  private async member(input: { actor: AccountRecord; conversationId: number }, action: MessageAction): Promise<Membership> {
    const membership = await this.conversations.requireMember(input.conversationId, input.actor.id);
    if (!allows(membership.conversation.kind, action)) throw coreError('CONVERSATION_NOT_FOUND');
    return membership;
  }

  private receipt(receipt: 'received' | 'read', membership: Membership, input: ReceiptInput): CoreEvent {
    return {
      type: 'receipt',
      receipt,
      conversation: conversationRef(membership.conversation),
      by: refOf(input.actor),
      ref: input.ref,
      at: input.at,
    };
  }
}

function otherMembers(membership: Membership, accountId: number): number[] {
  return membership.memberIds.filter((id) => id !== accountId);
}

function requireInstant(text: string, field: string): Instant {
  const instant = parseInstant(text);
  if (!instant) throw coreError('INSTANT_INVALID', { field });
  return instant;
}
