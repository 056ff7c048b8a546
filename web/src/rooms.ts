// The rooms dialect in the browser: REST for the room list, history pages, uploads and read
// state; one socket per room for live messages, edits, reactions, deletions and typing. A
// reconnection resumes after the last change seen (?since=), so the server replays what was
// missed, edits and deletions of older messages included; sends carry a client_id and are resent
// after a drop, stored once.
// Parley's additions: search over the rooms, an edited message's versions, mark unread.
import { worstLink, type Link } from './link.js';
import { api, HttpFailure, instant, ReconnectingSocket } from './net.js';
import {
  TYPING_SHOWN_MS,
  TYPING_SIGNAL_MS,
  type Abilities,
  type Conversation,
  type Dialect,
  type Inbox,
  type Member,
  type Message,
  type MessageVersions,
  type SearchPage,
  type SendOptions,
} from './model.js';
import { Outbox } from './outbox.js';

const PAGE_SIZE = 30;
const SEARCH_PAGE_SIZE = 20;

interface RoomSummary {
  id: number;
  name: string;
  unread_count: number;
  /** The newest message at or before the member's last read: null when none is. */
  last_read_message_id: number | null;
}

interface SendFrame {
  action: 'send_message';
  message: string;
  mentions: number[];
  parent_message_id: number | null;
  /** Mine for this message: the server stores a resent copy once. */
  client_id: string;
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
  room: number;
}

interface HistoryPage {
  count: number;
  next: string | null;
  results: HistoryItem[];
}

