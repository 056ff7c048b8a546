// What the client shows, whatever the dialect: conversations and their messages.
import type { Link } from './link.js';

/** Where my message is: on its way, at the server, at the reader's device, read; or not sent. */
export type Receipt = 'sending' | 'sent' | 'received' | 'read' | 'failed';

export interface Message {
  /** Unique within its conversation: the server id, or the phone dialect's sender + timestamp. */
  id: string;
  mine: boolean;
  sender: string;
  /** The sender's account id where the dialect gives one (its names can repeat). */
  senderId?: number;
  body: string;
  /** Milliseconds since the epoch. */
  at: number;
  /** The server's message id where the dialect has one: orders messages of the same millisecond. */
  seq?: number;
  receipt?: Receipt;
  /** Why a failed message was not sent. */
  failure?: string;
  reactions?: Record<string, number>;
  edited?: boolean;
  deleted?: boolean;
  reply?: { id: string; sender: string; body: string };
  attachment?: string | null;
  /** The phone dialect's timestamp exactly as the sender sent it: receipts name the message by it. */
  ref?: string;
  /** A received message whose read receipt went out. */
  readSent?: boolean;
}

export interface Member {
  id: number;
  name: string;
  online: boolean;
}

export interface Conversation {
  /** "phone:dialogue:<phone>", "phone:group:<key>", "phone:match", "rooms:<id>". */
  id: string;
  kind: 'dialogue' | 'group' | 'match' | 'room';
  title: string;
  unread: number;
  online?: boolean;
  typing?: string;
  messages: Message[];
  /** Whether older messages can be loaded from the server. */
  hasOlder: boolean;
  /** The first message the reader had not seen when opening the conversation: the unread line. */
  unreadFrom?: string;
  /** The reader marked it unread: while it stays open it is not marked read again. */
  keptUnread?: boolean;
}

/** What a dialect can do beyond sending text; the view offers only these. */
export interface Abilities {
  receipts: boolean;
  react: boolean;
  edit: boolean;
  remove: boolean;
  reply: boolean;
  mentions: boolean;
  attach: boolean;
  /** An edited message's earlier texts can be read. */
  versions: boolean;
  markUnread: boolean;
}

/** A message's texts: the ones edits replaced, oldest first, then the one it has now. */
export interface MessageVersions {
  deleted: boolean;
  body: string;
  /** When the current text was written (the last edit); undefined if never edited. */
  editedAt?: number;
  versions: Array<{ body: string; writtenAt: number; replacedAt: number }>;
  /** How many replaced texts there are in all: more than `versions` when only the latest are given. */
  count: number;
}

/** A message found by search, with the conversation it is in. */
export interface SearchHit {
  conversationId: string;
  message: Message;
}

export interface SearchPage {
  hits: SearchHit[];
  /** Matches in all, over every page. */
  count: number;
  more: boolean;
}

export interface SendOptions {
  replyTo?: string;
  mentions?: number[];
}

export interface Dialect {
  readonly abilities: Abilities;
  owns(conversation: Conversation): boolean;
  start(): Promise<void>;
  /** The conversation became visible: load its history, mark it read. */
  open(conversation: Conversation): Promise<void>;
  older(conversation: Conversation): Promise<void>;
  send(conversation: Conversation, body: string, options: SendOptions): void;
  /** Sends a failed message of mine again. */
  retry(conversation: Conversation, messageId: string): void;
  typing(conversation: Conversation): void;
  react(conversation: Conversation, messageId: string, reaction: string): void;
  edit(conversation: Conversation, messageId: string, body: string): void;
  remove(conversation: Conversation, messageId: string): void;
  upload(conversation: Conversation, file: File, caption: string): Promise<void>;
  members(conversation: Conversation): Promise<Member[]>;
  /** With `abilities.versions`: an edited message's earlier texts (by its server id, unique in the dialect). */
  versions?(messageId: string): Promise<MessageVersions>;
  /** With `abilities.markUnread`: the message and those after it become unread again. */
  markUnread?(conversation: Conversation, messageId: string): Promise<void>;
  /** The state of the sockets a conversation uses, or without one, of all the dialect's sockets. */
  link(conversation?: Conversation): Link;
  stop(): void;
}

