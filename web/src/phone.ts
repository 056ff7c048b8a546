// The phone dialect in the browser: the receive socket for everything that comes in, one send
// socket per open conversation, receipts by the sender's timestamp. The server forgets a message
// once it is acknowledged, so the client keeps the history in localStorage.
import { worstLink, type Link } from './link.js';
import { api, instant, nowStamp, ReconnectingSocket } from './net.js';
import { TYPING_SIGNAL_MS, type Abilities, type Conversation, type Dialect, type Inbox, type Member, type Message } from './model.js';
import { Outbox } from './outbox.js';

const KEPT_MESSAGES = 500;
const PRESENCE_POLL_MS = 20_000;

interface Delivery {
  msg_from?: unknown;
  message?: unknown;
  sent_timestamp?: unknown;
}

interface SpecialAnswer {
  data: {
    personal: Array<{ receiver: string | null }>;
    group: Array<{ key: string; name: string | null; participants: Array<string | null> }>;
    room: { active: boolean } | [];
  };
}

interface SendFrame {
  command: string;
  message: string;
  msg_from: string;
  msg_to: string;
  sent_timestamp: string;
}

/** A message kept from an earlier page whose send was never confirmed: its fate is unknown. */
const UNCONFIRMED = 'the page closed before the server confirmed it';

interface Commands {
  path: string;
  to: string;
  send: string;
  received: string;
  read: string;
  typing: string;
}

export class PhoneDialect implements Dialect {
  readonly abilities: Abilities = { receipts: true, react: false, edit: false, remove: false, reply: false, mentions: false, attach: false, versions: false, markUnread: false };
  private receive: ReconnectingSocket | undefined;
  private readonly senders = new Map<string, ReconnectingSocket>();
  /** Per conversation, my messages until `msg_sent` (which names the message by its timestamp) or an error. */
  private readonly outboxes = new Map<string, Outbox<SendFrame>>();
  private readonly lastTyping = new Map<string, number>();
  private presenceTimer: ReturnType<typeof setInterval> | undefined;
  private readonly groupMembers = new Map<string, Array<string | null>>();

  constructor(
    private readonly me: string,
    private readonly inbox: Inbox,
    private readonly linkChanged: () => void,
  ) {}

  owns(conversation: Conversation): boolean {
    return conversation.id.startsWith('phone:');
  }

  async start(): Promise<void> {
    await this.loadConversations();
    this.receive = new ReconnectingSocket(`/ws/chat/special/${this.me}/`, {
      onFrame: (frame) => this.onReceive(frame),
      onLink: () => this.linkChanged(),
      onOpen: () => {
        for (const command of ['fetch_msgs', 'fetch_grp_msgs', 'fetch_room_msgs']) {
          this.receive?.send({ command, message: 'none', msg_to: this.me });
        }
      },
    });
    void this.refreshPresence();
    this.presenceTimer = setInterval(() => void this.refreshPresence(), PRESENCE_POLL_MS);
  }

  stop(): void {
    clearInterval(this.presenceTimer);
    this.receive?.close();
    for (const socket of this.senders.values()) socket.close();
  }

  /** Opens a dialogue with another phone (the server creates it or returns the existing one). */
  async startDialogue(peer: string): Promise<Conversation> {
    await api('POST', '/chat/special/personal/', { msg_from: this.me, msg_to: peer });
    return this.dialogue(peer);
  }

  async open(conversation: Conversation): Promise<void> {
    this.sender(conversation);
    if (this.inbox.isVisible(conversation)) {
      const firstUnread = conversation.messages.find((m) => !m.mine && !m.readSent);
      if (firstUnread) conversation.unreadFrom = firstUnread.id;
    }
    this.markRead(conversation);
  }

  // Older history lives only in this browser (see above), and the dialect has no reactions,
  // edits, deletions or uploads: its abilities say so, and the view offers none of them.
  async older(): Promise<void> {}

  send(conversation: Conversation, body: string): void {
    const stamp = nowStamp();
    const commands = this.commands(conversation);
    const message: Message = { id: `${this.me}|${instant(stamp)}`, ref: stamp, mine: true, sender: 'me', body, at: instant(stamp), receipt: 'sending' };
    this.inbox.put(conversation, message);
    this.persist(conversation);
    // Issue #13: the frame will carry a client id here, so that the server can drop a resent
    // copy; until then a retry sends a new message with a new timestamp.
    this.outbox(conversation).send(message.id, { command: commands.send, message: body, msg_from: this.me, msg_to: commands.to, sent_timestamp: stamp });
  }

  retry(conversation: Conversation, messageId: string): void {
    const message = conversation.messages.find((m) => m.id === messageId);
    if (message?.receipt !== 'failed') return;
    this.outbox(conversation).forget(messageId);
    this.inbox.removeMessage(conversation, messageId);
    this.send(conversation, message.body);
  }

