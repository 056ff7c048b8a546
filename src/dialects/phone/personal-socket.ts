// The personal send socket /ws/chat/personal/<from>/<to>/: the owner talks to one peer. It opens
// for any peer phone, registered or not; frames need a dialogue with a registered one.
import type { Core } from '../../core/core.js';
import type { Membership } from '../../core/conversations.js';
import { CLOSE } from '../../gateway/limits.js';
import { SocketRefusal, type SocketRoute } from '../../gateway/session.js';
import { FrameError, requireKeys, serverTimestamp, type Envelope } from './frames.js';
import { acknowledgeOrRefuse, phoneSession, requireSelf } from './session.js';

const RECEIVE_SOCKET = 'the receive socket /ws/chat/special/<your phone>/';

export function personalSocket(core: Core): SocketRoute {
  return {
    dialect: 'phone',
    pattern: /^\/ws\/chat\/personal\/([^/]+)\/([^/]+)\/?$/,
    async open(context) {
      const [from = '', to = ''] = context.params;
      const own = context.account.phone;
      if (own === null || from !== own) throw new SocketRefusal(CLOSE.forbidden, 'this phone is not yours');
      const actor = context.account;

      /**
       * Checks the frame's parties against the socket's and finds their dialogue. The peer is
       * looked up per frame, and a phone nobody has is answered as a stranger's (no dialogue),
       * so the socket tells nothing about who has an account.
       */
      const dialogue = async (frame: Envelope, values: { msg_from: string; msg_to: string }): Promise<Membership> => {
        requireSelf(frame, values.msg_from, own);
        if (values.msg_to !== to) throw new FrameError(frame.command, `msg_to must be this socket's peer (${to})`);
        const peer = await core.accounts.byPhone(to);
        const membership = peer && (await core.conversations.findDialogue(actor.id, peer.id));
        if (!membership) {
          throw new FrameError(
            frame.command,
            `there is no dialogue between ${own} and ${to}: create it with POST /chat/special/personal/ ` +
              `{"msg_from": "${own}", "msg_to": "${to}"}`,
          );
        }
        return membership;
      };

      return phoneSession({
        context,
        errorParties: { from: own, to },
        elsewhere: { fetch_msgs: RECEIVE_SOCKET },
        commands: {
          async new_msg(frame) {
            const values = requireKeys(frame, ['message', 'msg_from', 'msg_to', 'sent_timestamp']);
            const { conversation } = await dialogue(frame, values);
            await core.messages.send({
              actor,
              conversationId: conversation.id,
              body: values.message,
              clientSentAt: values.sent_timestamp,
            });
            context.connection.send(
              JSON.stringify({
                msg_from: own,
                msg_to: to,
                message: values.sent_timestamp,
                command: 'msg_sent',
                sent_timestamp: serverTimestamp(),
              }),
            );
          },
          async msg_received(frame) {
            const values = requireKeys(frame, ['message', 'msg_from', 'msg_to', 'sent_timestamp']);
            const { conversation } = await dialogue(frame, values);
            await acknowledgeOrRefuse(core, {
              actor,
              conversationId: conversation.id,
              ref: values.message,
              at: values.sent_timestamp,
            });
          },
          async msg_read(frame) {
            const values = requireKeys(frame, ['message', 'msg_from', 'msg_to', 'sent_timestamp']);
            const { conversation } = await dialogue(frame, values);
            await core.messages.markRead({
              actor,
              conversationId: conversation.id,
              ref: values.message,
              at: values.sent_timestamp,
            });
          },
          async is_typing(frame) {
            const values = requireKeys(frame, ['msg_from', 'msg_to', 'sent_timestamp']);
            const { conversation } = await dialogue(frame, values);
            await core.messages.typing({ actor, conversationId: conversation.id, at: values.sent_timestamp });
          },
        },
      });
    },
  };
}
