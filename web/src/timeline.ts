// How a conversation's messages are laid out: a separator at each new local day, the unread
// line before the first message the reader had not seen, and runs of one sender grouped.
import type { Message } from './model.js';

/** Messages of one sender closer together than this share a group (one name, tighter spacing). */
export const GROUP_WINDOW_MS = 5 * 60_000;

export type TimelineEntry =
  | { kind: 'day'; label: string }
  | { kind: 'unread' }
  /** `continued`: the message follows one of the same sender's in the same group. */
  | { kind: 'message'; message: Message; continued: boolean };

function startOfDay(at: number): number {
  const day = new Date(at);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** "Today", "Yesterday", else the local date (the year only when it is not this year's). */
export function dayLabel(at: number, now: number, locale?: string): string {
  const day = startOfDay(at);
  const today = new Date(startOfDay(now));
  if (day === today.getTime()) return 'Today';
  // Calendar arithmetic rather than 24 hours, so that a day of 23 or 25 hours is still one day.
  today.setDate(today.getDate() - 1);
  if (day === today.getTime()) return 'Yesterday';
  const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: sameYear ? undefined : 'numeric' }).format(at);
}

/** Who a message is from, for grouping: the account id where the dialect gives one, else the name. */
function author(message: Message): string {
  if (message.mine) return 'me';
  return message.senderId === undefined ? `name:${message.sender}` : `id:${message.senderId}`;
}

/** The entries to show for messages in time order; `unreadFrom` is the id of the first unread one. */
export function timeline(messages: readonly Message[], options: { unreadFrom?: string; now: number; locale?: string }): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let previous: Message | undefined;
  for (const message of messages) {
    let separated = false;
    if (!previous || startOfDay(previous.at) !== startOfDay(message.at)) {
      entries.push({ kind: 'day', label: dayLabel(message.at, options.now, options.locale) });
      separated = true;
    }
    if (message.id === options.unreadFrom) {
      entries.push({ kind: 'unread' });
      separated = true;
    }
    const continued = !separated && previous !== undefined && author(previous) === author(message) && message.at - previous.at < GROUP_WINDOW_MS;
    entries.push({ kind: 'message', message, continued });
    previous = message;
  }
  return entries;
}