  typing(conversation: Conversation): void {
    const now = Date.now();
    if (now - (this.lastTyping.get(conversation.id) ?? 0) < TYPING_SIGNAL_MS) return;
    this.lastTyping.set(conversation.id, now);
    const commands = this.commands(conversation);
    this.sender(conversation).send({ command: commands.typing, message: '-null-', msg_from: this.me, msg_to: commands.to, sent_timestamp: nowStamp() });
  }

  link(conversation?: Conversation): Link {
    const receive: Link = this.receive?.link ?? { state: 'connecting' };
    if (!conversation) return worstLink([receive, ...[...this.senders.values()].map((socket) => socket.link)]);
    const sender = this.senders.get(conversation.id);
    return worstLink(sender ? [receive, sender.link] : [receive]);
  }

  react(): void {}
  edit(): void {}
  remove(): void {}
  async upload(): Promise<void> {}

  async members(conversation: Conversation): Promise<Member[]> {
    return (this.groupMembers.get(conversation.id) ?? []).flatMap((phone, index) => (phone ? [{ id: index, name: phone, online: false }] : []));
  }

  markRead(conversation: Conversation): void {
    if (!this.inbox.isVisible(conversation)) return;
    const commands = this.commands(conversation);
    for (const message of conversation.messages) {
      if (message.mine || message.readSent || !message.ref) continue;
      this.sender(conversation).send({ command: commands.read, message: message.ref, msg_from: this.me, msg_to: commands.to, sent_timestamp: nowStamp() });
      message.readSent = true;
    }
    conversation.unread = 0;
    this.persist(conversation);
    this.inbox.upsert(conversation.id, { kind: conversation.kind, title: conversation.title });
  }

  private async loadConversations(): Promise<void> {
    const { data } = await api<SpecialAnswer>('POST', '/chat/special/special/', { msg_from: this.me });
    const known = new Set<string>();
    for (const { receiver } of data.personal) if (receiver) known.add(this.dialogue(receiver).id);
    for (const group of data.group) {
      const conversation = this.restore(`phone:group:${group.key}`, 'group', group.name || `Group ${group.key}`);
      this.groupMembers.set(conversation.id, group.participants);
      known.add(conversation.id);
    }
    if (!Array.isArray(data.room) && data.room.active) known.add(this.restore('phone:match', 'match', 'Match room').id);
    for (const conversation of [...this.inbox.conversations.values()]) {
      if (this.owns(conversation) && !known.has(conversation.id)) this.inbox.remove(conversation.id);
    }
  }

  private dialogue(peer: string): Conversation {
    return this.restore(`phone:dialogue:${peer}`, 'dialogue', peer);
  }

  /** The conversation with the messages this browser kept for it. */
  private restore(id: string, kind: Conversation['kind'], title: string): Conversation {
    const existing = this.inbox.conversations.get(id);
    if (existing) return this.inbox.upsert(id, { kind, title });
    let messages: Message[] = [];
    try {
      messages = JSON.parse(localStorage.getItem(this.storageKey(id)) ?? '[]') as Message[];
    } catch {
      messages = [];
    }
    const unread = messages.filter((m) => !m.mine && !m.readSent).length;
    for (const message of messages) {
      if (message.receipt === 'sending') Object.assign(message, { receipt: 'failed', failure: UNCONFIRMED });
    }
    return this.inbox.upsert(id, { kind, title, messages, unread });
  }

  private storageKey(conversationId: string): string {
    return `parley:${this.me}:${conversationId}`;
  }

  private persist(conversation: Conversation): void {
    localStorage.setItem(this.storageKey(conversation.id), JSON.stringify(conversation.messages.slice(-KEPT_MESSAGES)));
  }

  private commands(conversation: Conversation): Commands {
    if (conversation.kind === 'group') {
      const key = conversation.id.slice('phone:group:'.length);
      return { path: `/ws/chat/group/${this.me}/${key}/`, to: key, send: 'new_grp_msg', received: 'grp_msg_received', read: 'grp_msg_read', typing: 'is_grp_typing' };
    }
    const base = { send: 'new_msg', received: 'msg_received', read: 'msg_read', typing: 'is_typing' };
    if (conversation.kind === 'match') return { ...base, path: `/ws/chat/room/${this.me}/`, to: 'room' };
    const peer = conversation.id.slice('phone:dialogue:'.length);
    return { ...base, path: `/ws/chat/personal/${this.me}/${peer}/`, to: peer };
  }

  private sender(conversation: Conversation): ReconnectingSocket {
    let socket = this.senders.get(conversation.id);
    if (!socket) {
      socket = new ReconnectingSocket(this.commands(conversation).path, {
        onFrame: (frame) => this.onSenderFrame(conversation, frame),
        onOpen: () => this.outboxes.get(conversation.id)?.flush(),
        onLink: (link) => {
          if (link.state !== 'connected') this.outboxes.get(conversation.id)?.lost();
          this.linkChanged();
        },
      });
      this.senders.set(conversation.id, socket);
    }
    return socket;
  }

