// The view: conversation list, conversation, composer. It renders from the Inbox and asks the
// conversation's dialect to act. Everything is reachable by keyboard and labelled for readers.
import { h } from './dom.js';
import type { Link } from './link.js';
import { LinkStatus } from './link-status.js';
import { MessageList } from './message-list.js';
import type { Conversation, Dialect, Inbox, Member, Message, SearchHit } from './model.js';
import { SearchPanel, type Searcher } from './search-panel.js';
import { showVersions } from './versions.js';

const KIND_LABEL: Record<Conversation['kind'], string> = { dialogue: 'Chat', group: 'Group', match: 'Match room', room: 'Room' };

export interface ViewOptions {
  root: HTMLElement;
  inbox: Inbox;
  me: string;
  dialectOf(conversation: Conversation): Dialect;
  newDialogue?(phone: string): Promise<Conversation>;
  /** Message search, where a dialect offers it. */
  search?: Searcher;
  /** The state of all the account's sockets, shown while no conversation is open. */
  link(): Link;
  logout(): void;
}

export class View {
  private readonly list = h('ul', { class: 'conversations' });
  private readonly title = h('h2', { id: 'conversation-title' }, 'Choose a conversation');
  private readonly presence = h('span', { class: 'presence' });
  private readonly older = h('button', { type: 'button', class: 'older', hidden: true }, 'Load older messages');
  private readonly messages = h('ol', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-labelledby': 'conversation-title', tabindex: 0 });
  private readonly messageList = new MessageList(this.messages, {
    reply: (message) => this.startReply(message),
    edit: (message) => this.startEdit(message),
    remove: (message) => this.withCurrent((conversation, dialect) => dialect.remove(conversation, message.id)),
    react: (message, reaction) => this.react(message, reaction),
    retry: (message) => this.retry(message),
    pick: (message) => this.togglePicker(message),
    versions: (message) => this.showVersions(message),
    markUnread: (message) => this.markUnread(message),
  });
  private readonly searchPanel: SearchPanel | undefined;
  private readonly typingLine = h('p', { class: 'typing', 'aria-live': 'polite' });
  private readonly contextBar = h('div', { class: 'context', hidden: true });
  private readonly input = h('textarea', { id: 'composer-text', rows: 2, placeholder: 'Write a message', 'aria-autocomplete': 'list', 'aria-controls': 'mention-picker' });
  private readonly picker = h('ul', { id: 'mention-picker', class: 'picker', role: 'listbox', 'aria-label': 'Members to mention', hidden: true });
  private readonly attach = h('input', { type: 'file', id: 'attach', class: 'visually-hidden' });
  private readonly attachLabel = h('label', { for: 'attach', class: 'button', hidden: true }, 'Attach');
  private readonly status = new LinkStatus();
  private readonly conversationStatus = new LinkStatus();
  private readonly newChatError = h('p', { class: 'error', role: 'alert' });
  private readonly pane = h('section', { class: 'conversation', 'aria-labelledby': 'conversation-title' });
  private replyTo: Message | undefined;
  private editing: Message | undefined;
  private mentions = new Map<string, number>();
  private members: Member[] = [];
  private pickerIndex = 0;
  /** The message whose reaction picker is open. */
  private reactingTo: string | undefined;

  constructor(private readonly options: ViewOptions) {
    const { root } = options;
    const composer = h(
      'form',
      { class: 'composer', onsubmit: (event) => this.submit(event) },
      h('label', { for: 'composer-text', class: 'visually-hidden' }, 'Message'),
      this.input,
      this.picker,
      this.attachLabel,
      this.attach,
      h('button', { type: 'submit' }, 'Send'),
    );
    this.input.addEventListener('input', () => this.onInput());
    this.input.addEventListener('keydown', (event) => this.onKey(event));
    this.attach.addEventListener('change', () => void this.upload());
    this.older.addEventListener('click', () => void this.loadOlder());
    this.messages.addEventListener('scroll', () => {
      if (this.messages.scrollTop === 0 && !this.older.hidden) void this.loadOlder();
    });
    const newChat = options.newDialogue
      ? h(
          'form',
          { class: 'new-chat', onsubmit: (event) => void this.startDialogue(event) },
          h('label', { for: 'new-chat-phone' }, 'New chat with phone'),
          h('input', { id: 'new-chat-phone', name: 'phone', inputmode: 'numeric', pattern: '\\d{10}', required: true }),
          h('button', { type: 'submit' }, 'Start'),
          this.newChatError,
        )
      : null;
    this.searchPanel =
      options.search &&
      new SearchPanel({
        searcher: options.search,
        current: () => this.current,
        title: (id) => options.inbox.conversations.get(id)?.title,
        open: (hit) => void this.openHit(hit),
      });
    this.pane.append(
      h('header', {}, h('button', { type: 'button', class: 'back', onclick: () => void this.show(undefined) }, '← Conversations'), this.title, this.presence, this.conversationStatus.element),
      this.older,
      this.messages,
      this.typingLine,
      this.contextBar,
      composer,
    );
    root.replaceChildren(
      h('header', { class: 'top' }, h('h1', {}, 'Parley'), h('span', { class: 'me' }, options.me), this.status.element, h('button', { type: 'button', onclick: () => options.logout() }, 'Log out')),
      h('div', { class: 'layout' }, h('nav', { 'aria-label': 'Conversations' }, this.searchPanel?.element, newChat, this.list), this.pane),
    );
    document.addEventListener('visibilitychange', () => this.current && void this.dialect(this.current).open(this.current));
    this.render();
  }

  private get current(): Conversation | undefined {
    return this.options.inbox.current;
  }

  private dialect(conversation: Conversation): Dialect {
    return this.options.dialectOf(conversation);
  }

  /** A socket's state changed: the open conversation shows its own sockets', the list all of them. */
  linkChanged(): void {
    const conversation = this.current;
    this.status.element.hidden = conversation !== undefined;
    this.status.show(this.options.link());
    if (conversation) this.conversationStatus.show(this.dialect(conversation).link(conversation));
  }

  /** Called by the inbox on every change; re-renders the list and, if it changed, the open conversation. */
  render(changed?: Conversation): void {
    this.renderList();
    if (!changed || changed === this.current) this.renderConversation();
  }

  /** Opens a conversation; resolves once its history is loaded. */
  show(conversation: Conversation | undefined): Promise<void> {
    this.options.inbox.select(conversation);
    this.reactingTo = undefined;
    this.replyTo = undefined;
    this.editing = undefined;
    this.mentions.clear();
    this.members = [];
    document.body.classList.toggle('viewing', conversation !== undefined);
    this.render();
    this.linkChanged();
    this.searchPanel?.update();
    if (!conversation) return Promise.resolve();
    const dialect = this.dialect(conversation);
    if (dialect.abilities.mentions) void dialect.members(conversation).then((members) => (this.members = members));
    this.input.focus();
    return dialect.open(conversation).then(() => this.render());
  }

  /** A search result: its conversation, and the message there if it is in the loaded history. */
  private async openHit(hit: SearchHit): Promise<void> {
    const conversation = this.options.inbox.conversations.get(hit.conversationId);
    if (!conversation) return;
    if (conversation !== this.current) await this.show(conversation);
    this.messageList.reveal(hit.message.id);
  }

  private showVersions(message: Message): void {
    const dialect = this.current && this.dialect(this.current);
    if (!dialect?.versions) return;
    const back = (): void => this.messageList.focus(`versions:${message.id}`);
    dialect.versions(message.id).then(
      (history) => showVersions(history, back),
      (error: unknown) => showVersions(error instanceof Error ? error : new Error(String(error)), back),
    );
  }

  private markUnread(message: Message): void {
    this.withCurrent((conversation, dialect) => {
      void dialect.markUnread?.(conversation, message.id).then(
        () => this.render(),
        (error: unknown) => (this.typingLine.textContent = `Could not mark unread: ${error instanceof Error ? error.message : String(error)}`),
      );
    });
  }

  private renderList(): void {
    const items = [...this.options.inbox.conversations.values()].sort((a, b) => (b.messages.at(-1)?.at ?? 0) - (a.messages.at(-1)?.at ?? 0));
    this.list.replaceChildren(
      ...items.map((conversation) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'conversation-item',
              'data-conversation': conversation.id,
              'aria-current': conversation === this.current ? 'true' : null,
              onclick: () => void this.show(conversation),
            },
            h('span', { class: 'kind' }, KIND_LABEL[conversation.kind]),
            h('span', { class: 'name' }, conversation.title),
            conversation.online !== undefined && h('span', { class: `dot ${conversation.online ? 'online' : 'offline'}`, 'aria-label': conversation.online ? 'online' : 'offline' }),
            conversation.unread > 0 && h('span', { class: 'badge', 'aria-label': `${conversation.unread} unread` }, String(conversation.unread)),
          ),
        ),
      ),
    );
  }

  private renderConversation(): void {
    const conversation = this.current;
    this.pane.hidden = !conversation;
    if (!conversation) return;
    const abilities = this.dialect(conversation).abilities;
    this.title.textContent = `${conversation.title}`;
    this.presence.textContent = conversation.online === undefined ? '' : conversation.online ? 'online' : 'offline';
    this.older.hidden = !conversation.hasOlder;
    this.attachLabel.hidden = !abilities.attach;
    this.typingLine.textContent = conversation.typing ? `${conversation.typing} is typing…` : '';
    const nearBottom = this.messages.scrollHeight - this.messages.scrollTop - this.messages.clientHeight < 80;
    this.messageList.render(conversation, abilities, this.reactingTo);
    if (nearBottom) this.messages.scrollTop = this.messages.scrollHeight;
    const context = this.editing ? `Editing: ${this.editing.body}` : this.replyTo ? `Replying to ${this.replyTo.sender}: ${this.replyTo.body}` : '';
    this.contextBar.hidden = context === '';
    this.contextBar.replaceChildren(context, ' ', h('button', { type: 'button', onclick: () => this.cancelContext() }, 'Cancel'));
  }

  private withCurrent(act: (conversation: Conversation, dialect: Dialect) => void): void {
    const conversation = this.current;
    if (conversation) act(conversation, this.dialect(conversation));
  }

  private togglePicker(message: Message | undefined): void {
    const from = this.reactingTo;
    this.reactingTo = message?.id;
    this.renderConversation();
    if (message) this.messageList.focus(`pick:${message.id}:Like`);
    else if (from) this.messageList.focus(`add-reaction:${from}`);
  }

  private react(message: Message, reaction: string): void {
    this.withCurrent((conversation, dialect) => dialect.react(conversation, message.id, reaction));
    if (this.reactingTo === message.id) this.togglePicker(undefined);
  }

  private retry(message: Message): void {
    this.withCurrent((conversation, dialect) => dialect.retry(conversation, message.id));
    this.input.focus();
  }

  private startReply(message: Message): void {
    this.editing = undefined;
    this.replyTo = message;
    this.renderConversation();
    this.input.focus();
  }

  private startEdit(message: Message): void {
    this.replyTo = undefined;
    this.editing = message;
    this.input.value = message.body;
    this.renderConversation();
    this.input.focus();
  }

  private cancelContext(): void {
    if (this.editing) this.input.value = '';
    this.editing = undefined;
    this.replyTo = undefined;
    this.renderConversation();
    this.input.focus();
  }

  private submit(event: Event): void {
    event.preventDefault();
    const conversation = this.current;
    const body = this.input.value.trim();
    if (!conversation || body === '') return;
    const dialect = this.dialect(conversation);
    if (this.editing) dialect.edit(conversation, this.editing.id, body);
    else {
      const mentions = [...this.mentions].filter(([name]) => body.includes(`@${name}`)).map(([, id]) => id);
      dialect.send(conversation, body, { replyTo: this.replyTo?.id, mentions });
    }
    this.input.value = '';
    this.replyTo = undefined;
    this.editing = undefined;
    this.mentions.clear();
    this.hidePicker();
    this.renderConversation();
  }

  private async upload(): Promise<void> {
    const conversation = this.current;
    const file = this.attach.files?.[0];
    if (!conversation || !file) return;
    try {
      await this.dialect(conversation).upload(conversation, file, this.input.value.trim());
      this.input.value = '';
    } catch (error) {
      this.typingLine.textContent = `Upload failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.attach.value = '';
  }

  private async loadOlder(): Promise<void> {
    const conversation = this.current;
    if (!conversation) return;
    const height = this.messages.scrollHeight;
    await this.dialect(conversation).older(conversation);
    this.render();
    this.messages.scrollTop = this.messages.scrollHeight - height;
  }

  private async startDialogue(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const phone = new FormData(form).get('phone');
    if (typeof phone !== 'string' || !this.options.newDialogue) return;
    try {
      this.newChatError.textContent = '';
      void this.show(await this.options.newDialogue(phone));
      form.reset();
    } catch (error) {
      this.newChatError.textContent = `Could not start the chat: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private mentionQuery(): string | undefined {
    const before = this.input.value.slice(0, this.input.selectionStart ?? this.input.value.length);
    return /(?:^|\s)@([^\s@]*)$/.exec(before)?.[1];
  }

  private onInput(): void {
    const conversation = this.current;
    if (!conversation) return;
    const dialect = this.dialect(conversation);
    if (this.input.value !== '' && !this.editing) dialect.typing(conversation);
    const query = dialect.abilities.mentions ? this.mentionQuery() : undefined;
    if (query === undefined) return this.hidePicker();
    const matches = this.members.filter((m) => m.name.toLowerCase().includes(query.toLowerCase())).slice(0, 8);
    if (matches.length === 0) return this.hidePicker();
    this.pickerIndex = Math.min(this.pickerIndex, matches.length - 1);
    this.picker.replaceChildren(
      ...matches.map((member, index) =>
        h('li', { role: 'option', id: `mention-${member.id}`, 'aria-selected': index === this.pickerIndex ? 'true' : 'false', onmousedown: (event) => { event.preventDefault(); this.pick(member); } }, member.name, member.online ? ' •' : ''),
      ),
    );
    this.picker.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.input.setAttribute('aria-activedescendant', `mention-${matches[this.pickerIndex]?.id ?? ''}`);
  }

  private hidePicker(): void {
    this.picker.hidden = true;
    this.pickerIndex = 0;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  private pick(member: Member): void {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const before = this.input.value.slice(0, caret).replace(/@[^\s@]*$/, `@${member.name} `);
    this.input.value = before + this.input.value.slice(caret);
    this.input.setSelectionRange(before.length, before.length);
    this.mentions.set(member.name, member.id);
    this.hidePicker();
    this.input.focus();
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.picker.hidden) {
      const options = [...this.picker.children];
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        this.pickerIndex = (this.pickerIndex + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
        this.onInput();
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        const id = Number(options[this.pickerIndex]?.id.slice('mention-'.length));
        const member = this.members.find((m) => m.id === id);
        if (member) this.pick(member);
        return;
      }
      if (event.key === 'Escape') {
        this.hidePicker();
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      this.input.form?.requestSubmit();
    } else if (event.key === 'Escape') this.cancelContext();
  }
}
