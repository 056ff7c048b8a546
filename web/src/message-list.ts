// The open conversation's messages as a list: day separators, the unread line, grouped runs of
// one sender, reactions and the send state of mine. Only entries that changed are rebuilt, so a
// screen reader hears what is new and focus stays on the button that was pressed.
import { h, reconcile } from './dom.js';
import { splitEmoji } from './emoji.js';
import type { Abilities, Conversation, Message, Receipt } from './model.js';
import { addReactionButton, reactionButtons, reactionPicker } from './reactions.js';
import { timeline, type TimelineEntry } from './timeline.js';

/** How a send state looks: ticks as in chat apps, with the words for screen readers. */
const RECEIPT: Record<Receipt, { mark?: string; label: string }> = {
  sending: { label: 'Sending…' },
  sent: { mark: '✓', label: 'Sent' },
  received: { mark: '✓✓', label: 'Received' },
  read: { mark: '✓✓', label: 'Read' },
  failed: { label: 'Not sent' },
};
const IMAGE = /\.(png|jpe?g|gif|webp|svg)(\?|$)/i;
const AVATAR_HUES = 8;
/** How long a message found by search stays highlighted. */
const FOUND_MS = 4000;

export interface MessageActions {
  reply(message: Message): void;
  edit(message: Message): void;
  remove(message: Message): void;
  react(message: Message, reaction: string): void;
  retry(message: Message): void;
  /** Opens the reaction picker of a message, or closes it (`undefined`). */
  pick(message: Message | undefined): void;
  /** Shows an edited message's earlier texts. */
  versions(message: Message): void;
  markUnread(message: Message): void;
}

/** A message the server has: one still on its way or not sent cannot be replied to, edited or reacted to. */
function settled(message: Message): boolean {
  return message.receipt !== 'sending' && message.receipt !== 'failed';
}

/** Text with its emoji in spans of their own, drawn from the colour emoji font. */
function withEmoji(text: string): Array<string | HTMLElement> {
  return splitEmoji(text).map((run) => (run.emoji ? h('span', { class: 'emoji' }, run.text) : run.text));
}

function receipt(state: Receipt): HTMLElement {
  const { mark, label } = RECEIPT[state];
  return h(
    'span',
    { class: 'receipt', 'data-receipt': state, title: label },
    mark ? h('span', { 'aria-hidden': 'true' }, mark) : label,
    mark ? h('span', { class: 'visually-hidden' }, label) : null,
  );
}

/** One of a few avatar colours, the same for a sender every time (by account id where known). */
function hue(key: string): number {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % AVATAR_HUES;
}

