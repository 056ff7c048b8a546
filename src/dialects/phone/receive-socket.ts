// The receive socket /ws/chat/special/<phone>/: every delivery to the phone arrives here, and
// the phone fetches what it missed while offline.
import type { Core } from '../../core/core.js';
import { accountTopic } from '../../core/events.js';
import { SocketRefusal, type SocketRoute } from '../../gateway/session.js';
import { CLOSE } from '../../gateway/limits.js';
import { FrameError, renderFetch, storedTimestamp, type Envelope } from './frames.js';
import { renderDelivery, ROOM_PARTY } from './render.js';
import type { MessageRecord } from '../../store/records.js';
import { phoneSession } from './session.js';

const SEND_SOCKET = 'the personal socket /ws/chat/personal/<your phone>/<their phone>/';
const GROUP_SOCKET = 'the group socket /ws/chat/group/<your phone>/<group key>/';

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
        elsewhere: {
          new_msg: SEND_SOCKET,
          msg_received: SEND_SOCKET,
          msg_read: SEND_SOCKET,
          is_typing: SEND_SOCKET,
          new_grp_msg: GROUP_SOCKET,
          grp_msg_received: GROUP_SOCKET,
          grp_msg_read: GROUP_SOCKET,
          is_grp_typing: GROUP_SOCKET,
        },
        commands: {
          async fetch_msgs(frame) {
            requireOwnMsgTo(frame);
            const items = [];
            for (const message of await core.messages.pendingFor(context.account, ['dialogue'])) {
              const sender = await core.accounts.byId(message.senderId);
              items.push(fetchedItem(message, sender?.phone ?? null, own));
            }
            for (const frameText of renderFetch('fetch_msgs', items)) context.connection.send(frameText);
          },
          async fetch_grp_msgs(frame) {
            requireOwnMsgTo(frame);
            const pending = await core.messages.pendingFor(context.account, ['group']);
            const waiting = await core.groups.pendingRecipients(pending.map((m) => m.id));
            const items = [];
            for (const message of pending) {
              const group = await core.conversations.membership(message.conversationId);
              const sender = await core.accounts.byId(message.senderId);
              const pendingPhones = [];
              for (const id of waiting.get(message.id) ?? []) pendingPhones.push((await core.accounts.byId(id))?.phone ?? null);
              items.push({
                ...fetchedItem(message, `${group?.conversation.key ?? ''}-${sender?.phone ?? ''}`, own),
                pending: pendingPhones,
              });
            }
            for (const frameText of renderFetch('fetch_grp_msgs', items)) context.connection.send(frameText);
          },
          async fetch_room_msgs(frame) {
            requireOwnMsgTo(frame);
            const items = (await core.messages.pendingFor(context.account, ['match'])).map((message) =>
              fetchedItem(message, ROOM_PARTY, own),
            );
            for (const frameText of renderFetch('fetch_room_msgs', items)) context.connection.send(frameText);
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

/** One stored message as the fetch frames list it. */
function fetchedItem(message: MessageRecord, from: string | null, own: string) {
  return {
    msg_from: from,
    msg_to: own,
    message: message.body,
    command: 'new_msg',
    sent_timestamp: message.sentAt === null ? message.clientSentAt : storedTimestamp(message.sentAt),
  };
}