interface EditHistoryAnswer {
  is_deleted: boolean;
  content: string;
  edited_at: string | null;
  count: number;
  versions: Array<{ content: string; written_at: string; replaced_at: string }>;
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
    senderId: item.sender.id,
    receipt: item.is_self ? 'sent' : undefined,
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
  readonly abilities: Abilities = { receipts: false, react: true, edit: true, remove: true, reply: true, mentions: true, attach: true, versions: true, markUnread: true };
  private readonly sockets = new Map<string, ReconnectingSocket>();
  /** Per room, my messages until the room's broadcast of them (`is_self`) or an error. */
  private readonly outboxes = new Map<string, Outbox<SendFrame>>();
  /** Per room, the position of the last change seen on its socket: where a reconnection resumes. */
  private readonly positions = new Map<string, number>();
  /** Per room, the last message read before it was opened: the unread line goes after it. */
  private readonly readUpTo = new Map<string, number>();
  private localIds = 0;
  private readonly nextPage = new Map<string, string | null>();
  private readonly loaded = new Set<string>();
  private readonly lastTyping = new Map<string, number>();
  private readonly stopTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly inbox: Inbox,
    private readonly linkChanged: () => void,
  ) {}

  owns(conversation: Conversation): boolean {
    return conversation.id.startsWith('rooms:');
  }

  async start(): Promise<void> {
    const rooms = await this.listing();
    for (const room of rooms) {
      const conversation = this.inbox.upsert(`rooms:${room.id}`, { kind: 'room', title: room.name, unread: room.unread_count });
      this.connect(conversation);
    }
  }

  stop(): void {
    for (const socket of this.sockets.values()) socket.close();
  }

  /**
   * Loads the newest history the first time; when the reader sees the room, asks the server
   * where they had read up to (perhaps on another device) for the unread line, then marks it read.
   */
  async open(conversation: Conversation): Promise<void> {
    const visible = this.inbox.isVisible(conversation);
    const [rooms] = await Promise.all([visible ? this.listing() : undefined, this.loaded.has(conversation.id) ? undefined : this.latest(conversation)]);
    if (rooms) this.readState(conversation, rooms);
    await this.markRead(conversation);
  }

  /** Back to unread from this message on; the badge and the unread line show the server's count and marker. */
  async markUnread(conversation: Conversation, messageId: string): Promise<void> {
    await api('POST', `/api/chat/groups/${roomId(conversation)}/mark-as-unread/`, { message_id: Number(messageId) });
    conversation.keptUnread = this.inbox.current === conversation;
    this.readState(conversation, await this.listing());
  }

  async versions(messageId: string): Promise<MessageVersions> {
    const answer = await api<EditHistoryAnswer>('GET', `/api/chat/messages/${Number(messageId)}/history/`);
    return {
      deleted: answer.is_deleted,
      body: answer.content,
      editedAt: answer.edited_at === null ? undefined : instant(answer.edited_at),
      count: answer.count,
      versions: answer.versions.map((v) => ({ body: v.content, writtenAt: instant(v.written_at), replacedAt: instant(v.replaced_at) })),
    };
  }

  /** One page (from 1) of the messages matching `query`, newest first, in all my rooms or in `within`. */
  async search(query: string, within: Conversation | undefined, page: number): Promise<SearchPage> {
    const params = new URLSearchParams({ q: query, page: String(page), page_size: String(SEARCH_PAGE_SIZE) });
    if (within) params.set('group_id', String(roomId(within)));
    try {
      const answer = await api<HistoryPage>('GET', `/api/chat/messages/search/?${params}`);
      return { count: answer.count, more: answer.next !== null, hits: answer.results.map((item) => ({ conversationId: `rooms:${item.room}`, message: fromHistory(item) })) };
    } catch (error) {
      // The server's 400: the query has no word to look for. The reader gets a hint instead.
      if (error instanceof HttpFailure && error.status === 400) throw new Error('Search for a word: letters or digits.');
      throw error;
    }
  }

  async older(conversation: Conversation): Promise<void> {
    const next = this.nextPage.get(conversation.id);
    if (!next) return;
    const url = new URL(next, location.origin);
    const page = await api<HistoryPage>('GET', `${url.pathname}${url.search}`);
    this.nextPage.set(conversation.id, page.next);
    conversation.hasOlder = page.next !== null;
    for (const item of page.results) this.inbox.put(conversation, fromHistory(item));
    // More unread messages than one page: the line moves up to the first of them.
    if (conversation.unreadFrom !== undefined) this.placeUnreadLine(conversation);
  }

  send(conversation: Conversation, body: string, options: SendOptions): void {
    this.post(conversation, {
      action: 'send_message',
      message: body,
      mentions: options.mentions ?? [],
      parent_message_id: options.replyTo === undefined ? null : Number(options.replyTo),
      client_id: clientId(),
    });
    this.stopTyping(conversation);
  }

  retry(conversation: Conversation, messageId: string): void {
    const frame = this.outboxes.get(conversation.id)?.forget(messageId);
    if (!frame) return;
    this.inbox.removeMessage(conversation, messageId);
    this.post(conversation, frame);
  }

  link(conversation?: Conversation): Link {
    const sockets = conversation ? [this.sockets.get(conversation.id)] : [...this.sockets.values()];
    return worstLink(sockets.map((socket) => socket?.link ?? { state: 'connecting' }));
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

  /** Shows my message at once, as sending, until the room's broadcast of it replaces it. */
  private post(conversation: Conversation, frame: SendFrame): void {
    const parent = frame.parent_message_id === null ? undefined : conversation.messages.find((m) => m.seq === frame.parent_message_id);
    this.localIds += 1;
    const id = `local:${this.localIds}`;
    this.inbox.put(conversation, {
      id,
      mine: true,
      sender: 'me',
      body: frame.message,
      at: Date.now(),
      receipt: 'sending',
      reply: parent && { id: parent.id, sender: parent.sender, body: parent.body },
    });
    this.outbox(conversation).send(id, frame);
  }

  private outbox(conversation: Conversation): Outbox<SendFrame> {
    let outbox = this.outboxes.get(conversation.id);
    if (!outbox) {
      const failed = (messageId: string, reason: string): void => {
        this.inbox.patch(conversation, messageId, { receipt: 'failed', failure: reason });
      };
      // A send carries its client_id: resent after a drop, it is still stored once.
      outbox = new Outbox<SendFrame>(this.socket(conversation), failed, true);
      this.outboxes.set(conversation.id, outbox);
    }
    return outbox;
  }

  private async listing(): Promise<RoomSummary[]> {
    return api<RoomSummary[]>('GET', '/api/chat/groups/');
  }

  /**
   * Where the reader had read up to, by the server (perhaps on another device): the unread line;
   * and unless they are reading the room now, its unread count for the badge.
   */
  private readState(conversation: Conversation, rooms: RoomSummary[]): void {
    const summary = rooms.find((room) => `rooms:${room.id}` === conversation.id);
    if (!summary) return;
    this.readUpTo.set(conversation.id, summary.last_read_message_id ?? 0);
    this.placeUnreadLine(conversation);
    if (!this.inbox.isReading(conversation)) this.inbox.upsert(conversation.id, { kind: 'room', title: conversation.title, unread: summary.unread_count });
  }

  /** The unread line before the first message of someone else's after the last one read. */
  private placeUnreadLine(conversation: Conversation): void {
    const readUpTo = this.readUpTo.get(conversation.id) ?? 0;
    const first = conversation.messages.find((m) => !m.mine && m.seq !== undefined && m.seq > readUpTo);
    if (first) conversation.unreadFrom = first.id;
  }

  private async markRead(conversation: Conversation): Promise<void> {
    if (!this.inbox.isReading(conversation)) return;
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
    // Once a change was seen, a reconnection resumes after it: the server replays what was missed.
    const path = (): string => {
      const since = this.positions.get(conversation.id);
      return `/ws/chat/${roomId(conversation)}/${since === undefined ? '' : `?since=${since}`}`;
    };
    const socket = new ReconnectingSocket(path, {
      onFrame: (frame) => this.onFrame(conversation, frame),
      onLink: (link) => {
        if (link.state !== 'connected') this.outboxes.get(conversation.id)?.lost();
        this.linkChanged();
      },
      onOpen: (reconnected) => {
        this.outboxes.get(conversation.id)?.flush();
        // Resumed: the replay brings what was missed. Before any change was seen, history does.
        if (reconnected && this.loaded.has(conversation.id) && !this.positions.has(conversation.id)) {
          void this.latest(conversation).then(() => this.markRead(conversation));
        }
      },
      onFinalClose: () => this.inbox.remove(conversation.id),
    });
    this.sockets.set(conversation.id, socket);
    return socket;
  }

  private onFrame(conversation: Conversation, frame: Record<string, unknown>): void {
    const id = String(frame.id);
    if (typeof frame.position === 'number') this.positions.set(conversation.id, Math.max(frame.position, this.positions.get(conversation.id) ?? 0));
    switch (frame.action) {
      case 'refetch_history':
        // The server cannot replay what was missed: the newest history again, then on from its position.
        if (typeof frame.position === 'number') this.positions.set(conversation.id, frame.position);
        void this.latest(conversation).then(() => this.markRead(conversation));
        return;
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
      this.outboxes.get(conversation.id)?.refuse(frame.error.replace(/\.$/, ''));
      return;
    }
    if (typeof frame.message !== 'string' || typeof frame.id !== 'number') return;
    const live = frame as unknown as LiveMessage;
    const message: Message = {
      id,
      seq: live.id,
      mine: live.is_self,
      sender: live.sender.name,
      senderId: live.sender.id,
      body: live.message,
      at: instant(live.created_at),
      attachment: live.attachment,
      reactions: {},
      receipt: live.is_self ? 'sent' : undefined,
      reply: live.parent_message ? { id: String(live.parent_message.id), sender: live.parent_message.sender.name, body: live.parent_message.content } : undefined,
    };
    // My own message comes back to every socket of mine; the one that sent it has it as sending.
    const parentId = live.parent_message?.id ?? null;
    const sent = live.is_self ? this.outboxes.get(conversation.id)?.confirm((f) => f.message === live.message && f.parent_message_id === parentId) : undefined;
    if (sent) this.inbox.replace(conversation, sent, message);
    else this.inbox.put(conversation, message, { countUnread: true });
    void this.markRead(conversation);
  }
}

/** A client id for one message: 128 random bits in hex (the server takes up to 64 of A-Z a-z 0-9 _ . : -). */
function clientId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
