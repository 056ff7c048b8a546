// The web client's message order: by time, then by server id, whatever order pages arrive in.
import { describe, expect, it, vi } from 'vitest';
import { Inbox, type Message } from '../../web/src/model.js';

const message = (seq: number, at: number): Message => ({ id: String(seq), seq, mine: false, sender: 's', body: `m${seq}`, at });

describe('Inbox.put', () => {
  it('keeps messages of the same millisecond in server order when a page arrives newest first', () => {
    const inbox = new Inbox(() => undefined);
    const conversation = inbox.upsert('rooms:1', { kind: 'room', title: 'r' });
    for (const [seq, at] of [[35, 1000], [34, 1000], [33, 999], [36, 1001]] as const) inbox.put(conversation, message(seq, at));
    expect(conversation.messages.map((m) => m.seq)).toEqual([33, 34, 35, 36]);
  });

  it('replaces a message it already has instead of adding it twice', () => {
    const inbox = new Inbox(() => undefined);
    const conversation = inbox.upsert('rooms:1', { kind: 'room', title: 'r' });
    inbox.put(conversation, message(1, 1000));
    inbox.put(conversation, { ...message(1, 1000), body: 'edited' });
    expect(conversation.messages.map((m) => m.body)).toEqual(['edited']);
  });
});

describe('a conversation kept unread', () => {
  it('counts what arrives while it stays open, and is read again once the reader leaves it', () => {
    vi.stubGlobal('document', { visibilityState: 'visible' });
    try {
      const inbox = new Inbox(() => undefined);
      const room = inbox.upsert('rooms:1', { kind: 'room', title: 'r' });
      const other = inbox.upsert('rooms:2', { kind: 'room', title: 'o' });
      inbox.select(room);
      inbox.put(room, message(1, 1000), { countUnread: true });
      expect(room.unread).toBe(0);
      expect(inbox.isReading(room)).toBe(true);

      room.keptUnread = true;
      expect(inbox.isReading(room)).toBe(false);
      inbox.put(room, message(2, 2000), { countUnread: true });
      expect(room.unread).toBe(1);

      inbox.select(other);
      inbox.select(room);
      expect(room.keptUnread).toBeUndefined();
      expect(inbox.isReading(room)).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
