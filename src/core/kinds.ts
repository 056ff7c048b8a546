// One policy per conversation kind: what the message pipeline does differs by kind only through
// this table. A fifth kind is one more entry.
import type { Bus } from '../bus/bus.js';
import type { ConversationKind } from '../store/records.js';
import { accountTopic, conversationTopic, type CoreEvent } from './events.js';

/** Keep a message until every recipient acknowledged it, or keep the conversation's history. */
export type Retention = 'drop-when-delivered' | 'history';
/** Publish an event to each recipient's own topic, or once to the conversation's topic. */
export type Fanout = 'per-recipient' | 'topic';
/**
 * Who hears that a member received or read messages: every other member, the message's sender
 * only, or nobody (the read marker is kept, not announced).
 */
export type ReceiptAudience = 'members' | 'sender' | 'none';
/** Whether a stored message is pushed to the registered devices of members with no live socket. */
export type Push = 'offline-members' | 'none';

export type MessageAction =
  | 'post'
  | 'reply'
  | 'mention'
  | 'attach'
  | 'edit'
  | 'delete'
  | 'react'
  | 'pin'
  | 'acknowledge'
  | 'markRead'
  | 'typing';

export interface KindPolicy {
  retention: Retention;
  fanout: Fanout;
  receipts: ReceiptAudience;
  push: Push;
  /** Whether the conversation takes no more actions once made inactive (a closed room). */
  closes: boolean;
  actions: ReadonlySet<MessageAction>;
}

const STORE_AND_FORWARD: ReadonlySet<MessageAction> = new Set(['post', 'acknowledge', 'markRead', 'typing']);

export const KINDS: Readonly<Record<ConversationKind, KindPolicy>> = {
  dialogue: { retention: 'drop-when-delivered', fanout: 'per-recipient', receipts: 'sender', push: 'none', closes: false, actions: STORE_AND_FORWARD },
  // In a group every other member follows the receipts.
  group: { retention: 'drop-when-delivered', fanout: 'per-recipient', receipts: 'members', push: 'none', closes: false, actions: STORE_AND_FORWARD },
  match: { retention: 'drop-when-delivered', fanout: 'per-recipient', receipts: 'sender', push: 'none', closes: false, actions: STORE_AND_FORWARD },
  room: {
    retention: 'history',
    fanout: 'topic',
    receipts: 'none',
    push: 'offline-members',
    closes: true,
    actions: new Set(['post', 'reply', 'mention', 'attach', 'edit', 'delete', 'react', 'pin', 'markRead', 'typing']),
  },
};

/** Whether messages of the kind go once nobody waits for them any more. */
export function dropsDelivered(kind: ConversationKind): boolean {
  return KINDS[kind].retention === 'drop-when-delivered';
}

/**
 * Whether every change to a conversation of the kind is logged at a position (changes.ts), for
 * sockets that resume: kinds that keep their history. The others replay what is undelivered.
 */
export function logsChanges(kind: ConversationKind): boolean {
  return KINDS[kind].retention === 'history';
}

export function allows(kind: ConversationKind, action: MessageAction): boolean {
  return KINDS[kind].actions.has(action);
}

/**
 * Publishes an event about a conversation as its kind fans out: once on the conversation's
 * topic, or to each of `recipients` on their own.
 */
export async function fanOut(
  bus: Bus<CoreEvent>,
  conversation: { id: number; kind: ConversationKind },
  recipients: readonly number[],
  event: CoreEvent,
): Promise<void> {
  if (KINDS[conversation.kind].fanout === 'topic') await bus.publish(conversationTopic(conversation.id), event);
  // A dialogue's one recipient (every personal message and receipt) needs no Promise.all.
  else if (recipients.length === 1) await bus.publish(accountTopic(recipients[0]!), event);
  else await Promise.all(recipients.map((id) => bus.publish(accountTopic(id), event)));
}
