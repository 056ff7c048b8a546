// The phone send sockets' one command table. The personal, group and match-room send sockets
// take the same four actions under their own command words; each socket says only what its
// target is and which conversation a frame is for, and everything else is done here once.
import type { Core } from '../../core/core.js';
import type { SocketContext, SocketRoute } from '../../gateway/session.js';
import { decodeSendCommand, FrameError, type Envelope, type SendAction, type SendCommand } from './decode.js';
import { ROOM_PARTY, sentFrame, storedTimestamp, type SendSocketKind } from './encode.js';
import { ownPhone, phoneSession } from './session.js';

const RECEIVE_SOCKET = 'the receive socket /ws/chat/special/<your phone>/';
const ALL_FETCHES = { fetch_msgs: RECEIVE_SOCKET, fetch_grp_msgs: RECEIVE_SOCKET, fetch_room_msgs: RECEIVE_SOCKET };

interface SendSocketSpec {
  /** The command word of every action. */
  commands: Readonly<Record<string, SendAction>>;
  /** Whether frames name the target in msg_to (a match room's partner is never named). */
  addressed: boolean;
  /** Where commands that belong on another socket go, to say so in the error. */
  elsewhere: Readonly<Record<string, string>>;
  /** msg_from of the msg_sent confirmation. */
  sentFrom(own: string, target: string): string;
}

const SEND_SOCKETS: Record<SendSocketKind, SendSocketSpec> = {
  personal: {
    commands: { new_msg: 'post', msg_received: 'acknowledge', msg_read: 'markRead', is_typing: 'typing' },
    addressed: true,
    elsewhere: { fetch_msgs: RECEIVE_SOCKET },
    sentFrom: (own) => own,
  },
  group: {
    commands: { new_grp_msg: 'post', grp_msg_received: 'acknowledge', grp_msg_read: 'markRead', is_grp_typing: 'typing' },
    addressed: true,
    elsewhere: ALL_FETCHES,
    sentFrom: (own, key) => `${key}-${own}`,
  },
  room: {
    commands: { new_msg: 'post', msg_received: 'acknowledge', msg_read: 'markRead', is_typing: 'typing' },
    addressed: false,
    elsewhere: ALL_FETCHES,
    sentFrom: () => ROOM_PARTY,
  },
};

/** What one open send socket talks to. */
export interface SendTarget {
  /** The peer's phone, the group's key, or "room": msg_to of this socket's frames. */
  name: string;
  /** The conversation the command is for, once its msg_to is checked; refusals are FrameErrors. */
  conversation(frame: Envelope, command: SendCommand): Promise<number>;
}

/**
 * A send socket's route: `target` opens it for the owner of the phone in the path (or refuses
 * with SocketRefusal), and the table does the rest.
 */
export function sendSocketRoute(
  core: Core,
  kind: SendSocketKind,
  pattern: RegExp,
  target: (context: SocketContext, own: string) => Promise<SendTarget>,
): SocketRoute {
  const spec = SEND_SOCKETS[kind];
  return {
    dialect: 'phone',
    pattern,
    async open(context) {
      const own = ownPhone(context);
      const to = await target(context, own);
      const actor = context.account;

      const run = async (frame: Envelope, command: SendCommand): Promise<void> => {
        if (command.from !== own) throw new FrameError(frame.command, `msg_from must be your own phone (${own})`);
        const conversationId = await to.conversation(frame, command);
        switch (command.action) {
          case 'post': {
            const message = (await core.messages.post({ actor, conversationId, body: command.body, clientSentAt: command.clientSentAt })).detail.record;
            // Groups confirm with the server-normalized instant, the others with the client's string.
            const shown = kind === 'group' && message.sentAt !== null ? storedTimestamp(message.sentAt) : command.clientSentAt;
            context.connection.send(sentFrame(kind, { from: spec.sentFrom(own, to.name), to: to.name }, shown));
            return;
          }
          case 'acknowledge':
            if (!(await core.messages.acknowledge({ actor, conversationId, ref: command.ref, at: command.at }))) {
              throw new FrameError('delete_msg', 'could not find the message you wanted to delete');
            }
            return;
          case 'markRead':
            await core.messages.markRead({ actor, conversationId, ref: command.ref, at: command.at });
            return;
          case 'typing':
            await core.messages.typing({ actor, conversationId, at: command.at });
            return;
        }
      };

      const commands = Object.fromEntries(
        Object.entries(spec.commands).map(([word, action]) => [word, (frame: Envelope) => run(frame, decodeSendCommand(frame, action, spec.addressed))]),
      );
      return phoneSession({ context, commands, errorParties: { from: own, to: to.name }, elsewhere: spec.elsewhere });
    },
  };
}
