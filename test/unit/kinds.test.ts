// The kind policy table decides retention, fan-out, receipts and actions.
import { describe, expect, it } from 'vitest';
import { LocalBus } from '../../src/bus/local-bus.js';
import type { CoreEvent } from '../../src/core/events.js';
import { KINDS, allows, dropsDelivered, fanOut } from '../../src/core/kinds.js';

const event: CoreEvent = { type: 'typing', conversation: { id: 7, kind: 'room' }, by: { id: 1, phone: null, username: 'a', firstName: 'A', lastName: 'B', photo: null, role: 'student' }, at: 'now', typing: true };

async function topicsReached(kind: 'dialogue' | 'room'): Promise<string[]> {
  const bus = new LocalBus<CoreEvent>({ onHandlerError: () => undefined });
  const reached: string[] = [];
  for (const topic of ['conversation:7', 'account:2', 'account:3']) bus.subscribe(topic, (_event, at) => reached.push(at));
  await fanOut(bus, { id: 7, kind }, [2, 3], event);
  return reached;
}

describe('kind policies', () => {
  it('keep history for rooms only; the phone kinds drop a message once delivered', () => {
    expect(Object.keys(KINDS).sort()).toEqual(['dialogue', 'group', 'match', 'room']);
    expect(dropsDelivered('room')).toBe(false);
    for (const kind of ['dialogue', 'group', 'match'] as const) expect(dropsDelivered(kind)).toBe(true);
  });

  it('allow the room actions in rooms only, and acknowledgements in the phone kinds only', () => {
    for (const action of ['edit', 'delete', 'react', 'pin', 'reply', 'mention', 'attach'] as const) {
      expect(allows('room', action)).toBe(true);
      expect(allows('dialogue', action)).toBe(false);
    }
    expect(allows('group', 'acknowledge')).toBe(true);
    expect(allows('room', 'acknowledge')).toBe(false);
  });

  it('fan out once on the topic for rooms, to each recipient for the others', async () => {
    expect(await topicsReached('room')).toEqual(['conversation:7']);
    expect(await topicsReached('dialogue')).toEqual(['account:2', 'account:3']);
  });
});
