// Core events as the phone dialect's receive-socket frames. Each frame depends on the event
// and the receiving phone only, so it is rendered once per (event, phone).
import type { AccountRef, DeliveryEvent, GroupEvent, MatchChange, MatchEvent } from '../../core/events.js';
import { naiveTimestamp, storedTimestamp } from './frames.js';

/** How a match room shows the partner: never by phone. */
export const ROOM_PARTY = 'room';

/** The receive-socket frame for the event, or undefined when this dialect shows nothing. */
export function renderDelivery(event: DeliveryEvent, recipientPhone: string): string | undefined {
  switch (event.type) {
    case 'group.changed':
      return renderGroupUpdate(event, recipientPhone);
    case 'match.changed':
      return renderMatchUpdate(event, recipientPhone);
    case 'conversation.opened':
    case 'conversation.closed':
      if (event.conversation.kind !== 'dialogue') return undefined;
      return JSON.stringify({
        message: { type: 'personal', command: event.type === 'conversation.opened' ? 'create' : 'delete' },
        msg_from: event.actor.phone,
        msg_to: recipientPhone,
        sent_timestamp: naiveTimestamp(event.at),
        command: 'update',
      });
  }
  const { kind, key } = event.conversation;
  if (kind !== 'dialogue' && kind !== 'group' && kind !== 'match') return undefined;
  /** Who the frame says it is from: the phone, "<key>-<phone>" in a group, "room" in a match room. */
  const shown = (account: AccountRef): string | null =>
    kind === 'group' ? `${key ?? ''}-${account.phone ?? ''}` : kind === 'match' ? ROOM_PARTY : account.phone;
  switch (event.type) {
    case 'message.created':
      return JSON.stringify({
        message: event.message.body,
        msg_from: shown(event.sender),
        msg_to: recipientPhone,
        command: 'new_msg',
        // Group deliveries carry the stored, server-normalized instant; the others the raw string.
        sent_timestamp:
          kind === 'group' && event.message.sentAt !== null
            ? storedTimestamp(event.message.sentAt)
            : event.message.clientSentAt,
      });
    case 'receipt':
      return JSON.stringify({
        message: event.ref,
        msg_from: shown(event.by),
        msg_to: recipientPhone,
        command: event.receipt === 'received' ? 'msg_received' : 'msg_read',
        sent_timestamp: event.at,
      });
    case 'typing':
      return JSON.stringify({
        msg_from: shown(event.by),
        msg_to: recipientPhone,
        command: 'is_typing',
        sent_timestamp: event.at,
      });
  }
}

/** The original's group notification: the key as msg_from, actor and target inside. */
function renderGroupUpdate(event: GroupEvent, recipientPhone: string): string {
  return JSON.stringify({
    message: {
      type: 'group',
      command: event.change,
      msg_from: event.actor.phone,
      msg_to: event.target?.phone ?? null,
    },
    msg_from: event.conversation.key ?? null,
    msg_to: recipientPhone,
    sent_timestamp: naiveTimestamp(event.at),
    command: 'update',
  });
}

/** The original's command word for each change to a match room. */
const MATCH_COMMANDS: Record<MatchChange, string> = { create: 'create', end: 'deactive', grade: 'grade', replace: 'replace', delete: 'delete' };

/**
 * A match room notification. Each partner sees their own phone and "room" for the other, until
 * the room is replaced by a dialogue: that notification introduces them.
 */
function renderMatchUpdate(event: MatchEvent, recipientPhone: string): string {
  const revealed = event.change === 'replace';
  const shown = (account: AccountRef): string | null =>
    revealed || account.phone === recipientPhone ? account.phone : ROOM_PARTY;
  const withPartner = event.change === 'create' || event.change === 'replace';
  return JSON.stringify({
    message: {
      type: 'room',
      command: MATCH_COMMANDS[event.change],
      msg_from: shown(event.actor),
      msg_to: withPartner ? shown(event.partner) : null,
    },
    msg_from: shown(event.actor),
    msg_to: recipientPhone,
    sent_timestamp: naiveTimestamp(event.at),
    command: 'update',
  });
}
