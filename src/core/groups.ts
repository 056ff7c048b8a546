// Groups: keyed conversations with admins and members. Admins add, remove, promote and demote;
// members leave; a group never lacks an admin while it has members, and goes when it has none.
import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus/bus.js';
import type { AccountRecord, ConversationRecord, MemberRecord } from '../store/records.js';
import { UniqueViolation } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Accounts } from './accounts.js';
import type { Conversations } from './conversations.js';
import { problem, ValidationError, type Problem } from './errors.js';
import { accountTopic, conversationRef, refOf, type CoreEvent, type GroupChange } from './events.js';
import { DROP_WHEN_DELIVERED } from './messages.js';
import { now } from './time.js';

/** The most members a group holds, at creation as on every later addition. */
export const GROUP_CAPACITY = 128;
export const MAX_GROUP_NAME = 30;
export const MAX_GROUP_BIO = 80;
const KEY_ATTEMPTS = 5;

export interface Group {
  conversation: ConversationRecord;
  /** Longest-standing first. */
  members: MemberRecord[];
}

export interface NewGroup {
  actor: AccountRecord;
  name: string | null;
  bio: string | null;
  admins: readonly AccountRecord[];
  participants: readonly AccountRecord[];
}

/** What an admin's command came to; anything but 'done' changed nothing and told nobody. */
export type GroupOutcome = 'done' | 'not_admin' | 'not_member' | 'wrong_operation' | 'full' | 'last_admin' | 'not_addable';

export type AdminCommand = 'add' | 'remove' | 'promote' | 'demote';

