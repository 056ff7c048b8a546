// The receive socket /ws/chat/special/<phone>/: every delivery to the phone arrives here, and
// the phone fetches what it missed while offline.
import type { Core } from '../../core/core.js';
import { accountTopic, type DeliveryEvent } from '../../core/events.js';
import type { DialectFrames } from '../../gateway/rendered.js';
import type { SocketContext, SocketRoute } from '../../gateway/session.js';
import { FrameError, type Envelope } from './decode.js';
import { fetchedItem, fetchFrames, renderDelivery, ROOM_PARTY } from './encode.js';
import type { ConversationKind, PendingMessage } from '../../store/records.js';
import { ownPhone, PhoneSession } from './session.js';

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
      return new ReceiveSession(core, context, own);
    },
  };
}

/** One open receive socket: its fetches and its live deliveries, as methods (an idle socket holds no closures). */
class ReceiveSession extends PhoneSession {
  constructor(
    private readonly core: Core,
    context: SocketContext,
    private readonly own: string,
  ) {
    super(context, own, own, ELSEWHERE);
  }

  protected run(command: string, frame: Envelope): Promise<void> | undefined {
    switch (command) {
      case 'fetch_msgs':
        return this.fetchDialogues(frame);
      case 'fetch_grp_msgs':
        return this.fetchGroups(frame);
      case 'fetch_room_msgs':
        return this.fetchRooms(frame);
      default:
        return undefined;
    }
  }

  onEvent(event: DeliveryEvent, frames: DialectFrames): void {
    const frame = frames.once(this.own, () => renderDelivery(event, this.own));
    if (frame !== undefined) this.context.connection.send(frame);
  }

  private async fetchDialogues(frame: Envelope): Promise<void> {
    this.requireOwnMsgTo(frame);
    await this.sendFetch('fetch_msgs', ['dialogue'], async (page) => {
      const phones = await this.phonesOf(page.map((m) => m.senderId));
      return page.map((message) => fetchedItem(message, phones.get(message.senderId) ?? null, this.own));
    });
  }

  private async fetchGroups(frame: Envelope): Promise<void> {
    this.requireOwnMsgTo(frame);
    await this.sendFetch('fetch_grp_msgs', ['group'], async (page) => {
      const waiting = await this.core.groups.pendingRecipients(page.map((m) => m.id));
      const phones = await this.phonesOf([...page.map((m) => m.senderId), ...[...waiting.values()].flat()]);
      const keys = new Map<number, string>();
      for (const id of new Set(page.map((m) => m.conversationId))) {
        keys.set(id, (await this.core.conversations.membership(id))?.conversation.key ?? '');
      }
      return page.map((message) => ({
        ...fetchedItem(message, `${keys.get(message.conversationId) ?? ''}-${phones.get(message.senderId) ?? ''}`, this.own),
        pending: (waiting.get(message.id) ?? []).map((id) => phones.get(id) ?? null),
      }));
    });
  }

  private async fetchRooms(frame: Envelope): Promise<void> {
    this.requireOwnMsgTo(frame);
    await this.sendFetch('fetch_room_msgs', ['match'], async (page) => page.map((message) => fetchedItem(message, ROOM_PARTY, this.own)));
  }

  /**
   * Answers a fetch page by page: each page is read, rendered and sent, at the reader's pace,
   * before the next is read, so a fetch holds one page whatever the backlog.
   */
  private async sendFetch(
    command: string,
    kinds: readonly ConversationKind[],
    render: (page: readonly PendingMessage[]) => Promise<object[]>,
  ): Promise<void> {
    const { core, context } = this;
    const pages = async function* (): AsyncGenerator<object[]> {
      for await (const page of core.messages.pending(context.account, kinds)) yield render(page);
    };
    for await (const frame of fetchFrames(command, pages())) {
      if (!context.connection.open) return;
      await context.connection.sendPaced(frame);
    }
  }

  /** The phones of these accounts, each looked up once however often it appears. */
  private async phonesOf(ids: readonly number[]): Promise<Map<number, string | null>> {
    const unique = [...new Set(ids)];
    const accounts = await Promise.all(unique.map((id) => this.core.accounts.byId(id)));
    return new Map(unique.map((id, i) => [id, accounts[i]?.phone ?? null]));
  }

  private requireOwnMsgTo(frame: Envelope): void {
    if (frame.msg_to !== undefined && frame.msg_to !== this.own) {
      throw new FrameError(frame.command, `msg_to must be your own phone (${this.own})`);
    }
  }
}
