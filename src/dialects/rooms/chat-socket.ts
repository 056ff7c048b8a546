// The room socket /ws/chat/<room id>/?token=…: authenticated members of an existing, active
// room only. Frames are decoded here and handed to core.rooms, which checks every rule;
// refusals come back as {"error": "…"} on this socket only, and the socket stays open.
import type { Core } from '../../core/core.js';
import { CoreError } from '../../core/errors.js';
import { conversationTopic } from '../../core/events.js';
import { unstorableText } from '../../core/text.js';
import { CLOSE } from '../../gateway/limits.js';
import { SocketRefusal, type SocketRoute } from '../../gateway/session.js';
import { socketTimestamp } from './format.js';
import { errorFrame, frameSender, messageFrame } from './render.js';
import { ROOMS_WORDING } from './wording.js';

export interface RoomsSocketOptions {
  publicUrl: string | undefined;
}

type Frame = Record<string, unknown>;

/** A refusal of the frame itself, answered with the original's wording where it had one. */
class FrameRefusal extends Error {}

export function chatSocket(core: Core, options: RoomsSocketOptions): SocketRoute {
  return {
    dialect: 'rooms',
    pattern: /^\/ws\/chat\/(\d{1,15})\/?$/,
    async open(context) {
      const roomId = Number(context.params[0]);
      const actor = context.account;
      const membership = await core.conversations.membership(roomId);
      if (!membership || membership.conversation.kind !== 'room' || !membership.conversation.active) {
        throw new SocketRefusal(CLOSE.notFound, 'no such room');
      }
      if (!membership.memberIds.includes(actor.id)) throw new SocketRefusal(CLOSE.forbidden, 'you are not a member of this room');
      await context.subscribe(conversationTopic(roomId));
      const baseUrl = options.publicUrl ?? context.url.origin;
      const send = (frame: string): void => context.connection.send(frame);

      const actions: Record<string, (frame: Frame) => Promise<void>> = {
        async send_message(frame) {
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
          await core.rooms.send(actor, roomId, { body, type, mentions, parentId: parent });
        },
        async edit_message(frame) {
          const id = messageId(frame.message_id);
          const body = frame.new_content;
          if (id === undefined || typeof body !== 'string' || body === '') {
            throw new FrameRefusal("Both 'message_id' and 'new_content' are required for editing.");
          }
          await core.rooms.edit(actor, roomId, id, body);
        },
        async react_message(frame) {
          const id = messageId(frame.message_id);
          if (id === undefined || typeof frame.reaction !== 'string' || frame.reaction === '') {
            throw new FrameRefusal("'message_id' and 'reaction' are required for react_message.");
          }
          await core.rooms.react(actor, roomId, id, frame.reaction);
        },
        async delete_message(frame) {
          const id = messageId(frame.message_id);
          if (id === undefined) throw new FrameRefusal('Message ID is required for deletion.');
          await core.rooms.remove(actor, roomId, id);
        },
        async pin_message(frame) {
          const id = messageId(frame.message_id);
          if (id === undefined) throw new FrameRefusal('Message ID is required for pinning.');
          const pin = frame.pin ?? true;
          if (typeof pin !== 'boolean') throw new FrameRefusal("'pin' must be true or false.");
          await core.rooms.pin(actor, roomId, id, pin);
        },
        async typing() {
          await core.rooms.typing(actor, roomId, true);
        },
        async stop_typing() {
          await core.rooms.typing(actor, roomId, false);
        },
      };

      return {
        onInvalidText() {
          send(errorFrame('Invalid UTF-8: a text frame must be UTF-8'));
        },
        async onFrame(text) {
          let frame: unknown;
          try {
            frame = JSON.parse(text);
          } catch {
            send(errorFrame('Invalid JSON format'));
            return;
          }
          if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
            send(errorFrame('Invalid JSON format'));
            return;
          }
          const record = frame as Frame;
          const unstorable = unstorableText(record);
          if (unstorable) {
            send(errorFrame(`'${unstorable.field}': ${ROOMS_WORDING.problem(unstorable.problem)}`));
            return;
          }
          const action = record.action ?? 'send_message';
          const handler = typeof action === 'string' && Object.hasOwn(actions, action) ? actions[action] : undefined;
          if (!handler) {
            send(errorFrame('Unknown action'));
            return;
          }
          try {
            await handler(record);
          } catch (error) {
            if (error instanceof FrameRefusal) send(errorFrame(error.message));
            else if (error instanceof CoreError) send(errorFrame(ROOMS_WORDING.error(error)));
            else {
              send(errorFrame('The server could not handle this action; try again.'));
              throw error;
            }
          }
        },
        onEvent(event, rendered) {
          if (event.conversation.id !== roomId) return;
          const cached = (key: string, render: () => string): string => {
            let frame = rendered.get(key);
            if (frame === undefined) {
              frame = render();
              rendered.set(key, frame);
            }
            return frame;
          };
          switch (event.type) {
            case 'message.created': {
              const self = event.sender.id === actor.id;
              send(cached(`message:${self}:${baseUrl}`, () => messageFrame(event, roomId, self, baseUrl)));
              return;
            }
            case 'message.edited':
              send(cached('edited', () => JSON.stringify({ action: 'edited', id: event.messageId, new_content: event.body })));
              return;
            case 'message.reacted':
              send(cached('reacted', () => JSON.stringify({ action: 'reacted', id: event.messageId, reactions: event.reactions })));
              return;
            case 'message.deleted':
              send(cached('deleted', () => JSON.stringify({ action: 'deleted', id: event.messageId })));
              return;
            case 'message.pinned':
              send(
                cached('pinned', () =>
                  JSON.stringify({
                    action: 'message_pinned',
                    id: event.messageId,
                    is_pinned: event.pinnedAt !== null,
                    pinned_at: event.pinnedAt && socketTimestamp(event.pinnedAt),
                  }),
                ),
              );
              return;
            case 'typing':
              // The typist's own sockets are not told, as in the original.
              if (event.by.id === actor.id) return;
              send(cached('typing', () => JSON.stringify({ action: 'typing', sender: frameSender(event.by), is_typing: event.typing })));
              return;
            case 'room.left':
              if (event.accountId === actor.id) context.connection.close(CLOSE.forbidden, 'you left this room');
              return;
            case 'room.closed':
              context.connection.close(CLOSE.notFound, 'this room is gone');
              return;
            default:
              return;
          }
        },
      };
    },
  };
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
