// The rooms dialect's encoder: core events as the room socket's and the notification socket's
// frames (UTC), key for key and in the original's key order, each rendered once per event and
// variant (see gateway/rendered.ts). A change logged at a position (core/changes.ts) carries it
// as the frame's last key, `position` (Parley's addition; absent otherwise, as JSON drops undefined).
import type { DeliveryEvent, MessageCreated, NotificationCreated, Participant } from '../../core/events.js';
import type { DialectFrames } from '../../gateway/rendered.js';
import { socketTimestamp } from './format.js';
import { absolute } from './render.js';

/** Who is looking at a room socket. */
export interface RoomViewer {
  accountId: number;
  roomId: number;
  /** Absolute base for attachment URLs, e.g. http://host:port */
  baseUrl: string;
}

/**
 * The room-socket frame of an event, or undefined when this viewer is shown nothing. Leaving
 * and closing are not frames: the socket closes (chat-socket.ts).
 */
export function roomEventFrame(event: DeliveryEvent, viewer: RoomViewer, frames: DialectFrames): string | undefined {
  switch (event.type) {
    case 'message.created': {
      const self = event.sender.id === viewer.accountId;
      return frames.once(`message:${self}:${viewer.baseUrl}`, () => messageFrame(event, viewer.roomId, self, viewer.baseUrl));
    }
    case 'message.edited':
      return frames.once('edited', () => JSON.stringify({ action: 'edited', id: event.messageId, new_content: event.body, position: event.position }));
    case 'message.reacted':
      return frames.once('reacted', () => JSON.stringify({ action: 'reacted', id: event.messageId, reactions: event.reactions, position: event.position }));
    case 'message.deleted':
      return frames.once('deleted', () => JSON.stringify({ action: 'deleted', id: event.messageId, position: event.position }));
    case 'message.pinned':
      return frames.once('pinned', () =>
        JSON.stringify({
          action: 'message_pinned',
          id: event.messageId,
          is_pinned: event.pinnedAt !== null,
          pinned_at: event.pinnedAt && socketTimestamp(event.pinnedAt),
          position: event.position,
        }),
      );
    case 'typing':
      // The typist's own sockets are not told, as in the original.
      if (event.by.id === viewer.accountId) return undefined;
      return frames.once('typing', () => JSON.stringify({ action: 'typing', sender: frameSender(event.by), is_typing: event.typing }));
    default:
      return undefined;
  }
}

/** The notification socket's frame of a notification. */
export function notificationFrame(n: NotificationCreated['notification']): string {
  return JSON.stringify({
    notification: { id: n.id, event_type: n.eventType, message: n.body, url: n.url, created_at: socketTimestamp(n.createdAt) },
  });
}

/** The sender object of every live frame: identical in message and typing frames. */
export function frameSender(person: Participant): { name: string; photo: string | null; id: number; role: string } {
  return { name: person.firstName, photo: person.photo, id: person.id, role: person.role };
}

export function messageFrame({ message, sender, position }: MessageCreated, roomId: number, isSelf: boolean, baseUrl: string): string {
  return JSON.stringify({
    message: message.body,
    sender: frameSender(sender),
    message_type: message.type,
    id: message.id,
    is_self: isSelf,
    attachment: absolute(baseUrl, message.attachment),
    created_at: socketTimestamp(message.createdAt),
    room: roomId,
    parent_message: message.parent && {
      id: message.parent.id,
      content: message.parent.body,
      sender: { id: message.parent.sender.id, name: message.parent.sender.firstName, photo: message.parent.sender.photo },
      created_at: socketTimestamp(message.parent.createdAt),
    },
    position,
  });
}

export function errorFrame(message: string): string {
  return JSON.stringify({ error: message });
}
