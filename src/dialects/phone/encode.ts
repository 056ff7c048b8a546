// The phone dialect's encoder: core events and outcomes as the original's frames (the receive
// socket's deliveries and fetches, the send sockets' confirmations, error frames) and the
// original's timestamp formats. Each delivery frame depends on the event and the receiving
// phone only, so it is rendered once per (event, phone).
import type { AccountRef, DeliveryEvent, GroupEvent, MatchChange, MatchEvent } from '../../core/events.js';
import type { Instant } from '../../core/time.js';
import type { MessageRecord } from '../../store/records.js';

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

export function renderError(type: string, message: string, msgFrom: string | null, msgTo: string | null): string {
  return JSON.stringify({
    command: 'error',
    type,
    message,
    msg_from: msgFrom,
    msg_to: msgTo,
    sent_timestamp: serverTimestamp(),
  });
}

/** Items per fetch frame, as in the original. */
const FETCH_CHUNK = 10;

/**
 * The original's fetch envelope, produced as pages of items arrive: chunks of ten, `messages`
 * as a JSON-encoded string, `all` true on the last chunk only; one empty chunk when nothing
 * waits. A full chunk is held until the next item (or the end) shows whether it is the last.
 */
export async function* fetchFrames(command: string, pages: AsyncIterable<readonly object[]>): AsyncGenerator<string> {
  let held: object[] = [];
  for await (const page of pages) {
    for (const item of page) {
      if (held.length === FETCH_CHUNK) {
        yield fetchFrame(command, held, false);
        held = [];
      }
      held.push(item);
    }
  }
  yield fetchFrame(command, held, true);
}

function fetchFrame(command: string, items: readonly object[], all: boolean): string {
  return JSON.stringify({ command, messages: JSON.stringify(items), all });
}

/** The time a server frame was made: naive UTC with microseconds, as the original wrote it. */
export function serverTimestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/** A server instant written the same naive way. */
export function naiveTimestamp(instant: string): string {
  return instant.slice(0, 26);
}

/** A stored client timestamp as fetches show it: microseconds and Z, no fraction when zero. */
export function storedTimestamp(instant: Instant | string): string {
  const micros = instant.slice(20, 26);
  return micros === '000000' ? `${instant.slice(0, 19)}Z` : `${instant.slice(0, 26)}Z`;
}

/** An instant in an HTTP body: milliseconds and Z, no fraction when zero (Django's encoder). */
export function httpTimestamp(instant: string | null): string | null {
  if (instant === null) return null;
  const micros = instant.slice(20, 26);
  return micros === '000000' ? `${instant.slice(0, 19)}Z` : `${instant.slice(0, 23)}Z`;
}

/** How each send socket confirms a posted message: its keys, in its order. */
const SENT_KEYS = {
  personal: ['msg_from', 'msg_to', 'message', 'command', 'sent_timestamp'],
  group: ['message', 'msg_from', 'msg_to', 'sent_timestamp', 'command'],
  room: ['msg_from', 'msg_to', 'message', 'sent_timestamp', 'command'],
} satisfies Record<string, string[]>;

export type SendSocketKind = keyof typeof SENT_KEYS;

/** The msg_sent frame: `message` names the posted message by its timestamp, as the socket shows it. */
export function sentFrame(socket: SendSocketKind, parties: { from: string; to: string }, message: string): string {
  const values = { msg_from: parties.from, msg_to: parties.to, message, command: 'msg_sent', sent_timestamp: serverTimestamp() };
  // The key list as JSON.stringify's replacer: the frame's keys in the socket's order.
  return JSON.stringify(values, SENT_KEYS[socket]);
}

/** One stored message as the fetch frames list it. */
export function fetchedItem(message: MessageRecord, from: string | null, own: string) {
  return {
    msg_from: from,
    msg_to: own,
    message: message.body,
    command: 'new_msg',
    sent_timestamp: message.sentAt === null ? message.clientSentAt : storedTimestamp(message.sentAt),
  };
}
