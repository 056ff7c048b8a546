// The web client's timeline: day separators by local day, the unread line, grouped runs of one sender.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../web/src/model.js';
import { dayLabel, GROUP_WINDOW_MS, timeline, type TimelineEntry } from '../../web/src/timeline.js';

const local = (day: number, hour: number, minute = 0): number => new Date(2026, 2, day, hour, minute).getTime();
const now = local(30, 12);

let seq = 0;
function message(at: number, fields: Partial<Message> = {}): Message {
  seq += 1;
  return { id: String(seq), seq, mine: false, sender: 'Anagh', senderId: 1, body: `m${seq}`, at, ...fields };
}

/** The timeline as short strings: "day:Today", "unread", "m3" or "m3+" (continued). */
function shape(entries: TimelineEntry[]): string[] {
  return entries.map((entry) => (entry.kind === 'day' ? `day:${entry.label}` : entry.kind === 'unread' ? 'unread' : `${entry.message.body}${entry.continued ? '+' : ''}`));
}

describe('dayLabel', () => {
  it('names today and yesterday by the local calendar, not by 24-hour spans', () => {
    expect(dayLabel(local(30, 0, 1), now)).toBe('Today');
    expect(dayLabel(local(29, 23, 59), local(30, 0, 1))).toBe('Yesterday');
    // Across the change to summer time in much of Europe (29 March 2026), a day of 23 hours.
    expect(dayLabel(local(29, 0, 30), local(30, 0, 10))).toBe('Yesterday');
    expect(dayLabel(local(28, 23, 59), local(30, 0, 1))).not.toBe('Yesterday');
  });

  it('gives older days as a date, with the year only when it is not this one', () => {
    // The punctuation between the parts varies with the ICU version; the parts do not.
    expect(dayLabel(local(3, 10), now, 'en-GB')).toMatch(/^Tuesday,? 3 March$/);
    expect(dayLabel(new Date(2025, 11, 31, 10).getTime(), now, 'en-GB')).toMatch(/^Wednesday,? 31 December 2025$/);
  });
});

describe('timeline', () => {
  it('puts a separator before the first message of each local day', () => {
    const messages = [message(local(28, 9), { body: 'a' }), message(local(29, 23, 58), { body: 'b' }), message(local(30, 0, 1), { body: 'c' })];
    expect(shape(timeline(messages, { now, locale: 'en-GB' }))).toEqual([`day:${dayLabel(local(28, 9), now, 'en-GB')}`, 'a', 'day:Yesterday', 'b', 'day:Today', 'c']);
    expect(dayLabel(local(28, 9), now, 'en-GB')).toMatch(/^Saturday,? 28 March$/);
  });

  it('groups consecutive messages of one sender within the window, and starts a new group otherwise', () => {
    const messages = [
      message(local(30, 9, 0), { body: 'a' }),
      message(local(30, 9, 1), { body: 'b' }),
      message(local(30, 9, 1) + GROUP_WINDOW_MS, { body: 'c' }),
      message(local(30, 9, 7), { body: 'd', sender: 'Achal', senderId: 2 }),
      message(local(30, 9, 8), { body: 'e', mine: true, sender: 'me', senderId: undefined }),
      message(local(30, 9, 8), { body: 'f', mine: true, sender: 'me', senderId: undefined }),
    ];
    expect(shape(timeline(messages, { now }))).toEqual(['day:Today', 'a', 'b+', 'c', 'd', 'e', 'f+']);
  });

  it('tells senders apart by account id where there is one, by name where there is not', () => {
    const messages = [
      message(local(30, 9), { body: 'a', sender: 'Anagh', senderId: 1 }),
      message(local(30, 9), { body: 'b', sender: 'Anagh', senderId: 7 }),
      message(local(30, 9), { body: 'c', sender: '9000000001', senderId: undefined }),
      message(local(30, 9), { body: 'd', sender: '9000000001', senderId: undefined }),
    ];
    expect(shape(timeline(messages, { now }))).toEqual(['day:Today', 'a', 'b', 'c', 'd+']);
  });

  it('puts the unread line before the first unread message, which then starts a group', () => {
    const messages = [message(local(30, 9), { body: 'a' }), message(local(30, 9, 1), { body: 'b' }), message(local(30, 9, 2), { body: 'c' })];
    const unreadFrom = messages[1]?.id;
    expect(shape(timeline(messages, { now, unreadFrom }))).toEqual(['day:Today', 'a', 'unread', 'b', 'c+']);
    expect(shape(timeline(messages, { now, unreadFrom: 'gone' }))).toEqual(['day:Today', 'a', 'b+', 'c+']);
  });
});