export class MessageList {
  private rendered = new Map<string, { version: string; element: HTMLElement }>();
  private conversationId: string | undefined;
  private foundTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly element: HTMLElement,
    private readonly actions: MessageActions,
  ) {}

  render(conversation: Conversation, abilities: Abilities, pickerFor: string | undefined): void {
    if (conversation.id !== this.conversationId) {
      this.rendered.clear();
      this.conversationId = conversation.id;
    }
    const focused = this.element.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.focus : undefined;
    const entries = timeline(conversation.messages, { unreadFrom: conversation.unreadFrom, now: Date.now() });
    const next = new Map<string, { version: string; element: HTMLElement }>();
    for (const entry of entries) {
      const key = entry.kind === 'message' ? `message:${entry.message.id}` : entry.kind === 'day' ? `day:${entry.label}` : 'unread';
      const version = JSON.stringify([entry, entry.kind === 'message' && pickerFor === entry.message.id]);
      const kept = this.rendered.get(key);
      next.set(key, kept?.version === version ? kept : { version, element: this.entryElement(entry, abilities, pickerFor) });
    }
    this.rendered = next;
    reconcile(this.element, [...next.values()].map((item) => item.element));
    if (focused && !this.element.contains(document.activeElement)) this.focus(focused);
  }

  /** Scrolls to a message and highlights it for a while; false if it is not in the list. */
  reveal(messageId: string): boolean {
    const item = [...this.element.querySelectorAll<HTMLElement>('.message')].find((element) => element.dataset.id === messageId);
    if (!item) return false;
    clearTimeout(this.foundTimer);
    for (const found of this.element.querySelectorAll('.found')) found.classList.remove('found');
    item.classList.add('found');
    item.scrollIntoView({ block: 'center' });
    this.foundTimer = setTimeout(() => item.classList.remove('found'), FOUND_MS);
    return true;
  }

  /** Moves focus to a button of the list by its focus key, once it is rendered. */
  focus(key: string): void {
    [...this.element.querySelectorAll<HTMLElement>('[data-focus]')].find((element) => element.dataset.focus === key)?.focus();
  }

  private entryElement(entry: TimelineEntry, abilities: Abilities, pickerFor: string | undefined): HTMLElement {
    switch (entry.kind) {
      case 'day':
        return h('li', { class: 'day' }, h('span', {}, entry.label));
      case 'unread':
        return h('li', { class: 'unread-line' }, h('span', {}, 'New messages'));
      case 'message':
        return this.messageItem(entry.message, entry.continued, abilities, pickerFor === entry.message.id);
    }
  }

  private messageItem(message: Message, continued: boolean, abilities: Abilities, pickerOpen: boolean): HTMLElement {
    const { actions } = this;
    const time = new Date(message.at);
    const usable = !message.deleted && settled(message);
    // Only someone else's message counts as unread (the server does not count mine).
    const canMarkUnread = usable && abilities.markUnread && !message.mine;
    const canAct = usable && (abilities.reply || abilities.react || canMarkUnread || (message.mine && (abilities.edit || abilities.remove)));
    const name = message.mine ? 'You' : message.sender;
    return h(
      'li',
      { class: `message${message.mine ? ' mine' : ''}${continued ? ' continued' : ''}`, 'data-id': message.id },
      !message.mine && h('span', { class: continued ? 'avatar-space' : `avatar hue-${hue(message.senderId === undefined ? message.sender : String(message.senderId))}`, 'aria-hidden': 'true' }, continued ? '' : [...message.sender][0]?.toUpperCase() ?? '?'),
      h(
        'div',
        { class: 'column' },
        h(
          'div',
          { class: 'bubble' },
          // Every message names its sender for screen readers; the eye sees it once per group.
          h('span', { class: `sender${message.mine || continued ? ' visually-hidden' : ''}` }, name),
          message.reply && h('blockquote', { class: 'reply' }, ...withEmoji(`${message.reply.sender}: ${message.reply.body}`)),
          message.deleted
            ? h('p', { class: 'body deleted' }, 'This message was deleted')
            : h('p', { class: 'body' }, ...withEmoji(message.body), message.edited ? ' ' : null, message.edited ? this.editedMark(message, abilities) : null),
          !message.deleted && message.attachment && (IMAGE.test(message.attachment)
            ? h('a', { href: message.attachment, target: '_blank', rel: 'noopener' }, h('img', { src: message.attachment, alt: `Attachment from ${name}`, class: 'preview', loading: 'lazy' }))
            : h('a', { href: message.attachment, target: '_blank', rel: 'noopener', class: 'attachment' }, 'Attachment')),
          h(
            'span',
            { class: 'meta' },
            h('time', { datetime: time.toISOString(), title: time.toLocaleString() }, time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })),
            message.mine && message.receipt && receipt(message.receipt),
          ),
        ),
        message.receipt === 'failed' &&
          message.mine &&
          h(
            'p',
            { class: 'failure' },
            message.failure ? `Not sent: ${message.failure}. ` : 'Not sent. ',
            h('button', { type: 'button', 'data-focus': `retry:${message.id}`, onclick: () => actions.retry(message) }, 'Retry'),
          ),
        usable && abilities.react && reactionButtons(message.id, message.reactions ?? {}, (reaction) => actions.react(message, reaction)),
        canAct &&
          h(
            'div',
            { class: 'actions' },
            abilities.reply && h('button', { type: 'button', 'data-focus': `reply:${message.id}`, onclick: () => actions.reply(message) }, 'Reply'),
            abilities.react && addReactionButton(message.id, pickerOpen, () => actions.pick(pickerOpen ? undefined : message)),
            message.mine && abilities.edit && h('button', { type: 'button', 'data-focus': `edit:${message.id}`, onclick: () => actions.edit(message) }, 'Edit'),
            message.mine && abilities.remove && h('button', { type: 'button', 'data-focus': `delete:${message.id}`, onclick: () => actions.remove(message) }, 'Delete'),
            canMarkUnread && h('button', { type: 'button', 'data-focus': `unread:${message.id}`, onclick: () => actions.markUnread(message) }, 'Mark unread'),
          ),
        pickerOpen && canAct && abilities.react && reactionPicker(message.id, (reaction) => actions.react(message, reaction), () => actions.pick(undefined)),
      ),
    );
  }

  /** "(edited)": a button that opens the versions where the dialect keeps them. */
  private editedMark(message: Message, abilities: Abilities): HTMLElement {
    if (!abilities.versions) return h('span', { class: 'edited' }, '(edited)');
    return h(
      'button',
      { type: 'button', class: 'edited', 'data-focus': `versions:${message.id}`, 'aria-haspopup': 'dialog', title: 'Show the earlier versions', onclick: () => this.actions.versions(message) },
      '(edited)',
    );
  }
}
