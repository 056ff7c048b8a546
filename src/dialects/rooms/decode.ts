// The rooms dialect's decoder: a room-socket frame into the core's command (RoomCommand), in the
// domain's names. Frames it cannot read are refused with the original's wording (FrameRefusal).
import { unstorableText } from '../../core/text.js';
import { ROOMS_WORDING } from './wording.js';

export type RoomCommand =
  | { action: 'send'; body: string; type: string; mentions: number[]; parentId: number | null; clientId?: string }
  | { action: 'edit'; messageId: number; body: string }
  | { action: 'react'; messageId: number; reaction: string }
  | { action: 'delete'; messageId: number }
  | { action: 'pin'; messageId: number; pin: boolean }
  | { action: 'typing'; typing: boolean };

/** A refusal of the frame itself, answered with the original's wording where it had one. */
export class FrameRefusal extends Error {}

type Frame = Record<string, unknown>;

/** A client's id for a message it sends (Parley's addition): what a UUID or a counter is written with. */
export const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const CLIENT_ID_RULE = 'must be 1 to 64 letters, digits or - _ . : characters.';

/** Each action word of the original, and how its frame reads; a frame with no action sends. */
const ACTIONS: Record<string, (frame: Frame, roomId: number) => RoomCommand> = {
  send_message(frame, roomId) {
    if (!Object.hasOwn(frame, 'message')) throw new FrameRefusal("Missing 'message' field for send_message action.");
    const body = frame.message;
    if (typeof body !== 'string') throw new FrameRefusal("'message' must be a string.");
    const type = frame.message_type ?? 'text';
    if (typeof type !== 'string') throw new FrameRefusal("'message_type' must be a string.");
    if (frame.attachment !== undefined && frame.attachment !== null) {
      throw new FrameRefusal(`Attachments are sent with POST /api/chat/groups/${roomId}/messages/upload/.`);
    }
    const mentions = frame.mentions ?? [];
    if (!Array.isArray(mentions) || !mentions.every(isId)) throw new FrameRefusal("'mentions' must be a list of user ids.");
    const parent = frame.parent_message_id ?? null;
    if (parent !== null && !isId(parent)) throw new FrameRefusal("'parent_message_id' must be a message id or null.");
    const clientId = frame.client_id ?? undefined;
    if (clientId !== undefined && (typeof clientId !== 'string' || !CLIENT_ID.test(clientId))) {
      throw new FrameRefusal(`'client_id' ${CLIENT_ID_RULE}`);
    }
    return { action: 'send', body, type, mentions, parentId: parent, clientId };
  },
  edit_message(frame) {
    const id = messageId(frame.message_id);
    const body = frame.new_content;
    if (id === undefined || typeof body !== 'string' || body === '') {
      throw new FrameRefusal("Both 'message_id' and 'new_content' are required for editing.");
    }
    return { action: 'edit', messageId: id, body };
  },
  react_message(frame) {
    const id = messageId(frame.message_id);
    if (id === undefined || typeof frame.reaction !== 'string' || frame.reaction === '') {
      throw new FrameRefusal("'message_id' and 'reaction' are required for react_message.");
    }
    return { action: 'react', messageId: id, reaction: frame.reaction };
  },
  delete_message(frame) {
    const id = messageId(frame.message_id);
    if (id === undefined) throw new FrameRefusal('Message ID is required for deletion.');
    return { action: 'delete', messageId: id };
  },
  pin_message(frame) {
    const id = messageId(frame.message_id);
    if (id === undefined) throw new FrameRefusal('Message ID is required for pinning.');
    const pin = frame.pin ?? true;
    if (typeof pin !== 'boolean') throw new FrameRefusal("'pin' must be true or false.");
    return { action: 'pin', messageId: id, pin };
  },
  typing: () => ({ action: 'typing', typing: true }),
  stop_typing: () => ({ action: 'typing', typing: false }),
};

/** Reads a text frame of the socket of room `roomId`. */
export function decodeRoomFrame(text: string, roomId: number): RoomCommand {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new FrameRefusal('Invalid JSON format');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw new FrameRefusal('Invalid JSON format');
  const record = frame as Frame;
  const unstorable = unstorableText(record);
  if (unstorable) throw new FrameRefusal(`'${unstorable.field}': ${ROOMS_WORDING.problem(unstorable.problem)}`);
  const action = record.action ?? 'send_message';
  const decode = typeof action === 'string' && Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (!decode) throw new FrameRefusal('Unknown action');
  return decode(record, roomId);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** A message id as an integer; digit strings are read too (the original accepted them). */
function messageId(value: unknown): number | undefined {
  if (isId(value)) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value) && Number(value) > 0) return Number(value);
  return undefined;
}
