// The phone dialect's rendering of group and match-room events, and the match-room setting.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DeliveryEvent } from '../../src/core/events.js';
import { renderDelivery } from '../../src/dialects/phone/encode.js';

const alice = { id: 1, phone: '1111111111', username: 'alice' };
const aliceWriting = { ...alice, firstName: 'Alice', lastName: 'A', photo: null, role: 'student' };
const carol = { id: 3, phone: '3333333333', username: 'carol' };
const group = { id: 7, kind: 'group' as const, key: '45F67B2B9A' };
const room = { id: 8, kind: 'match' as const };
const render = (event: DeliveryEvent, phone: string) => JSON.parse(renderDelivery(event, phone) ?? 'null');

describe('group frames', () => {
  it('names the sender "<key>-<phone>" and carries the normalized stored timestamp', () => {
    const event: DeliveryEvent = {
      type: 'message.created',
      conversation: group,
      sender: aliceWriting,
      message: {
        id: 1,
        body: 'hi',
        type: 'text',
        clientSentAt: '2021-01-20 11:00:04.75',
        sentAt: '2021-01-20T11:00:04.750000Z',
        attachment: null,
        parent: null,
        createdAt: '2021-01-20T11:00:05.000000Z',
      },
    };
    expect(renderDelivery(event, carol.phone)).toBe(
      JSON.stringify({ message: 'hi', msg_from: '45F67B2B9A-1111111111', msg_to: carol.phone, command: 'new_msg', sent_timestamp: '2021-01-20T11:00:04.750000Z' }),
    );
  });

  it('renders membership changes as the original update frame', () => {
    const event: DeliveryEvent = { type: 'group.changed', conversation: group, change: 'add', actor: alice, target: carol, at: '2021-01-20T11:00:05.123456Z' };
    expect(render(event, carol.phone)).toEqual({
      message: { type: 'group', command: 'add', msg_from: alice.phone, msg_to: carol.phone },
      msg_from: group.key,
      msg_to: carol.phone,
      sent_timestamp: '2021-01-20T11:00:05.123456',
      command: 'update',
    });
  });
});

describe('match-room frames', () => {
  it('never names the partner, until the room is replaced by a dialogue', () => {
    const at = '2021-01-20T11:00:05.000000Z';
    for (const change of ['create', 'end', 'grade', 'delete'] as const) {
      const event: DeliveryEvent = { type: 'match.changed', conversation: room, change, actor: alice, partner: carol, at };
      expect(JSON.stringify(render(event, carol.phone))).not.toContain(alice.phone);
      expect(JSON.stringify(render(event, alice.phone))).not.toContain(carol.phone);
    }
    const replaced: DeliveryEvent = { type: 'match.changed', conversation: room, change: 'replace', actor: alice, partner: carol, at };
    expect(render(replaced, carol.phone).message).toEqual({ type: 'room', command: 'replace', msg_from: alice.phone, msg_to: carol.phone });
    const typing: DeliveryEvent = { type: 'typing', conversation: room, by: aliceWriting, at: 'x', typing: true };
    expect(render(typing, carol.phone)).toEqual({ msg_from: 'room', msg_to: carol.phone, command: 'is_typing', sent_timestamp: 'x' });
  });
});

describe('PARLEY_MATCH_ROOM_HOURS', () => {
  it('defaults to 24, takes fractions, and refuses anything but a positive number', () => {
    expect(loadConfig({}).matchRoomHours).toBe(24);
    expect(loadConfig({ PARLEY_MATCH_ROOM_HOURS: '0.5' }).matchRoomHours).toBe(0.5);
    for (const bad of ['0', '-1', 'a day', '1e3']) {
      expect(() => loadConfig({ PARLEY_MATCH_ROOM_HOURS: bad })).toThrow(/PARLEY_MATCH_ROOM_HOURS/);
    }
  });
});
