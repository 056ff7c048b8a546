// Rooms: conversations of kind 'room' with permanent history, managed by their creator and
// admins: creation, settings, members, ownership, and a member's notifications. What is posted
// in a room goes through the one message pipeline (messages.ts); events go out once on the
// room's topic.
import type { Bus } from '../bus/bus.js';
import type { AttachmentFiles } from '../store/attachment-files.js';
import { UniqueViolation, type AccountRecord, type MemberRole, type MessageRecord, type RoomRow } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Accounts } from './accounts.js';
import type { Conversations } from './conversations.js';
import { coreError, problem, ValidationError, type Problem } from './errors.js';
import type { CoreEvent } from './events.js';
import { logEntry } from './changes.js';
import { dropsDelivered, fanOut } from './kinds.js';
import { visibleBody } from './message-views.js';
import type { Messages } from './messages.js';
import { now } from './time.js';

export const MAX_ROOM_NAME = 50;
export const MAX_ROOM_DESCRIPTION = 1000;
const ROOM_NAME_TAKEN = problem('TAKEN', { entity: 'room', field: 'name' });

export interface RoomOverview {
  room: RoomRow;
  creator: AccountRecord | undefined;
  unreadCount: number;
  lastReadAt: string | null;
  lastReadMessageId: number | null;
  lastMessage: { record: MessageRecord; body: string; sender: AccountRecord } | null;
}

export interface RoomMember {
  account: AccountRecord;
  role: MemberRole;
}

