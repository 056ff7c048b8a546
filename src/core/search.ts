// Full-text search over the messages of the rooms an account belongs to, newest first, paged like
// history. What counts as a word is decided here, once, for both stores.
import type { AccountRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { coreError } from './errors.js';
import type { MessageDetail, MessageViews } from './message-views.js';
import type { Rooms } from './rooms.js';

/** A query's words beyond these are ignored: each adds an index lookup. */
export const MAX_SEARCH_TERMS = 8;
/** A longer word matches nothing real and only costs the index. */
const MAX_TERM_LENGTH = 64;

/** The words of a query: runs of letters, digits and combining marks, lower-cased, distinct. */
export function searchTerms(query: string): string[] {
  const words = (query.normalize('NFC').match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).map((word) => word.toLowerCase().slice(0, MAX_TERM_LENGTH));
  return [...new Set(words)].slice(0, MAX_SEARCH_TERMS);
}

export class Search {
  constructor(
    private readonly store: Store,
    private readonly views: MessageViews,
    private readonly rooms: Rooms,
  ) {}

  /**
   * One page of the undeleted messages matching every word of `query` (each as a prefix), in the
   * rooms the actor is a member of, or only in `roomId`; and how many match in all.
   */
  async messages(
    actor: AccountRecord,
    query: string,
    roomId: number | undefined,
    offset: number,
    limit: number,
  ): Promise<{ count: number; messages: MessageDetail[] }> {
    const terms = searchTerms(query);
    if (terms.length === 0) throw coreError('SEARCH_WITHOUT_WORDS');
    if (roomId !== undefined) await this.rooms.requireMember(actor, roomId);
    const { count, ids } = await this.store.search.search({ terms, accountId: actor.id, conversationId: roomId, offset, limit });
    const records = new Map((await this.store.messages.findMany(ids)).map((record) => [record.id, record]));
    const found = ids.flatMap((id) => records.get(id) ?? []);
    return { count, messages: await this.views.details(found) };
  }
}
