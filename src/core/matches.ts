// Match rooms: anonymous two-person conversations that last a fixed time. A room is active
// until a partner ends it or it expires; then each partner grades the other, and when both
// liked each other the room is replaced by a dialogue, otherwise it is deleted.
import type { Bus } from '../bus/bus.js';
import type { AccountRecord, ConversationRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Accounts } from './accounts.js';
import type { Conversations } from './conversations.js';
import { coreError } from './errors.js';
import { accountTopic, conversationRef, refOf, type CoreEvent, type MatchChange } from './events.js';
import { addSeconds, now, type Instant } from './time.js';

export const DEFAULT_MATCH_ROOM_HOURS = 24;
export const LIKE = '1';
export const DISLIKE = '0';

export interface Match {
  conversation: ConversationRecord;
  partnerId: number;
  /** Neither ended by a partner nor expired. */
  active: boolean;
}

export type GradeOutcome = 'graded' | 'already_graded' | 'replaced' | 'deleted';

export class Matches {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus<CoreEvent>,
    private readonly accounts: Accounts,
    private readonly conversations: Conversations,
    private readonly lifetimeHours: number,
  ) {}

  /** The account's newest room that still exists, active or ended (ungraded). */
  async current(account: AccountRecord): Promise<Match | undefined> {
    const [newest] = await this.conversations.of(account.id, 'match');
    if (!newest) return undefined;
    const partner = newest.members.find((m) => m.accountId !== account.id);
    if (!partner) return undefined;
    return { conversation: newest.conversation, partnerId: partner.accountId, active: isActive(newest.conversation, now()) };
  }

  /** The account's room if it is active. */
  async active(account: AccountRecord): Promise<Match | undefined> {
    const match = await this.current(account);
    return match?.active ? match : undefined;
  }

  /** Pairs the two in a new room, unless either is in an active room (undefined then). */
  async open(actor: AccountRecord, partner: AccountRecord): Promise<ConversationRecord | undefined> {
    if (actor.id === partner.id) throw coreError('MATCH_WITH_SELF');
    const createdAt = now();
    const conversation = await this.store.conversations.openMatch(
      {
        kind: 'match',
        key: null,
        pairKey: null,
        name: null,
        description: null,
        avatar: null,
        createdBy: actor.id,
        active: true,
        expiresAt: addSeconds(createdAt, this.lifetimeHours * 3600),
        createdAt,
      },
      [actor.id, partner.id],
      createdAt,
    );
    if (conversation) await this.announce(conversation, 'create', actor, partner);
    return conversation;
  }

  /** Ends the actor's active room; false when there is none. */
  async end(actor: AccountRecord): Promise<boolean> {
    const match = await this.active(actor);
    if (!match) return false;
    await this.store.conversations.update(match.conversation.id, { active: false });
    await this.conversations.invalidate(match.conversation);
    await this.announce(match.conversation, 'end', actor, await this.partnerOf(match));
    return true;
  }

  /**
   * The actor grades the partner of their current room. The second grade settles the room:
   * two likes replace it by a dialogue, anything else deletes it.
   */
  async grade(actor: AccountRecord, match: Match, grade: string): Promise<GradeOutcome> {
    if (grade !== LIKE && grade !== DISLIKE) throw coreError('GRADE_UNKNOWN', { like: LIKE, dislike: DISLIKE });
    const partner = await this.partnerOf(match);
    const { recorded, grades } = await this.store.conversations.grade(match.conversation.id, actor.id, grade, now());
    if (!recorded) return 'already_graded';
    if (grades.size < 2) {
      await this.announce(match.conversation, 'grade', actor, partner);
      return 'graded';
    }
    await this.store.conversations.delete(match.conversation.id);
    await this.conversations.invalidate(match.conversation);
    const liked = [...grades.values()].every((g) => g === LIKE);
    if (liked) await this.conversations.openDialogue(actor, partner);
    await this.announce(match.conversation, liked ? 'replace' : 'delete', actor, partner);
    return liked ? 'replaced' : 'deleted';
  }

  private async partnerOf(match: Match): Promise<AccountRecord> {
    const partner = await this.accounts.byId(match.partnerId);
    if (!partner) throw new Error(`room ${match.conversation.id} has a partner without an account`);
    return partner;
  }

  private async announce(
    conversation: ConversationRecord,
    change: MatchChange,
    actor: AccountRecord,
    partner: AccountRecord,
  ): Promise<void> {
    const event: CoreEvent = {
      type: 'match.changed',
      conversation: conversationRef(conversation),
      change,
      actor: refOf(actor),
      partner: refOf(partner),
      at: now(),
    };
    await Promise.all([actor.id, partner.id].map((id) => this.bus.publish(accountTopic(id), event)));
  }
}

/** A room counts as ended once a partner ended it or its time is up; no timer is needed. */
export function isActive(conversation: ConversationRecord, at: Instant): boolean {
  return conversation.active && conversation.expiresAt !== null && conversation.expiresAt > at;
}