  private outbox(conversation: Conversation): Outbox<SendFrame> {
    let outbox = this.outboxes.get(conversation.id);
    if (!outbox) {
      const sender = this.sender(conversation);
      outbox = new Outbox<SendFrame>(sender, (messageId, reason) => {
        this.inbox.patch(conversation, messageId, { receipt: 'failed', failure: reason });
        this.persist(conversation);
      });
      this.outboxes.set(conversation.id, outbox);
    }
    return outbox;
  }

  private onSenderFrame(conversation: Conversation, frame: Record<string, unknown>): void {
    if (frame.command === 'msg_sent') {
      const id = this.outbox(conversation).confirm((sent) => sent.sent_timestamp === frame.message);
      const message = id === undefined ? undefined : conversation.messages.find((m) => m.id === id);
      if (message?.receipt === 'sending' || message?.receipt === 'failed') this.inbox.patch(conversation, message.id, { receipt: 'sent', failure: undefined });
      this.persist(conversation);
    } else if (frame.command === 'error' && (frame.type === this.commands(conversation).send || frame.type === 'invalid')) {
      // An error names the command it refuses; "invalid" is a frame too large to read, which
      // of this client's frames only a message can be.
      this.outbox(conversation).refuse(String(frame.message));
    } else if (frame.command === 'error') console.warn('phone socket refused a frame', frame);
  }

  /** The conversation a `msg_from` names: "<key>-<phone>" in a group, "room" in the match room, else a phone. */
  private locate(from: string): { conversation: Conversation; sender: string } | undefined {
    const dash = from.lastIndexOf('-');
    if (from.length > 10 && dash > 0) {
      const conversation = this.inbox.conversations.get(`phone:group:${from.slice(0, dash)}`);
      return conversation && { conversation, sender: from.slice(dash + 1) };
    }
    if (from === 'room') {
      const conversation = this.inbox.conversations.get('phone:match') ?? this.restore('phone:match', 'match', 'Match room');
      return { conversation, sender: 'Partner' };
    }
    return { conversation: this.inbox.conversations.get(`phone:dialogue:${from}`) ?? this.dialogue(from), sender: from };
  }

  private onReceive(frame: Record<string, unknown>): void {
    switch (frame.command) {
      case 'new_msg':
        void this.deliver(frame);
        return;
      case 'fetch_msgs':
      case 'fetch_grp_msgs':
      case 'fetch_room_msgs':
        if (typeof frame.messages === 'string') for (const item of JSON.parse(frame.messages) as Delivery[]) void this.deliver(item);
        return;
      case 'msg_received':
      case 'msg_read': {
        if (typeof frame.msg_from !== 'string' || typeof frame.message !== 'string') return;
        const found = this.locate(frame.msg_from);
        if (!found) return;
        const when = instant(frame.message);
        const message = found.conversation.messages.find((m) => m.mine && m.at === when);
        if (!message || (message.receipt === 'read' && frame.command === 'msg_received')) return;
        // A message that failed with the connection can still turn out delivered.
        this.outboxes.get(found.conversation.id)?.forget(message.id);
        this.inbox.patch(found.conversation, message.id, { receipt: frame.command === 'msg_read' ? 'read' : 'received', failure: undefined });
        this.persist(found.conversation);
        return;
      }
      case 'is_typing': {
        const found = typeof frame.msg_from === 'string' ? this.locate(frame.msg_from) : undefined;
        if (found) this.inbox.showTyping(found.conversation, found.sender);
        return;
      }
      case 'update':
        void this.loadConversations();
        return;
      case 'error':
        console.warn('phone receive socket', frame);
        return;
      default:
        return;
    }
  }

  private async deliver(item: Delivery): Promise<void> {
    const { msg_from: from, message: body, sent_timestamp: stamp } = item;
    if (typeof from !== 'string' || typeof body !== 'string' || typeof stamp !== 'string') return;
    let found = this.locate(from);
    if (!found) {
      await this.loadConversations();
      found = this.locate(from);
      if (!found) return;
    }
    const { conversation, sender } = found;
    const at = instant(stamp);
    this.inbox.put(conversation, { id: `${sender}|${at}`, ref: stamp, mine: false, sender, body, at }, { countUnread: true });
    this.persist(conversation);
    const commands = this.commands(conversation);
    this.sender(conversation).send({ command: commands.received, message: stamp, msg_from: this.me, msg_to: commands.to, sent_timestamp: nowStamp() });
    this.markRead(conversation);
  }

  private async refreshPresence(): Promise<void> {
    for (const conversation of this.inbox.conversations.values()) {
      if (conversation.kind !== 'dialogue' || !this.owns(conversation)) continue;
      const peer = conversation.id.slice('phone:dialogue:'.length);
      try {
        const { active } = await api<{ active: boolean }>('PATCH', '/chat/info/active/', { user_num: peer });
        if (conversation.online !== active) this.inbox.upsert(conversation.id, { kind: 'dialogue', title: conversation.title, online: active });
      } catch {
        // Presence is a hint; a failed look-up leaves the last known state.
      }
    }
  }
}