/** How long a typing indicator stays without a new signal. */
export const TYPING_SHOWN_MS = 4000;
/** At most one typing signal per this interval. */
export const TYPING_SIGNAL_MS = 2000;

/** The conversations and the hooks through which dialects tell the view what changed. */
export class Inbox {
  readonly conversations = new Map<string, Conversation>();
  current: Conversation | undefined;
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly changed: (conversation?: Conversation) => void) {}

  upsert(id: string, fields: Omit<Conversation, 'id' | 'messages' | 'unread' | 'hasOlder'> & Partial<Conversation>): Conversation {
    let conversation = this.conversations.get(id);
    if (!conversation) {
      conversation = { id, messages: [], unread: 0, hasOlder: false, ...fields };
      this.conversations.set(id, conversation);
    } else Object.assign(conversation, fields);
    this.changed();
    return conversation;
  }

  remove(id: string): void {
    this.conversations.delete(id);
    if (this.current?.id === id) this.current = undefined;
    this.changed();
  }

  /** Makes a conversation the open one; the one left forgets its unread line and may be read again. */
  select(conversation: Conversation | undefined): void {
    if (this.current && this.current !== conversation) {
      this.current.unreadFrom = undefined;
      this.current.keptUnread = undefined;
    }
    this.current = conversation;
  }

  /** Adds or replaces a message, kept in time order; counts it unread unless its conversation is being read. */
  put(conversation: Conversation, message: Message, options: { countUnread?: boolean } = {}): void {
    const index = conversation.messages.findIndex((m) => m.id === message.id);
    if (index >= 0) conversation.messages[index] = { ...conversation.messages[index], ...message };
    else {
      let at = conversation.messages.length;
      while (at > 0 && later(conversation.messages[at - 1], message)) at -= 1;
      conversation.messages.splice(at, 0, message);
      if (options.countUnread && !message.mine && !this.isReading(conversation)) conversation.unread += 1;
      if (!message.mine) this.clearTyping(conversation);
    }
    this.changed(conversation);
  }

  /** Puts `message` in the place of the message `messageId` (a sent message the server confirmed, say). */
  replace(conversation: Conversation, messageId: string, message: Message): void {
    this.take(conversation, messageId);
    this.put(conversation, message);
  }

  removeMessage(conversation: Conversation, messageId: string): void {
    if (this.take(conversation, messageId)) this.changed(conversation);
  }

  private take(conversation: Conversation, messageId: string): boolean {
    const index = conversation.messages.findIndex((m) => m.id === messageId);
    if (index >= 0) conversation.messages.splice(index, 1);
    return index >= 0;
  }

  patch(conversation: Conversation, messageId: string, fields: Partial<Message>): Message | undefined {
    const message = conversation.messages.find((m) => m.id === messageId);
    if (!message) return undefined;
    Object.assign(message, fields);
    this.changed(conversation);
    return message;
  }

  showTyping(conversation: Conversation, who: string): void {
    conversation.typing = who;
    clearTimeout(this.typingTimers.get(conversation.id));
    this.typingTimers.set(
      conversation.id,
      setTimeout(() => this.clearTyping(conversation), TYPING_SHOWN_MS),
    );
    this.changed(conversation);
  }

  private clearTyping(conversation: Conversation): void {
    if (conversation.typing === undefined) return;
    conversation.typing = undefined;
    clearTimeout(this.typingTimers.get(conversation.id));
    this.changed(conversation);
  }

  isVisible(conversation: Conversation): boolean {
    return this.current?.id === conversation.id && document.visibilityState === 'visible';
  }

  /** Open and seen, and not marked unread by the reader: what arrives counts as read. */
  isReading(conversation: Conversation): boolean {
    return this.isVisible(conversation) && !conversation.keptUnread;
  }
}

/** Whether `a` comes after `b` in a conversation: by time, then by server id. */
function later(a: Message | undefined, b: Message): boolean {
  if (!a) return false;
  return a.at > b.at || (a.at === b.at && (a.seq ?? 0) > (b.seq ?? 0));
}
