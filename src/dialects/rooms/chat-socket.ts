// The room socket /ws/chat/<room id>/?token=…[&since=<position>]: authenticated members of an
// existing, active room only; with `since`, what the socket missed comes first (resume.ts).
// Frames are decoded (decode.ts) into commands for core.messages, which checks every
// rule, and events encoded (encode.ts); refusals come back as {"error": "…"} on this socket only,
// and the socket stays open.
import type { AccountRecord } from '../../store/records.js';
import type { Core } from '../../core/core.js';
import { CoreError } from '../../core/errors.js';
import { conversationTopic } from '../../core/events.js';
import { CLOSE } from '../../gateway/limits.js';
import { SocketRefusal, type SocketRoute } from '../../gateway/session.js';
import { decodeRoomFrame, FrameRefusal, type RoomCommand } from './decode.js';
import { errorFrame, messageFrame, roomEventFrame } from './encode.js';
import { replay, sinceOf } from './resume.js';
import { ROOMS_WORDING } from './wording.js';

export interface RoomsSocketOptions {
  publicUrl: string | undefined;
}

export function chatSocket(core: Core, options: RoomsSocketOptions): SocketRoute {
  return {
    dialect: 'rooms',
    pattern: /^\/ws\/chat\/(\d{1,15})\/?$/,
    async open(context, query) {
      const roomId = Number(context.params[0]);
      const actor = context.account;
      const since = sinceOf(query);
      await requireMember(core, actor, roomId);
      await context.subscribe(conversationTopic(roomId));
      const viewer = { accountId: actor.id, roomId, baseUrl: options.publicUrl ?? context.origin };
      const send = (frame: string): void => context.connection.send(frame);
      // Live events up to this position were replayed already.
      const replayed = since === undefined ? 0 : await replay(core, roomId, since, viewer, (frame) => context.connection.sendPaced(frame));

      return {
        onInvalidText() {
          send(errorFrame('Invalid UTF-8: a text frame must be UTF-8'));
        },
        async onFrame(text) {
          try {
            const command = decodeRoomFrame(text, roomId);
            if (command.action === 'send') {
              const { body, type, mentions, parentId, clientId } = command;
              const { event, repeated } = await core.messages.post({ actor, conversationId: roomId, kind: 'room', body, type, mentions, parentId, clientId });
              // A repeat was broadcast the first time: the sender alone is answered again.
              if (repeated) send(messageFrame(event, roomId, true, viewer.baseUrl));
            } else await run(core, actor, roomId, command);
          } catch (error) {
            if (error instanceof FrameRefusal) send(errorFrame(error.message));
            else if (error instanceof CoreError) send(errorFrame(ROOMS_WORDING.error(error)));
            else {
              send(errorFrame('The server could not handle this action; try again.'));
              throw error;
            }
          }
        },
        onEvent(event, frames) {
          if (event.conversation.id !== roomId) return;
          if ('position' in event && event.position !== undefined && event.position <= replayed) return;
          if (event.type === 'room.left') {
            if (event.accountId === actor.id) context.connection.close(CLOSE.forbidden, 'you left this room');
            return;
          }
          if (event.type === 'room.closed') {
            context.connection.close(CLOSE.notFound, 'this room is gone');
            return;
          }
          const frame = roomEventFrame(event, viewer, frames);
          if (frame !== undefined) send(frame);
        },
      };
    },
  };
}

/** The pipeline's one membership rule (an active room, then a member), as the socket's close codes. */
async function requireMember(core: Core, actor: AccountRecord, roomId: number): Promise<void> {
  try {
    await core.messages.member({ actor, conversationId: roomId, kind: 'room' }, 'post');
  } catch (error) {
    if (error instanceof CoreError && error.code === 'CONVERSATION_NOT_FOUND') throw new SocketRefusal(CLOSE.notFound, 'no such room');
    if (error instanceof CoreError && error.code === 'NOT_A_MEMBER') throw new SocketRefusal(CLOSE.forbidden, 'you are not a member of this room');
    throw error;
  }
}

type Runner<A extends Exclude<RoomCommand['action'], 'send'>> = (core: Core, actor: AccountRecord, roomId: number, command: Extract<RoomCommand, { action: A }>) => Promise<unknown>;

/** Which core call each command is. */
const RUN: { [A in Exclude<RoomCommand['action'], 'send'>]: Runner<A> } = {
  edit: (core, actor, roomId, { messageId, body }) => core.messages.edit({ actor, conversationId: roomId, kind: 'room', messageId, body }),
  react: (core, actor, roomId, { messageId, reaction }) => core.messages.react({ actor, conversationId: roomId, kind: 'room', messageId, reaction }),
  delete: (core, actor, roomId, { messageId }) => core.messages.remove({ actor, conversationId: roomId, kind: 'room', messageId }),
  pin: (core, actor, roomId, { messageId, pin }) => core.messages.pin({ actor, conversationId: roomId, kind: 'room', messageId, pin }),
  typing: (core, actor, roomId, { typing }) => core.messages.typing({ actor, conversationId: roomId, kind: 'room', typing }),
};

async function run(core: Core, actor: AccountRecord, roomId: number, command: Exclude<RoomCommand, { action: 'send' }>): Promise<void> {
  await (RUN[command.action] as Runner<typeof command.action>)(core, actor, roomId, command);
}
