// The receive socket /ws/chat/special/<phone>/: every delivery to the phone arrives here, and
// the phone fetches what it missed while offline.
import type { Core } from '../../core/core.js';
import { accountTopic } from '../../core/events.js';
import type { SocketRoute } from '../../gateway/session.js';
import { FrameError, type Envelope } from './decode.js';
import { fetchedItem, fetchFrames, renderDelivery, ROOM_PARTY } from './encode.js';
import type { ConversationKind, PendingMessage } from '../../store/records.js';
import { ownPhone, phoneSession } from './session.js';

const SEND_SOCKET = 'the personal socket /ws/chat/personal/<your phone>/<their phone>/';
const GROUP_SOCKET = 'the group socket /ws/chat/group/<your phone>/<group key>/';
/** The socket each command of another socket belongs on: one table for every receive socket. */
const ELSEWHERE = {
  new_msg: SEND_SOCKET,
  msg_received: SEND_SOCKET,
  msg_read: SEND_SOCKET,
  is_typing: SEND_SOCKET,
  new_grp_msg: GROUP_SOCKET,
  grp_msg_received: GROUP_SOCKET,
  grp_msg_read: GROUP_SOCKET,
  is_grp_typing: GROUP_SOCKET,
};

export function receiveSocket(core: Core): SocketRoute {
  return {
    dialect: 'phone',
    pattern: /^\/ws\/chat\/special\/([^/]+)\/?$/,
    async open(context) {
      const own = ownPhone(context);
      await context.subscribe(accountTopic(context.account.id));

      /**
       * Answers a fetch page by page: each page is read, rendered and sent, at the reader's pace,
       * before the next is read, so a fetch holds one page whatever the backlog.
       */
      const sendFetch = async (
        command: string,
        kinds: readonly ConversationKind[],
        render: (page: readonly PendingMessage[]) => Promise<object[]>,
      ): Promise<void> => {
        const pages = async function* (): AsyncGenerator<object[]> {
          for await (const page of core.messages.pending(context.account, kinds)) yield render(page);
        };
        for await (const frame of fetchFrames(command, pages())) {
          if (!context.connection.open) return;
          await context.connection.sendPaced(frame);
        }
      };

      /** The phones of these accounts, each looked up once however often it appears. */
      const phonesOf = async (ids: readonly number[]): Promise<Map<number, string | null>> => {
        const unique = [...new Set(ids)];
        const accounts = await Promise.all(unique.map((id) => core.accounts.byId(id)));
        return new Map(unique.map((id, i) => [id, accounts[i]?.phone ?? null]));
      };

      const requireOwnMsgTo = (frame: Envelope): void => {
        if (frame.msg_to !== undefined && frame.msg_to !== own) {
          throw new FrameError(frame.command, `msg_to must be your own phone (${own})`);
        }
      };

      return phoneSession({
        context,
        errorParties: { from: own, to: own },
        elsewhere: ELSEWHERE,
        commands: {
          async fetch_msgs(frame) {
            requireOwnMsgTo(frame);
            await sendFetch('fetch_msgs', ['dialogue'], async (page) => {
              const phones = await phonesOf(page.map((m) => m.senderId));
              return page.map((message) => fetchedItem(message, phones.get(message.senderId) ?? null, own));
            });
          },
          async fetch_grp_msgs(frame) {
            requireOwnMsgTo(frame);
            await sendFetch('fetch_grp_msgs', ['group'], async (page) => {
              const waiting = await core.groups.pendingRecipients(page.map((m) => m.id));
              const phones = await phonesOf([...page.map((m) => m.senderId), ...[...waiting.values()].flat()]);
              const keys = new Map<number, string>();
              for (const id of new Set(page.map((m) => m.conversationId))) {
                keys.set(id, (await core.conversations.membership(id))?.conversation.key ?? '');
              }
              return page.map((message) => ({
                ...fetchedItem(message, `${keys.get(message.conversationId) ?? ''}-${phones.get(message.senderId) ?? ''}`, own),
                pending: (waiting.get(message.id) ?? []).map((id) => phones.get(id) ?? null),
              }));
            });
          },
          async fetch_room_msgs(frame) {
            requireOwnMsgTo(frame);
            await sendFetch('fetch_room_msgs', ['match'], async (page) => page.map((message) => fetchedItem(message, ROOM_PARTY, own)));
          },
        },
        onEvent(event, frames) {
          const frame = frames.once(own, () => renderDelivery(event, own));
          if (frame !== undefined) context.connection.send(frame);
        },
      });
    },
  };
}

