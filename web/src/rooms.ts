// The rooms dialect in the browser: REST for the room list, history pages, uploads and read
// state; one socket per room for live messages, edits, reactions, deletions and typing. After a
// reconnection the newest history page is fetched again, which brings back what was missed.
import { api, instant, ReconnectingSocket } from './net.js';
import { TYPING_SHOWN_MS, TYPING_SIGNAL_MS, type Abilities, type Conversation, type Dialect, type Inbox, type Member, type Message, type SendOptions } from './model.js';

const PAGE_SIZE = 30;

interface RoomSummary {
  id: number;
  name: string;
  unread_count: number;
}

interface HistoryItem {
  id: number;
  sender: { id: number; first_name: string; last_name: string };
  attachment: string | null;
  is_self: boolean;
  parent_message: { id: number; content: string; sender: { name: string } } | null;
  content: string;
  reactions: Record<string, number> | null;
  is_deleted: boolean;
  is_edited: boolean;
  created_at: string;
}

interface HistoryPage {
  next: string | null;
  results: HistoryItem[];
}

interface LiveMessage {
  id: number;
  message: string;
  sender: { name: string; id: number };
  is_self: boolean;
  attachment: string | null;
  created_at: string;
  parent_message: { id: number; content: string; sender: { name: string } } | null;
}

interface MemberItem {
  id: number;
  first_name: string;
  last_name: string;
  current_status: string;
}

function roomId(conversation: Conversation): number {
  return Number(conversation.id.slice('rooms:'.length));
}

function fromHistory(item: HistoryItem): Message {
  return {
    id: String(item.id),
    seq: item.id,
    mine: item.is_self,
    sender: `${item.sender.first_name} ${item.sender.last_name}`.trim(),
    body: item.content,
    at: instant(item.created_at),
    reactions: item.reactions ?? {},
    edited: item.is_edited,
    deleted: item.is_deleted,
    attachment: item.attachment,
    reply: item.parent_message ? { id: String(item.parent_message.id), sender: item.parent_message.sender.name, body: item.parent_message.content } : undefined,
  };
}

