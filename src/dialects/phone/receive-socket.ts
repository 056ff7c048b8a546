// The receive socket /ws/chat/special/<phone>/: every delivery to the phone arrives here, and
// the phone fetches what it missed while offline.
import type { Core } from '../../core/core.js';
import { accountTopic } from '../../core/events.js';
import { SocketRefusal, type SocketRoute } from '../../gateway/session.js';
import { CLOSE } from '../../gateway/limits.js';
import { FrameError, renderFetch, storedTimestamp, type Envelope } from './frames.js';
import { renderDelivery } from './render.js';
import { phoneSession } from './session.js';

const SEND_SOCKET = 'the personal socket /ws/chat/personal/<your phone>/<their phone>/';

export function receiveSocket(core: Core): SocketRoute {
  return {
    dialect: 'phone',
    pattern: /^\/ws\/chat\/special\/([^/]+)\/?$/,
    async open(context) {
      const [phone = ''] = context.params;
      const own = context.account.phone;
      if (own === null || phone !== own) throw new SocketRefusal(CLOSE.forbidden, 'this phone is not yours');
      await context.subscribe(accountTopic(context.account.id));

      const requireOwnMsgTo = (frame: Envelope): void => {
        if (frame.msg_to !== undefined && frame.msg_to !== own) {
          throw new FrameError(frame.command, `msg_to must be your own phone (${own})`);
        }
      };

      return phoneSession({
        context,
        errorParties: { from: own, to: own },
        elsewhere: { new_msg: SEND_SOCKET, msg_received: SEND_SOCKET, msg_read: SEND_SOCKET, is_typing: SEND_SOCKET },
        commands: {
          async fetch_msgs(frame) {
            requireOwnMsgTo(frame);
            const pending = await core.messages.pendingFor(context.account, ['dialogue']);
            const items = [];
            for (const message of pending) {
              const sender = await core.accounts.byId(message.senderId);
              items.push({
                msg_from: sender?.phone ?? null,
                msg_to: own,
                message: message.body,
                command: 'new_msg',
                sent_timestamp: message.sentAt === null ? message.clientSentAt : storedTimestamp(message.sentAt),
              });
            }
            for (const frameText of renderFetch('fetch_msgs', items)) context.connection.send(frameText);
          },
        },
        onEvent(event, rendered) {
          const key = `phone:${own}`;
          let frame = rendered.get(key);
          if (frame === undefined) {
            frame = renderDelivery(event, own) ?? '';
            rendered.set(key, frame);
          }
          if (frame !== '') context.connection.send(frame);
        },
      });
    },
  };
}
