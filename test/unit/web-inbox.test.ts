// The web client's message order: by time, then by server id, whatever order pages arrive in.
import { describe, expect, it } from 'vitest';
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