export class Groups {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus<CoreEvent>,
    private readonly conversations: Conversations,
    private readonly accounts: Accounts,
  ) {}

  /** The group with this key, with its members. */
  async byKey(key: string): Promise<Group | undefined> {
    const conversation = await this.store.conversations.find('key', key);
    if (!conversation || conversation.kind !== 'group') return undefined;
    return { conversation, members: await this.store.conversations.listMembers(conversation.id) };
  }

  /** The groups the account is a member of, newest first. */
  async of(account: AccountRecord): Promise<Group[]> {
    return this.conversations.of(account.id, 'group');
  }

  /** Who still has to acknowledge each of these group messages. */
  pendingRecipients(messageIds: readonly number[]): Promise<Map<number, number[]>> {
    return this.store.messages.pendingRecipients(messageIds);
  }

  /**
   * The accounts with these phones that the actor may make members (see Conversations.addable),
   * by phone; phones nobody has and phones of accounts the actor may not add are left out alike.
   */
  async addableByPhone(actor: AccountRecord, phones: readonly string[]): Promise<Map<string, AccountRecord>> {
    const accounts = await this.accounts.byPhones(phones);
    const allowed = await this.conversations.addable(actor, accounts.map((account) => account.id));
    return new Map(accounts.filter((account) => allowed.has(account.id)).map((account) => [account.phone ?? '', account]));
  }

  /**
   * Creates a group; the actor is always one of its admins. Tells every member. Whom the actor
   * may add is settled before, by addableByPhone, which is where the dialect finds the accounts.
   */
  async create(input: NewGroup): Promise<Group> {
    const problems: Record<string, Problem[]> = {};
    if (input.name !== null && input.name.length > MAX_GROUP_NAME) {
      problems.name = [problem('FIELD_TOO_LONG', { max: MAX_GROUP_NAME })];
    }
    if (input.bio !== null && input.bio.length > MAX_GROUP_BIO) {
      problems.bio = [problem('FIELD_TOO_LONG', { max: MAX_GROUP_BIO })];
    }
    const admins = uniqueAccounts([input.actor, ...input.admins]);
    const adminIds = new Set(admins.map((a) => a.id));
    const everyone = uniqueAccounts([...admins, ...input.participants]);
    if (everyone.length > GROUP_CAPACITY) {
      problems.participants = [problem('GROUP_TOO_LARGE', { max: GROUP_CAPACITY })];
    }
    if (Object.keys(problems).length > 0) throw new ValidationError(problems);

    const createdAt = now();
    const members = everyone.map((account) => ({
      accountId: account.id,
      role: adminIds.has(account.id) ? ('admin' as const) : ('member' as const),
    }));
    let conversation: ConversationRecord | undefined;
    for (let attempt = 0; !conversation; attempt++) {
      try {
        conversation = await this.store.conversations.create(
          {
            kind: 'group',
            key: newGroupKey(),
            pairKey: null,
            name: input.name,
            description: input.bio,
            avatar: null,
            createdBy: input.actor.id,
            active: true,
            expiresAt: null,
            createdAt,
          },
          members,
        );
      } catch (error) {
        if (!(error instanceof UniqueViolation) || attempt + 1 >= KEY_ATTEMPTS) throw error;
      }
    }
    const group = { conversation, members: await this.store.conversations.listMembers(conversation.id) };
    await this.announce(group, 'create', input.actor, null, group.members);
    return group;
  }

  /**
   * An admin's command about one account. Refusals change nothing and tell nobody. A target
   * nobody has (undefined) is answered as a registered account that is no member and that the
   * actor may not add, so the outcome never tells whether a phone has an account.
   */
  async administer(command: AdminCommand, actor: AccountRecord, group: Group, target: AccountRecord | undefined): Promise<GroupOutcome> {
    const { conversation } = group;
    if (!isAdmin(group, actor.id)) return 'not_admin';
    const isMember = target !== undefined && group.members.some((m) => m.accountId === target.id);
    switch (command) {
      case 'add': {
        if (isMember) return 'wrong_operation';
        if (!target || !(await this.conversations.addable(actor, [target.id])).has(target.id)) return 'not_addable';
        const added = await this.store.conversations.addMember(
          conversation,
          { accountId: target.id, role: 'member' },
          now(),
          GROUP_CAPACITY,
        );
        if (added === 'full') return 'full';
        if (added === 'member') return 'wrong_operation';
        break;
      }
      case 'remove': {
        // Leaving is its own command: it may hand the admin role on.
        if (!target || !isMember || target.id === actor.id) return 'wrong_operation';
        const removal = await this.store.conversations.removeMember(conversation.id, target.id, DROP_WHEN_DELIVERED[conversation.kind]);
        if (!removal.removed) return 'wrong_operation';
        break;
      }
      case 'promote':
      case 'demote': {
        if (!target) return 'wrong_operation';
        const change = await this.store.conversations.setRole(
          conversation.id,
          target.id,
          command === 'promote' ? 'admin' : 'member',
        );
        if (change === 'last_admin') return 'last_admin';
        if (change !== 'changed') return 'wrong_operation';
        break;
      }
    }
    await this.changed(conversation);
    const after = await this.store.conversations.listMembers(conversation.id);
    await this.announce({ conversation, members: after }, command, actor, target ?? null, after);
    return 'done';
  }

  /**
   * The actor leaves. Everyone who was a member hears of it; when no admin is left the
   * longest-standing member becomes one; a group left empty is deleted with its messages.
   */
  async leave(actor: AccountRecord, group: Group): Promise<GroupOutcome> {
    if (!group.members.some((m) => m.accountId === actor.id)) return 'not_member';
    await this.store.conversations.removeMember(group.conversation.id, actor.id, DROP_WHEN_DELIVERED[group.conversation.kind]);
    await this.changed(group.conversation);
    await this.announce(group, 'leave', actor, null, group.members);
    return 'done';
  }

  /** An admin deletes the group with its messages; every member hears of it. */
  async delete(actor: AccountRecord, group: Group): Promise<GroupOutcome> {
    if (!isAdmin(group, actor.id)) return 'not_admin';
    await this.store.conversations.delete(group.conversation.id);
    await this.changed(group.conversation);
    await this.announce(group, 'delete', actor, null, group.members);
    return 'done';
  }

  private async changed(conversation: ConversationRecord): Promise<void> {
    await this.conversations.invalidate(conversation);
  }

  private async announce(
    group: Group,
    change: GroupChange,
    actor: AccountRecord,
    target: AccountRecord | null,
    recipients: readonly MemberRecord[],
  ): Promise<void> {
    const event: CoreEvent = {
      type: 'group.changed',
      conversation: conversationRef(group.conversation),
      change,
      actor: refOf(actor),
      target: target && refOf(target),
      at: now(),
    };
    await Promise.all(recipients.map((m) => this.bus.publish(accountTopic(m.accountId), event)));
  }
}

export function isAdmin(group: Group, accountId: number): boolean {
  return group.members.some((m) => m.accountId === accountId && m.role === 'admin');
}

/** Ten upper-case hex characters, as the original's keys (e.g. 45F67B2B9A). */
function newGroupKey(): string {
  return randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase();
}

function uniqueAccounts(accounts: readonly AccountRecord[]): AccountRecord[] {
  const seen = new Map<number, AccountRecord>();
  for (const account of accounts) if (!seen.has(account.id)) seen.set(account.id, account);
  return [...seen.values()];
}
