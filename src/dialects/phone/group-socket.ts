// The group send socket /ws/chat/group/<from>/<key>/: a member talks to one group. Only the
// owner of the phone may open it, and only while a member of the group.
import type { Core } from '../../core/core.js';
import { CLOSE } from '../../gateway/limits.js';
import { SocketRefusal, type SocketRoute } from '../../gateway/session.js';
import { FrameError, requireKeys, serverTimestamp, storedTimestamp, type Envelope } from './frames.js';
import { acknowledgeOrRefuse, phoneSession, requireSelf } from './session.js';

const RECEIVE_SOCKET = 'the receive socket /ws/chat/special/<your phone>/';

export function groupSocket(core: Core): SocketRoute {
  return {
    dialect: 'phone',
    pattern: /^\/ws\/chat\/group\/([^/]+)\/([^/]+)\/?$/,
    async open(context) {
      const [from = '', key = ''] = context.params;
      const own = context.account.phone;
      if (own === null || from !== own) throw new SocketRefusal(CLOSE.forbidden, 'this phone is not yours');
      // From the membership cache, as every frame's check (Conversations.requireMember) is.
      const group = await core.conversations.byKey(key);
      if (group?.conversation.kind !== 'group') throw new SocketRefusal(CLOSE.notFound, 'no group has this key');
      if (!group.memberIds.includes(context.account.id)) {
        throw new SocketRefusal(CLOSE.forbidden, 'you are not a member of this group');
      }
      const actor = context.account;
      const conversationId = group.conversation.id;

      /** Checks the frame's parties: the sender is the owner, the target this socket's group. */
      const checkParties = (frame: Envelope, values: { msg_from: string; msg_to: string }): void => {
        requireSelf(frame, values.msg_from, own);
        if (values.msg_to !== key) throw new FrameError(frame.command, `msg_to must be this socket's group key (${key})`);
      };

      return phoneSession({
        context,
        errorParties: { from: own, to: key },
        elsewhere: { fetch_msgs: RECEIVE_SOCKET, fetch_grp_msgs: RECEIVE_SOCKET, fetch_room_msgs: RECEIVE_SOCKET },
        commands: {
          async new_grp_msg(frame) {
            const values = requireKeys(frame, ['message', 'msg_from', 'msg_to', 'sent_timestamp']);
            checkParties(frame, values);
            const message = await core.messages.send({
              actor,
              conversationId,
              body: values.message,
              clientSentAt: values.sent_timestamp,
            });
            context.connection.send(
              JSON.stringify({
                message: message.sentAt === null ? values.sent_timestamp : storedTimestamp(message.sentAt),
                msg_from: `${key}-${own}`,
                msg_to: key,
                sent_timestamp: serverTimestamp(),
                command: 'msg_sent',
              }),
            );
          },
          async grp_msg_received(frame) {
            const values = requireKeys(frame, ['message', 'msg_from', 'msg_to', 'sent_timestamp']);
            checkParties(frame, values);
            await acknowledgeOrRefuse(core, {
              actor,
              conversationId,
              ref: values.message,
              at: values.sent_timestamp,
            });
          },
          async grp_msg_read(frame) {
            const values = requireKeys(frame, ['message', 'msg_from', 'msg_to', 'sent_timestamp']);
            checkParties(frame, values);
            await core.messages.markRead({ actor, conversationId, ref: values.message, at: values.sent_timestamp });
          },
          async is_grp_typing(frame) {
            const values = requireKeys(frame, ['msg_from', 'msg_to', 'sent_timestamp']);
            checkParties(frame, values);
            await core.messages.typing({ actor, conversationId, at: values.sent_timestamp });
          },
        },
      });
    },
  };
}
