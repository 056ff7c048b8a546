// What a stored message looks like to the members of its conversation, whatever its kind: its
// visible body, sender, parent, reactions, mentions and pin, and the event that announces it.
import type { AccountRecord, AnnotatedMessage, MessageRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Accounts } from './accounts.js';
import { conversationRef, participantOf, type MessageCreated } from './events.js';
import type { ConversationRecord } from '../store/records.js';
import { addSeconds, now, type Instant } from './time.js';

/** A pin lasts a week; older pins have expired. */
export const PIN_LIFETIME_SECONDS = 7 * 24 * 3600;

/** A stored message with everything a dialect shows about it. */
export interface MessageDetail {
  record: MessageRecord;
  sender: AccountRecord;
  /** '' once the message is deleted: deleted content is never shown. */
  body: string;
  attachment: string | null;
  parent: { record: MessageRecord; body: string; sender: AccountRecord } | null;
  reactions: Map<string, number> | undefined;
  mentions: number[];
  /** Pinned within the last PIN_LIFETIME_SECONDS. */
  pinned: boolean;
}

export class MessageViews {
  constructor(
    private readonly store: Store,
    private readonly accounts: Accounts,
  ) {}

  /** Everything the dialects show about these messages, loaded in a few queries. */
  async details(messages: readonly MessageRecord[]): Promise<MessageDetail[]> {
    const ids = messages.map((m) => m.id);
    const parents = new Map(
      (await this.store.messages.findMany(messages.flatMap((m) => (m.parentId === null ? [] : [m.parentId])))).map((p) => [p.id, p]),
    );
    const [reactions, mentions] = await Promise.all([this.store.annotations.reactionCounts(ids), this.store.annotations.mentions(ids)]);
    return this.present(
      messages.map((record) => ({
        record,
        parent: (record.parentId === null ? undefined : parents.get(record.parentId)) ?? null,
        reactions: reactions.get(record.id),
        mentions: mentions.get(record.id) ?? [],
      })),
    );
  }

  /** What the dialects show about messages read with their parents and annotations (a history page). */
  async present(messages: readonly AnnotatedMessage[]): Promise<MessageDetail[]> {
    const at = now();
    const details: MessageDetail[] = [];
    for (const { record, parent, reactions, mentions } of messages) {
      details.push({
        record,
        sender: await this.account(record.senderId),
        body: visibleBody(record),
        attachment: record.deletedAt === null ? record.attachment : null,
        parent: parent ? await this.parent(parent) : null,
        reactions,
        mentions,
        pinned: isPinned(record, at),
      });
    }
    return details;
  }

  /** A message as a reply shows its parent. */
  async parent(record: MessageRecord): Promise<NonNullable<MessageDetail['parent']>> {
    return { record, body: visibleBody(record), sender: await this.account(record.senderId) };
  }

  async account(id: number): Promise<AccountRecord> {
    const account = await this.accounts.byId(id);
    if (!account) throw new Error(`account ${id} vanished`);
    return account;
  }
}

/** The event of a message just stored. */
export function createdEvent(conversation: ConversationRecord, detail: MessageDetail): MessageCreated {
  return {
    type: 'message.created',
    conversation: conversationRef(conversation),
    sender: participantOf(detail.sender),
    message: {
      id: detail.record.id,
      body: detail.body,
      type: detail.record.type,
      clientSentAt: detail.record.clientSentAt,
      sentAt: detail.record.sentAt,
      attachment: detail.attachment,
      parent: detail.parent && {
        id: detail.parent.record.id,
        body: detail.parent.body,
        createdAt: detail.parent.record.createdAt,
        sender: participantOf(detail.parent.sender),
      },
      createdAt: detail.record.createdAt,
    },
  };
}

export function visibleBody(message: MessageRecord): string {
  return message.deletedAt === null ? message.body : '';
}

export function isPinned(message: MessageRecord, at: Instant): boolean {
  return message.pinnedAt !== null && message.deletedAt === null && message.pinnedAt >= addSeconds(at, -PIN_LIFETIME_SECONDS);
}
