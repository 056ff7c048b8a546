// The match-room send socket /ws/chat/room/<phone>/: the owner talks to the partner of their
// current room, who is never named: frames say "room" where the partner's phone would be.
import type { Core } from '../../core/core.js';
import type { Match } from '../../core/matches.js';
import { CLOSE } from '../../gateway/limits.js';
import { SocketRefusal, type SocketRoute } from '../../gateway/session.js';
import { FrameError, requireKeys, serverTimestamp, type Envelope } from './frames.js';
import { ROOM_PARTY } from './render.js';
import { acknowledgeOrRefuse, phoneSession, requireSelf } from './session.js';

const RECEIVE_SOCKET = 'the receive socket /ws/chat/special/<your phone>/';

export function roomSocket(core: Core): SocketRoute {
  return {
    dialect: 'phone',
    pattern: /^\/ws\/chat\/room\/([^/]+)\/?$/,
    async open(context) {
      const [from = ''] = context.params;
      const own = context.account.phone;
      if (own === null || from !== own) throw new SocketRefusal(CLOSE.forbidden, 'this phone is not yours');
      const actor = context.account;
      if (!(await core.matches.current(actor))) throw new SocketRefusal(CLOSE.notFound, 'you are in no room');

      /** The caller's current room; sending needs it active, acknowledging does not. */
      const room = async (frame: Envelope, msgFrom: string, mustBeActive: boolean): Promise<Match> => {
        requireSelf(frame, msgFrom, own);
        const match = await core.matches.current(actor);
        if (!match) throw new FrameError(frame.command, 'you are in no room');
        if (mustBeActive && !match.active) throw new FrameError(frame.command, 'your room has ended');
        return match;
      };

      return phoneSession({
        context,
        errorParties: { from: own, to: ROOM_PARTY },
        elsewhere: { fetch_msgs: RECEIVE_SOCKET, fetch_grp_msgs: RECEIVE_SOCKET, fetch_room_msgs: RECEIVE_SOCKET },
        commands: {
          async new_msg(frame) {
            const values = requireKeys(frame, ['message', 'msg_from', 'sent_timestamp']);
            const { conversation } = await room(frame, values.msg_from, true);
            await core.messages.send({
              actor,
              conversationId: conversation.id,
              body: values.message,
              clientSentAt: values.sent_timestamp,
            });
            context.connection.send(
              JSON.stringify({
                msg_from: ROOM_PARTY,
                msg_to: ROOM_PARTY,
                message: values.sent_timestamp,
                sent_timestamp: serverTimestamp(),
                command: 'msg_sent',
              }),
            );
          },
          async msg_received(frame) {
            const values = requireKeys(frame, ['message', 'msg_from', 'sent_timestamp']);
            const { conversation } = await room(frame, values.msg_from, false);
            await acknowledgeOrRefuse(core, {
              actor,
              conversationId: conversation.id,
              ref: values.message,
              at: values.sent_timestamp,
            });
          },
          async msg_read(frame) {
            const values = requireKeys(frame, ['message', 'msg_from', 'sent_timestamp']);
            const { conversation } = await room(frame, values.msg_from, true);
            await core.messages.markRead({
              actor,
              conversationId: conversation.id,
              ref: values.message,
              at: values.sent_timestamp,
            });
          },
          async is_typing(frame) {
            const values = requireKeys(frame, ['msg_from', 'sent_timestamp']);
            const { conversation } = await room(frame, values.msg_from, true);
            await core.messages.typing({ actor, conversationId: conversation.id, at: values.sent_timestamp });
          },
        },
      });
    },
  };
}
