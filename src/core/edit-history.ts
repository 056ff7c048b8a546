// What a room message said before its edits, for the members of its room. A deleted message
// shows none of its texts, as it shows no body.
import type { AccountRecord, MessageRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { MessageVersionRecord } from '../store/versions.js';
import { coreError } from './errors.js';
import type { Rooms } from './rooms.js';

/** Versions shown at most: the latest ones, however often a message was edited. */
export const MAX_VERSIONS_SHOWN = 100;

export interface EditHistoryView {
  message: MessageRecord;
  /** How many texts the edits replaced in all. */
  count: number;
  /** The latest replaced texts, oldest first. */
  versions: MessageVersionRecord[];
}

export class EditHistory {
  constructor(
    private readonly store: Store,
    private readonly rooms: Rooms,
  ) {}

  /** Not found alike for a message that does not exist and one in a room the actor is not in. */
  async of(actor: AccountRecord, messageId: number): Promise<EditHistoryView> {
    const message = await this.store.messages.find(messageId);
    if (!message || !(await this.rooms.isMember(actor, message.conversationId))) throw coreError('MESSAGE_NOT_FOUND');
    if (message.deletedAt !== null) return { message, count: 0, versions: [] };
    return { message, ...(await this.store.versions.of(message.id, MAX_VERSIONS_SHOWN)) };
  }
}