export class Rooms {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus<CoreEvent>,
    private readonly accounts: Accounts,
    private readonly conversations: Conversations,
    private readonly messages: Messages,
    private readonly files: AttachmentFiles,
  ) {}

  /** The room if it exists and is a room (active or not). */
  async room(roomId: number): Promise<RoomRow> {
    const room = await this.store.conversations.findRoom(roomId);
    if (!room) throw coreError('ROOM_NOT_FOUND');
    return room;
  }

  /** Refuses unless the room exists and is active (else not found) and the actor is a member. */
  async requireMember(actor: AccountRecord, roomId: number): Promise<void> {
    await this.messages.member({ actor, conversationId: roomId, kind: 'room' }, 'post');
  }

  async isMember(actor: AccountRecord, roomId: number): Promise<boolean> {
    const membership = await this.conversations.membership(roomId);
    return membership?.conversation.kind === 'room' && membership.memberIds.includes(actor.id);
  }

  async myRooms(actor: AccountRecord, query?: string): Promise<RoomOverview[]> {
    const rooms = await this.store.conversations.listRooms({ memberId: actor.id, activeOnly: true, query });
    return Promise.all(rooms.map((room) => this.overview(actor, room)));
  }

  async overview(actor: AccountRecord, room: RoomRow): Promise<RoomOverview> {
    const state = await this.store.conversations.readState(room.id, actor.id);
    const last = state.lastMessage;
    const lastSender = last ? await this.accounts.byId(last.senderId) : undefined;
    return {
      room,
      creator: room.createdBy === null ? undefined : await this.accounts.byId(room.createdBy),
      unreadCount: state.unreadCount,
      lastReadAt: state.lastReadAt,
      lastReadMessageId: state.lastReadMessageId,
      lastMessage: last && lastSender ? { record: last, body: visibleBody(last), sender: lastSender } : null,
    };
  }

  async creatorOf(room: RoomRow): Promise<AccountRecord | undefined> {
    return room.createdBy === null ? undefined : this.accounts.byId(room.createdBy);
  }

  async members(actor: AccountRecord, roomId: number, query?: string): Promise<RoomMember[]> {
    await this.requireMember(actor, roomId);
    const records = await this.store.conversations.listMembers(roomId);
    const members: RoomMember[] = [];
    const needle = query?.toLowerCase();
    for (const record of records) {
      const account = await this.accounts.byId(record.accountId);
      if (!account) continue;
      if (needle !== undefined && !`${account.firstName}\n${account.lastName}`.toLowerCase().includes(needle)) continue;
      members.push({ account, role: record.role });
    }
    return members;
  }

  async createRoom(
    actor: AccountRecord,
    input: { name: string; description: string | null; avatar: string | null; active: boolean; memberIds: readonly number[] },
  ): Promise<RoomRow> {
    const problems: Record<string, Problem[]> = {};
    const name = input.name.trim();
    if (name === '') problems.name = [problem('FIELD_BLANK')];
    else if (name.length > MAX_ROOM_NAME) problems.name = [problem('FIELD_TOO_LONG', { max: MAX_ROOM_NAME })];
    if (input.description !== null && input.description.length > MAX_ROOM_DESCRIPTION) {
      problems.description = [problem('FIELD_TOO_LONG', { max: MAX_ROOM_DESCRIPTION })];
    }
    const memberIds = [...new Set(input.memberIds)];
    const refused = await this.refusedMembers(actor, memberIds);
    if (refused.length > 0) problems.members = refused;
    if (Object.keys(problems).length > 0) throw new ValidationError(problems);
    const members = [
      { accountId: actor.id, role: 'admin' as const },
      ...memberIds.filter((id) => id !== actor.id).map((accountId) => ({ accountId, role: 'member' as const })),
    ];
    try {
      const created = await this.store.conversations.createRoom(
        { name, description: input.description, avatar: input.avatar, createdBy: actor.id, active: input.active, createdAt: now() },
        members,
      );
      return this.room(created.id);
    } catch (error) {
      if (error instanceof UniqueViolation) throw new ValidationError({ name: [ROOM_NAME_TAKEN] });
      throw error;
    }
  }

  /** Creator or room admin only. A room made inactive is closed for everyone connected. */
  async editRoom(
    actor: AccountRecord,
    roomId: number,
    patch: { name?: string; description?: string | null; avatar?: string | null; active?: boolean },
  ): Promise<RoomRow> {
    const room = await this.room(roomId);
    await this.requireManager(actor, room, 'edit');
    const name = patch.name?.trim();
    if (name !== undefined && (name === '' || name.length > MAX_ROOM_NAME)) {
      throw new ValidationError({ name: [name === '' ? problem('FIELD_BLANK') : problem('FIELD_TOO_LONG', { max: MAX_ROOM_NAME })] });
    }
    if (patch.description && patch.description.length > MAX_ROOM_DESCRIPTION) {
      throw new ValidationError({ description: [problem('FIELD_TOO_LONG', { max: MAX_ROOM_DESCRIPTION })] });
    }
    try {
      await this.store.conversations.updateRoom(roomId, { ...patch, name, updatedAt: now() });
    } catch (error) {
      if (error instanceof UniqueViolation) throw new ValidationError({ name: [ROOM_NAME_TAKEN] });
      throw error;
    }
    await this.conversations.invalidate({ id: roomId, pairKey: null });
    if (patch.active === false) await this.publish(roomId, { type: 'room.closed', conversation: { id: roomId, kind: 'room' } });
    return this.room(roomId);
  }

  /** Creator or room admin only: the room and its history go. */
  async deleteRoom(actor: AccountRecord, roomId: number): Promise<void> {
    const room = await this.room(roomId);
    await this.requireManager(actor, room, 'delete');
    const files = await this.store.attachments.keysOf(roomId);
    await this.store.conversations.delete(roomId);
    await Promise.all(files.map((key) => this.files.remove(key)));
    await this.conversations.invalidate({ id: roomId, pairKey: null });
    await this.publish(roomId, { type: 'room.closed', conversation: { id: roomId, kind: 'room' } });
  }

  /** Creator or room admin only: adds accounts the actor may add (see Conversations.addable). */
  async addMembers(actor: AccountRecord, roomId: number, accountIds: readonly number[]): Promise<RoomRow> {
    const room = await this.room(roomId);
    await this.requireManager(actor, room, 'addMembers');
    const ids = [...new Set(accountIds)];
    const refused = await this.refusedMembers(actor, ids);
    if (refused.length > 0) throw new ValidationError({ members: refused });
    return this.enrol(roomId, ids);
  }

  /**
   * Adds members as the administrator (the command line): whoever they are, without the rule of
   * whom an account may add (Conversations.addable), which is for the accounts' own requests.
   */
  async addMembersByAdmin(roomId: number, accountIds: readonly number[]): Promise<RoomRow> {
    const room = await this.room(roomId);
    return this.enrol(room.id, [...new Set(accountIds)]);
  }

  /** Removes members as the administrator; as for leaving, the creator must hand the room over first. */
  async removeMembersByAdmin(roomId: number, accountIds: readonly number[]): Promise<RoomRow> {
    const room = await this.room(roomId);
    if (room.createdBy !== null && accountIds.includes(room.createdBy)) throw coreError('OWNER_CANNOT_LEAVE');
    await this.drop(roomId, [...new Set(accountIds)]);
    return this.room(roomId);
  }

  /** A member leaves; the creator must hand the room over first. */
  async leave(actor: AccountRecord, roomId: number): Promise<void> {
    const room = await this.room(roomId);
    if (!(await this.isMember(actor, roomId))) throw coreError('NOT_A_MEMBER');
    if (room.createdBy === actor.id) throw coreError('OWNER_CANNOT_LEAVE');
    await this.drop(roomId, [actor.id]);
  }

  /** Makes the accounts members; every process reads the room's members again. */
  private async enrol(roomId: number, accountIds: readonly number[]): Promise<RoomRow> {
    const conversation = { id: roomId, kind: 'room' } as const;
    const joined = (accountId: number) => ({ type: 'room.joined', conversation, accountId }) as const;
    const added = await this.store.conversations.addMembers(
      conversation,
      accountIds.map((accountId) => ({ accountId, role: 'member' as const })),
      now(),
      (accountId) => logEntry(joined(accountId)),
    );
    await this.conversations.invalidate({ id: roomId, pairKey: null });
    for (const { accountId, position } of added) await this.publish(roomId, { ...joined(accountId), position });
    return this.room(roomId);
  }

  /** Takes the accounts out of the room; every process reads its members again, and their sockets on it close. */
  private async drop(roomId: number, accountIds: readonly number[]): Promise<void> {
    const left = (accountId: number) => ({ type: 'room.left', conversation: { id: roomId, kind: 'room' }, accountId }) as const;
    const removed: Array<{ accountId: number; position: number | undefined }> = [];
    for (const accountId of accountIds) {
      const removal = await this.store.conversations.removeMember(roomId, accountId, dropsDelivered('room'), undefined, logEntry(left(accountId)));
      if (removal.removed) removed.push({ accountId, position: removal.position });
    }
    await this.conversations.invalidate({ id: roomId, pairKey: null });
    for (const { accountId, position } of removed) await this.publish(roomId, { ...left(accountId), position });
  }

  async transferOwnership(actor: AccountRecord, roomId: number, newOwnerId: number): Promise<AccountRecord> {
    const room = await this.room(roomId);
    if (room.createdBy !== actor.id) throw coreError('NOT_OWNER');
    const owner = await this.accounts.byId(newOwnerId);
    const membership = await this.conversations.membership(roomId);
    if (!owner || !membership?.memberIds.includes(newOwnerId)) throw coreError('NEW_OWNER_NOT_MEMBER');
    await this.store.conversations.updateRoom(roomId, { createdBy: newOwnerId, updatedAt: now() });
    await this.store.conversations.setRole(roomId, newOwnerId, 'admin');
    await this.conversations.invalidate({ id: roomId, pairKey: null });
    return owner;
  }

  async unreadNotifications(actor: AccountRecord): Promise<number> {
    return this.store.notifications.unread(actor.id);
  }

  async markNotificationsRead(actor: AccountRecord, ids: readonly number[] | undefined): Promise<number> {
    return this.store.notifications.markRead(actor.id, ids);
  }

  async registerDevice(actor: AccountRecord, token: string, deviceType: string): Promise<void> {
    await this.store.notifications.upsertDeviceToken({ token, accountId: actor.id, deviceType, createdAt: now() });
  }

  private async requireManager(actor: AccountRecord, room: RoomRow, action: 'edit' | 'delete' | 'addMembers'): Promise<void> {
    if (room.createdBy === actor.id) return;
    const member = await this.conversations.member(room.id, actor.id);
    if (member?.role !== 'admin') throw coreError('NOT_MANAGER', { action });
  }

  /**
   * A problem for each id the actor may not add: the same for an account that does not exist
   * and one that is not the actor's to add, so the answer tells nothing apart.
   */
  private async refusedMembers(actor: AccountRecord, ids: readonly number[]): Promise<Problem[]> {
    const allowed = await this.conversations.addable(actor, ids);
    return ids.filter((id) => !allowed.has(id)).map((id) => problem('ACCOUNT_UNKNOWN', { id }));
  }

  private async publish(roomId: number, event: CoreEvent): Promise<void> {
    await fanOut(this.bus, { id: roomId, kind: 'room' }, [], event);
  }
}

