// Conversations and their members, read from memory and invalidated over the bus. Dialogues
// (the phone dialect's personal chats) are opened and closed here.
import type { Bus } from '../bus/bus.js';
import type { AccountRecord, ConversationKind, ConversationRecord, ConversationWithMembers, MemberRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ADMIN_ROLE } from './accounts.js';
import { coreError } from './errors.js';
import { INVALIDATION_TOPIC, accountTopic, refOf, type CoreEvent } from './events.js';
import { now } from './time.js';

/**
 * Conversations whose members know each other. A match room does not count: its partners are
 * anonymous to each other until the room turns into a dialogue.
 */
const ACQUAINTING_KINDS: readonly ConversationKind[] = ['dialogue', 'group', 'room'];

export interface Membership {
  conversation: ConversationRecord;
  memberIds: readonly number[];
}

export class Conversations {
  private readonly byId = new Map<number, Membership>();
  private readonly idByPair = new Map<string, number>();
  /** Group keys never change: an entry stays right while its conversation exists. */
  private readonly idByKey = new Map<string, number>();
  /**
   * Counts what was forgotten. A read that began before a forget may have seen the rows before
   * the change it was forgotten for: it answers its caller but is not kept (see remember).
   */
  private forgets = 0;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus<CoreEvent>,
  ) {
    bus.subscribe(INVALIDATION_TOPIC, (event) => {
      if (event.type === 'invalidate.conversation') this.forget(event.id, event.pairKey);
    });
  }

  /** Drops everything cached (invalidations may have been missed: see Core). */
  forgetAll(): void {
    this.forgets += 1;
    this.byId.clear();
    this.idByPair.clear();
    this.idByKey.clear();
  }

  /** The conversation with its member ids, from memory when possible. */
  async membership(id: number): Promise<Membership | undefined> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const since = this.forgets;
    const conversation = await this.store.conversations.find('id', id);
    if (!conversation) return undefined;
    return this.remember(conversation, since);
  }

  /** The conversation with this key (a group's) with its member ids, from memory when possible. */
  async byKey(key: string): Promise<Membership | undefined> {
    const id = this.idByKey.get(key);
    if (id !== undefined) {
      const membership = await this.membership(id);
      if (membership) return membership;
      this.idByKey.delete(key);
      return undefined;
    }
    const since = this.forgets;
    const conversation = await this.store.conversations.find('key', key);
    return conversation && this.remember(conversation, since);
  }

  /** Refuses unless the account is a member of the conversation. */
  async requireMember(id: number, accountId: number): Promise<Membership> {
    const membership = await this.membership(id);
    if (!membership) throw coreError('CONVERSATION_NOT_FOUND');
    if (!membership.memberIds.includes(accountId)) throw coreError('NOT_A_MEMBER');
    return membership;
  }

  async member(conversationId: number, accountId: number): Promise<MemberRecord | undefined> {
    const members = await this.store.conversations.listMembers(conversationId);
    return members.find((m) => m.accountId === accountId);
  }

  /** Whether `otherId` is the account itself or shares a dialogue, a group or a room with it. */
  async isContact(accountId: number, otherId: number): Promise<boolean> {
    return accountId === otherId || (await this.store.conversations.membersWith(accountId, [otherId], ACQUAINTING_KINDS)).length > 0;
  }

  /**
   * Which of these accounts the actor may make members of a room or a group: itself and its
   * contacts (see isContact); any existing account when the actor's role is admin. An account
   * that does not exist and one the actor may not add are refused alike, so adding members is
   * no way to learn who has an account, and nobody is put in a conversation by a stranger.
   */
  async addable(actor: AccountRecord, ids: readonly number[]): Promise<Set<number>> {
    if (actor.role === ADMIN_ROLE) return new Set((await this.store.accounts.findMany('id', ids)).map((account) => account.id));
    const contacts = await this.store.conversations.membersWith(actor.id, ids, ACQUAINTING_KINDS);
    return new Set(ids.includes(actor.id) ? [...contacts, actor.id] : contacts);
  }

  /** The account's conversations of one kind with their members, newest first. */
  of(accountId: number, kind: ConversationKind): Promise<ConversationWithMembers[]> {
    return this.store.conversations.of(accountId, kind);
  }

  /** The dialogue between two accounts, if there is one. */
  async findDialogue(a: number, b: number): Promise<Membership | undefined> {
    const pairKey = dialoguePairKey(a, b);
    const id = this.idByPair.get(pairKey);
    if (id !== undefined) return this.membership(id);
    const since = this.forgets;
    const conversation = await this.store.conversations.find('pairKey', pairKey);
    return conversation && this.remember(conversation, since);
  }

  /** Opens the dialogue between actor and peer; tells the peer when it is new. */
  async openDialogue(actor: AccountRecord, peer: AccountRecord): Promise<{ membership: Membership; created: boolean }> {
    if (actor.id === peer.id) throw coreError('DIALOGUE_WITH_SELF');
    const createdAt = now();
    const since = this.forgets;
    const { conversation, created } = await this.store.conversations.openPair(
      {
        kind: 'dialogue',
        key: null,
        pairKey: dialoguePairKey(actor.id, peer.id),
        name: null,
        description: null,
        avatar: null,
        createdBy: actor.id,
        active: true,
        expiresAt: null,
        createdAt,
      },
      [actor.id, peer.id],
    );
    const membership = await this.remember(conversation, since);
    if (created) {
      await this.bus.publish(accountTopic(peer.id), {
        type: 'conversation.opened',
        conversation: { id: conversation.id, kind: conversation.kind },
        actor: refOf(actor),
        at: createdAt,
      });
    }
    return { membership, created };
  }

  /** Deletes the dialogue and its stored messages; returns how many each side had sent. */
  async closeDialogue(actor: AccountRecord, peer: AccountRecord): Promise<{ byActor: number; byPeer: number }> {
    const membership = await this.findDialogue(actor.id, peer.id);
    if (!membership) throw coreError('DIALOGUE_NOT_FOUND');
    const { conversation } = membership;
    const counts = await this.store.conversations.delete(conversation.id);
    await this.invalidate(conversation);
    await this.bus.publish(accountTopic(peer.id), {
      type: 'conversation.closed',
      conversation: { id: conversation.id, kind: conversation.kind },
      actor: refOf(actor),
      at: now(),
    });
    return { byActor: counts.get(actor.id) ?? 0, byPeer: counts.get(peer.id) ?? 0 };
  }

  /**
   * Every process drops what it cached about the conversation (its members changed or it went):
   * this one at once, so that its next request sees the change; the others through the bus.
   */
  async invalidate(conversation: Pick<ConversationRecord, 'id' | 'pairKey'>): Promise<void> {
    this.forget(conversation.id, conversation.pairKey);
    await this.bus.publish(INVALIDATION_TOPIC, {
      type: 'invalidate.conversation',
      id: conversation.id,
      pairKey: conversation.pairKey,
    });
  }

  /** Reads the members and keeps the membership, unless something was forgotten since the read began (`since`). */
  private async remember(conversation: ConversationRecord, since: number): Promise<Membership> {
    const members = await this.store.conversations.listMembers(conversation.id);
    const membership = { conversation, memberIds: members.map((m) => m.accountId) };
    if (this.forgets !== since) return membership;
    this.byId.set(conversation.id, membership);
    if (conversation.pairKey) this.idByPair.set(conversation.pairKey, conversation.id);
    if (conversation.key) this.idByKey.set(conversation.key, conversation.id);
    return membership;
  }

  private forget(id: number, pairKey: string | null): void {
    this.forgets += 1;
    this.byId.delete(id);
    if (pairKey) this.idByPair.delete(pairKey);
  }
}

export function dialoguePairKey(a: number, b: number): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