export class RoomsDialect implements Dialect {
  readonly abilities: Abilities = { receipts: false, react: true, edit: true, remove: true, reply: true, mentions: true, attach: true };
  private readonly sockets = new Map<string, ReconnectingSocket>();
  private readonly nextPage = new Map<string, string | null>();
  private readonly loaded = new Set<string>();
  private readonly lastTyping = new Map<string, number>();
  private readonly stopTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly inbox: Inbox,
    private readonly connection: (name: string, connected: boolean) => void,
  ) {}

  owns(conversation: Conversation): boolean {
    return conversation.id.startsWith('rooms:');
  }

  async start(): Promise<void> {
    const rooms = await api<RoomSummary[]>('GET', '/api/chat/groups/');
    for (const room of rooms) {
      const conversation = this.inbox.upsert(`rooms:${room.id}`, { kind: 'room', title: room.name, unread: room.unread_count });
      this.connect(conversation);
    }
  }

  stop(): void {
    for (const socket of this.sockets.values()) socket.close();
  }

  async open(conversation: Conversation): Promise<void> {
    if (!this.loaded.has(conversation.id)) await this.latest(conversation);
    await this.markRead(conversation);
  }

  async older(conversation: Conversation): Promise<void> {
    const next = this.nextPage.get(conversation.id);
    if (!next) return;
    const url = new URL(next, location.origin);
    const page = await api<HistoryPage>('GET', `${url.pathname}${url.search}`);
    this.nextPage.set(conversation.id, page.next);
    conversation.hasOlder = page.next !== null;
    for (const item of page.results) this.inbox.put(conversation, fromHistory(item));
  }

  send(conversation: Conversation, body: string, options: SendOptions): void {
    this.socket(conversation).send({
      action: 'send_message',
      message: body,
      mentions: options.mentions ?? [],
      parent_message_id: options.replyTo === undefined ? null : Number(options.replyTo),
    });
    this.stopTyping(conversation);
  }

  typing(conversation: Conversation): void {
    const now = Date.now();
    clearTimeout(this.stopTimers.get(conversation.id));
    this.stopTimers.set(conversation.id, setTimeout(() => this.stopTyping(conversation), TYPING_SHOWN_MS));
    if (now - (this.lastTyping.get(conversation.id) ?? 0) < TYPING_SIGNAL_MS) return;
    this.lastTyping.set(conversation.id, now);
    this.socket(conversation).send({ action: 'typing' });
  }

  react(conversation: Conversation, messageId: string, reaction: string): void {
    this.socket(conversation).send({ action: 'react_message', message_id: Number(messageId), reaction });
  }

  edit(conversation: Conversation, messageId: string, body: string): void {
    this.socket(conversation).send({ action: 'edit_message', message_id: Number(messageId), new_content: body });
  }

  remove(conversation: Conversation, messageId: string): void {
    this.socket(conversation).send({ action: 'delete_message', message_id: Number(messageId) });
  }

  async upload(conversation: Conversation, file: File, caption: string): Promise<void> {
    const form = new FormData();
    form.append('attachment', file);
    if (caption) form.append('content', caption);
    const item = await api<HistoryItem>('POST', `/api/chat/groups/${roomId(conversation)}/messages/upload/`, form);
    if (item && typeof item.id === 'number') this.inbox.put(conversation, fromHistory(item));
  }

  async members(conversation: Conversation): Promise<Member[]> {
    const answer = await api<MemberItem[] | { results: MemberItem[] }>('GET', `/api/chat/groups/${roomId(conversation)}/members/`);
    const list = Array.isArray(answer) ? answer : answer.results;
    return list.map((m) => ({ id: m.id, name: `${m.first_name} ${m.last_name}`.trim(), online: m.current_status === 'online' }));
  }

  private stopTyping(conversation: Conversation): void {
    clearTimeout(this.stopTimers.get(conversation.id));
    if (!this.lastTyping.get(conversation.id)) return;
    this.lastTyping.set(conversation.id, 0);
    this.socket(conversation).send({ action: 'stop_typing' });
  }

  private async markRead(conversation: Conversation): Promise<void> {
    if (!this.inbox.isVisible(conversation)) return;
    conversation.unread = 0;
    this.inbox.upsert(conversation.id, { kind: 'room', title: conversation.title });
    await api('POST', `/api/chat/groups/${roomId(conversation)}/mark-as-read/`);
  }

  /** The newest page of history, merged into what is shown (also the catch-up after a reconnection). */
  private async latest(conversation: Conversation): Promise<void> {
    const page = await api<HistoryPage>('GET', `/api/chat/groups/${roomId(conversation)}/messages/?page=1&page_size=${PAGE_SIZE}`);
    if (!this.loaded.has(conversation.id)) {
      this.loaded.add(conversation.id);
      this.nextPage.set(conversation.id, page.next);
      conversation.hasOlder = page.next !== null;
    }
    const known = new Set(conversation.messages.map((m) => m.id));
    for (const item of page.results) {
      const fresh = !known.has(String(item.id));
      this.inbox.put(conversation, fromHistory(item), { countUnread: fresh && known.size > 0 });
    }
  }

  private socket(conversation: Conversation): ReconnectingSocket {
    return this.sockets.get(conversation.id) ?? this.connect(conversation);
  }

  private connect(conversation: Conversation): ReconnectingSocket {
    const socket = new ReconnectingSocket(`/ws/chat/${roomId(conversation)}/`, {
      onFrame: (frame) => this.onFrame(conversation, frame),
      onState: (connected) => this.connection(`room ${roomId(conversation)}`, connected),
      onOpen: (reconnected) => {
        if (reconnected && this.loaded.has(conversation.id)) void this.latest(conversation).then(() => this.markRead(conversation));
      },
      onFinalClose: () => this.inbox.remove(conversation.id),
    });
    this.sockets.set(conversation.id, socket);
    return socket;
  }

  private onFrame(conversation: Conversation, frame: Record<string, unknown>): void {
    const id = String(frame.id);
    switch (frame.action) {
      case 'edited':
        this.inbox.patch(conversation, id, { body: String(frame.new_content), edited: true });
        return;
      case 'reacted':
        this.inbox.patch(conversation, id, { reactions: (frame.reactions as Record<string, number> | null) ?? {} });
        return;
      case 'deleted':
        this.inbox.patch(conversation, id, { deleted: true });
        return;
      case 'typing': {
        const sender = frame.sender as { name?: string } | undefined;
        if (frame.is_typing) this.inbox.showTyping(conversation, sender?.name ?? 'Someone');
        else conversation.typing = undefined;
        return;
      }
      case 'message_pinned':
        return;
      default:
        break;
    }
    if (typeof frame.error === 'string') {
      console.warn('room socket refused a frame:', frame.error);
      return;
    }
    if (typeof frame.message !== 'string' || typeof frame.id !== 'number') return;
    const live = frame as unknown as LiveMessage;
    this.inbox.put(
      conversation,
      {
        id,
        seq: live.id,
        mine: live.is_self,
        sender: live.sender.name,
        body: live.message,
        at: instant(live.created_at),
        attachment: live.attachment,
        reactions: {},
        reply: live.parent_message ? { id: String(live.parent_message.id), sender: live.parent_message.sender.name, body: live.parent_message.content } : undefined,
      },
      { countUnread: true },
    );
    if (this.inbox.isVisible(conversation)) void this.markRead(conversation);
  }
}
