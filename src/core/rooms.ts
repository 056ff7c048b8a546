// Rooms: conversations of kind 'room' with permanent history. Membership and authorship are
// checked here, so every dialect shares the rules; events go out once on the room's topic.
import { randomBytes } from 'node:crypto';
import type { Bus } from '../bus/bus.js';
import type { AttachmentFiles, IncomingFile } from '../store/attachment-files.js';
import { UniqueViolation, type AccountRecord, type AttachmentRecord, type MemberRole, type MessageRecord, type NotificationRecord, type RoomRow } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Accounts } from './accounts.js';
import type { Conversations } from './conversations.js';
import { coreError, problem, unlessGone, ValidationError, type Problem } from './errors.js';
import { ContentSniffer, essence } from './file-types.js';
import {
  notificationTopic,
  type CoreEvent,
  participantOf,
  type MessageCreated,
} from './events.js';
import { logEntry } from './changes.js';
import { allows, dropsDelivered, fanOut, type MessageAction } from './kinds.js';
import { MAX_BODY_LENGTH, type MessageStored } from './messages.js';
import { textProblem } from './text.js';
import type { Presence } from './presence.js';
import type { PushWebhook } from './push.js';
import { addSeconds, justBefore, now, type Instant } from './time.js';

export const REACTIONS = ['Like', 'Cool', 'HaHa', 'Heart', 'Anger', 'Smile', 'Sad'] as const;
export const MESSAGE_TYPES = ['text', 'image', 'file'] as const;
export const MAX_PINS = 3;
export const PIN_LIFETIME_SECONDS = 7 * 24 * 3600;
export const MAX_ROOM_NAME = 50;
export const MAX_ROOM_DESCRIPTION = 1000;
export const MAX_MENTIONS = 100;
const ROOM_NAME_TAKEN = problem('TAKEN', { entity: 'room', field: 'name' });

/**
 * How the notification of a mention reads, fixed when it is stored: the dialect's words. Given
 * the room's name and who mentioned.
 */
export type MentionNotice = (mention: { roomName: string; by: AccountRecord }) => { eventType: string; body: string };

export interface UploadLimits {
  maxBytes: number;
  /** Exact content types or `type/*`. */
  types: readonly string[];
  /** Uploads one account may have in progress at once (in this process). */
  perAccount: number;
}

/** A stored message with everything a dialect shows about it. */
export interface RoomMessageDetail {
  record: MessageRecord;
  sender: AccountRecord;
  /** '' once the message is deleted: deleted content is never shown. */
  body: string;
  attachment: string | null;
  parent: { record: MessageRecord; body: string; sender: AccountRecord } | null;
  reactions: Map<string, number> | undefined;
  mentions: number[];
  /** Pinned within the last PIN_LIFETIME_SECONDS; older pins have expired. */
  pinned: boolean;
}

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

export interface SendRoomMessage {
  body: string;
  type: string;
  mentions: readonly number[];
  parentId: number | null;
  /** The client's id for the message: a send repeating one (same sender and room) is that message again. */
  clientId?: string;
}

/** A message just stored (or, when `repeated`, stored before), as shown, with the notifications written with it. */
interface Posted {
  detail: RoomMessageDetail;
  notifications: NotificationRecord[];
  repeated: boolean;
  /** Its position in the room's change log (not for a repeat). */
  position?: number;
}

/** An uploaded file on disk, accepted for its size and type, waiting for its message. */
export interface ReceivedFile {
  incoming: IncomingFile;
  fileName: string;
  /** Decided from the file's bytes, never taken from the client. */
  contentType: string;
}

export interface Upload {
  file: ReceivedFile;
  body: string;
  parentId: number | null;
  /** As SendRoomMessage's: a repeat keeps no second file and is the first message again. */
  clientId?: string;
}

export class Rooms {
  /** Uploads in progress, per account. */
  private readonly uploading = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly bus: Bus<CoreEvent>,
    private readonly accounts: Accounts,
    private readonly conversations: Conversations,
    private readonly presence: Presence,
    private readonly push: PushWebhook,
    private readonly files: AttachmentFiles,
    readonly uploadLimits: UploadLimits,
    private readonly onStored: MessageStored,
    private readonly mentionNotice: MentionNotice,
  ) {}

  /** The room if it exists and is a room (active or not). */
  async room(roomId: number): Promise<RoomRow> {
    const room = await this.store.conversations.findRoom(roomId);
    if (!room) throw coreError('ROOM_NOT_FOUND');
    return room;
  }

  /**
   * Refuses unless the room exists, is active, its kind allows `action` (see kinds.ts; a
   * conversation of another kind is no room), and the actor is a member.
   */
  async requireMember(
    actor: AccountRecord,
    roomId: number,
    action: MessageAction = 'post',
  ): Promise<{ id: number; name: string; memberIds: readonly number[] }> {
    const membership = await this.conversations.membership(roomId);
    if (!membership || membership.conversation.kind !== 'room' || !allows(membership.conversation.kind, action) || !membership.conversation.active) {
      throw coreError('ROOM_NOT_FOUND');
    }
    if (!membership.memberIds.includes(actor.id)) throw coreError('NOT_A_MEMBER');
    return { id: roomId, name: membership.conversation.name ?? '', memberIds: membership.memberIds };
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

  async markRead(actor: AccountRecord, roomId: number): Promise<void> {
    await this.requireMember(actor, roomId, 'markRead');
    await this.store.conversations.setMarker(roomId, actor.id, 'lastSeenAt', now());
  }

  /** Moves the actor's read marker back to just before the message: it and what follows are unread again. */
  async markUnread(actor: AccountRecord, roomId: number, messageId: number): Promise<void> {
    await this.requireMember(actor, roomId, 'markRead');
    const message = await this.store.messages.find(messageId);
    if (!message || message.conversationId !== roomId) throw coreError('MESSAGE_NOT_FOUND');
    await this.store.conversations.setMarker(roomId, actor.id, 'lastSeenAt', justBefore(message.createdAt as Instant));
  }

  /** One page of history, newest first. */
  async history(actor: AccountRecord, roomId: number, offset: number, limit: number): Promise<{ count: number; messages: RoomMessageDetail[] }> {
    await this.requireMember(actor, roomId);
    const { count, messages } = await this.store.messages.history(roomId, offset, limit);
    return { count, messages: await this.details(messages) };
  }

  /**
   * Stores and broadcasts the message; a repeat of one sent with the same client id is neither
   * stored nor broadcast again (`repeated`: the sender alone is answered, with the first one).
   */
  async send(actor: AccountRecord, roomId: number, input: SendRoomMessage): Promise<{ event: MessageCreated; repeated: boolean }> {
    const room = await this.requireMember(actor, roomId, 'post');
    const posted = await this.storeMessage(actor, room, { ...input, attachment: null });
    if (posted.repeated) return { event: created(room.id, posted.detail), repeated: true };
    return { event: created(room.id, await this.announce(actor, room, posted)), repeated: false };
  }

  /** Takes one of the actor's upload places until the returned release is called; refused when all are taken. */
  reserveUpload(actor: AccountRecord): () => void {
    const inProgress = this.uploading.get(actor.id) ?? 0;
    if (inProgress >= this.uploadLimits.perAccount) {
      throw coreError('UPLOADS_BUSY', { max: this.uploadLimits.perAccount });
    }
    this.uploading.set(actor.id, inProgress + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.uploading.get(actor.id) ?? 1) - 1;
      if (left > 0) this.uploading.set(actor.id, left);
      else this.uploading.delete(actor.id);
    };
  }

  /**
   * Streams an uploaded file to disk and names its type from its bytes; the declared type must be
   * a well-formed media type and nothing more. Too large or of no accepted type: refused, and
   * nothing stays on disk.
   */
  async receiveFile(source: AsyncIterable<Buffer>, fileName: string, declaredType: string): Promise<ReceivedFile> {
    const sniffer = new ContentSniffer();
    const incoming = await this.files.receive(source, this.uploadLimits.maxBytes, (chunk) => sniffer.push(chunk));
    if (incoming === 'too_large') throw coreError('FILE_TOO_LARGE', { maxBytes: this.uploadLimits.maxBytes });
    const contentType = essence(declaredType) === undefined ? undefined : sniffer.type(declaredType);
    if (contentType === undefined || !this.uploadLimits.types.some((allowed) => typeMatches(allowed, contentType))) {
      await this.files.discard(incoming);
      throw essence(declaredType) === undefined
        ? coreError('NOT_A_MEDIA_TYPE', { declared: declaredType })
        : contentType === undefined
          ? coreError('FILE_TYPE_UNKNOWN')
          : coreError('FILE_TYPE_REFUSED', { type: contentType });
    }
    return { incoming, fileName: safeFileName(fileName), contentType };
  }

  /** Throws a received file away (its upload was refused after all). */
  async discardFile(file: ReceivedFile): Promise<void> {
    await this.files.discard(file.incoming);
  }

  /** Keeps the received file and posts it as an image or file message: both are stored, or neither. */
  async upload(actor: AccountRecord, roomId: number, upload: Upload): Promise<RoomMessageDetail> {
    const room = await this.requireMember(actor, roomId, 'attach');
    // The edges check every text they decode, but multipart fields reach here unread: the same rule.
    const unstorable = textProblem(upload.body);
    if (unstorable) throw coreError('TEXT_UNSTORABLE', { field: 'body', problem: unstorable });
    const { file } = upload;
    const key = randomBytes(16).toString('hex');
    await this.files.keep(file.incoming, key);
    let stored: Posted;
    try {
      // The attachment's record is written in the message's transaction: both or neither.
      stored = await this.storeMessage(
        actor,
        room,
        {
          body: upload.body,
          type: file.contentType.startsWith('image/') ? 'image' : 'file',
          mentions: [],
          parentId: upload.parentId,
          attachment: mediaPath(key, file.fileName),
          clientId: upload.clientId,
        },
        {
          key,
          conversationId: roomId,
          uploaderId: actor.id,
          fileName: file.fileName,
          contentType: file.contentType,
          size: file.incoming.size,
          createdAt: now(),
        },
      );
    } catch (error) {
      await this.files.remove(key);
      throw error;
    }
    // A repeat stored nothing (its send key was taken, so no attachment record either): the file goes.
    if (stored.repeated) {
      await this.files.remove(key);
      return stored.detail;
    }
    return this.announce(actor, room, stored);
  }

  /** An uploaded file that is still shown by a message, for serving. */
  async attachment(key: string): Promise<AttachmentRecord | undefined> {
    return this.store.attachments.find(key);
  }

  /** Where the uploaded files are, for serving. */
  get attachmentDirectory(): string {
    return this.files.directory;
  }

  async edit(actor: AccountRecord, roomId: number, messageId: number, body: string): Promise<void> {
    await this.requireMember(actor, roomId, 'edit');
    if (body.length > MAX_BODY_LENGTH) throw coreError('MESSAGE_TOO_LONG', { max: MAX_BODY_LENGTH });
    const message = await this.ownMessage(actor, roomId, messageId);
    const event = { type: 'message.edited', conversation: { id: roomId, kind: 'room' }, messageId: message.id, body } as const;
    const position = await this.store.messages.edit(message.id, body, now(), logEntry(event));
    await this.publish(roomId, { ...event, position });
  }

  async remove(actor: AccountRecord, roomId: number, messageId: number): Promise<void> {
    await this.requireMember(actor, roomId, 'delete');
    const message = await this.ownMessage(actor, roomId, messageId);
    const event = { type: 'message.deleted', conversation: { id: roomId, kind: 'room' }, messageId: message.id } as const;
    const position = await this.store.messages.markDeleted(message.id, now(), logEntry(event));
    await this.dropAttachment(roomId, message);
    await this.publish(roomId, { ...event, position });
  }

  /** Toggles the actor's reaction; returns the message's counts afterwards. */
  async react(actor: AccountRecord, roomId: number, messageId: number, reaction: string): Promise<Record<string, number>> {
    await this.requireMember(actor, roomId, 'react');
    if (!(REACTIONS as readonly string[]).includes(reaction)) throw coreError('REACTION_UNKNOWN', { reactions: REACTIONS });
    const message = await this.liveMessage(roomId, messageId);
    const reacted = (counts: Map<string, number>) =>
      ({ type: 'message.reacted', conversation: { id: roomId, kind: 'room' }, messageId: message.id, reactions: Object.fromEntries(counts) }) as const;
    const toggled = await this.store.annotations.toggleReaction(message.id, actor.id, reaction, now(), (counts) => logEntry(reacted(counts)));
    const event = reacted(toggled.reactions);
    await this.publish(roomId, { ...event, position: toggled.position });
    return event.reactions;
  }

  /** Pins (at most MAX_PINS live pins per room; pins expire) or unpins a message. */
  async pin(actor: AccountRecord, roomId: number, messageId: number, pin: boolean): Promise<string | null> {
    await this.requireMember(actor, roomId, 'pin');
    const message = await this.liveMessage(roomId, messageId);
    const at = now();
    const pinned = (pinnedAt: string | null) => ({ type: 'message.pinned', conversation: { id: roomId, kind: 'room' }, messageId: message.id, pinnedAt }) as const;
    let position: number | undefined;
    if (pin) {
      if (isPinned(message, at)) return message.pinnedAt;
      const pinning = await this.store.annotations.pin(roomId, message.id, at, { since: addSeconds(at, -PIN_LIFETIME_SECONDS), max: MAX_PINS }, logEntry(pinned(at)));
      if (pinning.pinnedAt === 'full') throw coreError('PIN_LIMIT', { max: MAX_PINS });
      // Pinned by a concurrent request in the meantime: that one told the room.
      if (pinning.pinnedAt !== at) return pinning.pinnedAt;
      position = pinning.position;
    } else {
      position = await this.store.annotations.setPinned(message.id, null, logEntry(pinned(null)));
    }
    const event = pinned(pin ? at : null);
    await this.publish(roomId, { ...event, position });
    return event.pinnedAt;
  }

  /** Tells the room that the actor started or stopped typing. Never touches the store. */
  async typing(actor: AccountRecord, roomId: number, typing: boolean): Promise<void> {
    await this.requireMember(actor, roomId, 'typing');
    await this.publish(roomId, { type: 'typing', conversation: { id: roomId, kind: 'room' }, by: participantOf(actor), at: now(), typing });
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

  /** Everything the dialects show about these messages, loaded in a few queries. */
  async details(messages: readonly MessageRecord[]): Promise<RoomMessageDetail[]> {
    const ids = messages.map((m) => m.id);
    const parents = new Map(
      (await this.store.messages.findMany(messages.flatMap((m) => (m.parentId === null ? [] : [m.parentId])))).map((p) => [p.id, p]),
    );
    const [reactions, mentions] = await Promise.all([this.store.annotations.reactionCounts(ids), this.store.annotations.mentions(ids)]);
    const at = now();
    const details: RoomMessageDetail[] = [];
    for (const record of messages) {
      const sender = await this.requireAccount(record.senderId);
      const parentRecord = record.parentId === null ? undefined : parents.get(record.parentId);
      details.push({
        record,
        sender,
        body: visibleBody(record),
        attachment: record.deletedAt === null ? record.attachment : null,
        parent: parentRecord
          ? { record: parentRecord, body: visibleBody(parentRecord), sender: await this.requireAccount(parentRecord.senderId) }
          : null,
        reactions: reactions.get(record.id),
        mentions: mentions.get(record.id) ?? [],
        pinned: isPinned(record, at),
      });
    }
    return details;
  }

  /**
   * Checks and stores a message with its mentions, their notifications and its attachment's
   * record, in one write; nothing is told to anyone yet, and nothing is read back.
   */
  private async storeMessage(
    actor: AccountRecord,
    room: { id: number; name: string; memberIds: readonly number[] },
    input: SendRoomMessage & { attachment: string | null },
    attachment?: AttachmentRecord,
  ): Promise<Posted> {
    if (!(MESSAGE_TYPES as readonly string[]).includes(input.type)) {
      throw coreError('MESSAGE_TYPE_UNKNOWN', { types: MESSAGE_TYPES });
    }
    if (input.body.length > MAX_BODY_LENGTH) throw coreError('MESSAGE_TOO_LONG', { max: MAX_BODY_LENGTH });
    if (input.mentions.length > MAX_MENTIONS) throw coreError('TOO_MANY_MENTIONS', { max: MAX_MENTIONS });
    const parent = input.parentId === null ? undefined : await this.parentIn(room.id, input.parentId);
    const parentSender = parent && (await this.requireAccount(parent.senderId));
    // Only members can be mentioned, each once; other ids are dropped, as the original stored them.
    const mentions = [...new Set(input.mentions)].filter((id) => room.memberIds.includes(id)).sort((a, b) => a - b);
    const createdAt = now();
    const notice = this.mentionNotice({ roomName: room.name, by: actor });
    const detailOf = (record: MessageRecord): RoomMessageDetail => ({
      record,
      sender: actor,
      body: record.body,
      attachment: record.attachment,
      parent: parent && parentSender ? { record: parent, body: visibleBody(parent), sender: parentSender } : null,
      reactions: undefined,
      mentions,
      pinned: false,
    });
    const { message: record, notifications, repeated, position } = await unlessGone('ROOM_NOT_FOUND', this.store.messages.insert(
      {
        conversationId: room.id,
        senderId: actor.id,
        body: input.body,
        type: input.type,
        clientSentAt: null,
        sentAt: createdAt,
        attachment: input.attachment,
        parentId: input.parentId,
        createdAt,
      },
      {
        mentions,
        notifications: mentions
          .filter((id) => id !== actor.id)
          .map((accountId) => ({ accountId, ...notice, url: null, createdAt })),
        attachment,
        sendKey: input.clientId,
        change: (stored) => logEntry(created(room.id, detailOf(stored))),
      },
    ));
    if (repeated) {
      const [first] = await this.details([record]);
      if (first) return { detail: first, notifications: [], repeated };
    }
    this.onStored('room', 0);
    return { detail: detailOf(record), notifications, repeated: false, position };
  }

  /** Broadcasts a stored message, tells the mentioned and pushes it to members who are away. */
  private async announce(
    actor: AccountRecord,
    room: { id: number; name: string; memberIds: readonly number[] },
    { detail, notifications, position }: Posted,
  ): Promise<RoomMessageDetail> {
    await this.publish(room.id, { ...created(room.id, detail), position });
    await Promise.all(
      notifications.map((n) =>
        this.bus.publish(notificationTopic(n.accountId), {
          type: 'notification',
          conversation: { id: room.id, kind: 'room' },
          notification: { id: n.id, eventType: n.eventType, body: n.body, url: n.url, createdAt: n.createdAt },
        }),
      ),
    );
    void this.pushToOffline(actor, room, detail.record).catch(this.push.onError);
    return detail;
  }

  /** The file of a deleted message goes with it: its URL is not found from then on. */
  private async dropAttachment(roomId: number, message: MessageRecord): Promise<void> {
    const key = message.attachment === null ? undefined : MEDIA_PATH.exec(message.attachment)?.[1];
    if (key === undefined) return;
    const record = await this.store.attachments.find(key);
    if (record?.conversationId !== roomId) return;
    await this.files.remove(key);
    await this.store.attachments.delete(key);
  }

  /** Pushes a stored message to the registered devices of members with no live socket. */
  private async pushToOffline(actor: AccountRecord, room: { id: number; name: string; memberIds: readonly number[] }, record: MessageRecord): Promise<void> {
    if (!this.push.enabled) return;
    const statuses = await this.presence.statuses(room.memberIds.filter((id) => id !== actor.id));
    const offline = [...statuses].filter(([, status]) => !status.active).map(([id]) => id);
    const devices = await this.store.notifications.deviceTokens(offline);
    await this.push.send({
      conversation: { id: room.id, name: room.name },
      message: { id: record.id, body: record.body, type: record.type, hasAttachment: record.attachment !== null },
      devices: devices.map((d) => ({ token: d.token, deviceType: d.deviceType, accountId: d.accountId })),
    });
  }

  /** The parent must be a message of the same room; others are reported as missing. */
  private async parentIn(roomId: number, parentId: number): Promise<MessageRecord> {
    const parent = await this.store.messages.find(parentId);
    if (!parent || parent.conversationId !== roomId) throw coreError('PARENT_NOT_FOUND');
    return parent;
  }

  /** A message of this room that is not deleted; messages of other rooms are reported as missing. */
  private async liveMessage(roomId: number, messageId: number): Promise<MessageRecord> {
    const message = await this.store.messages.find(messageId);
    if (!message || message.conversationId !== roomId) throw coreError('MESSAGE_NOT_FOUND');
    if (message.deletedAt !== null) throw coreError('MESSAGE_DELETED');
    return message;
  }

  private async ownMessage(actor: AccountRecord, roomId: number, messageId: number): Promise<MessageRecord> {
    const message = await this.liveMessage(roomId, messageId);
    if (message.senderId !== actor.id) throw coreError('NOT_AUTHOR');
    return message;
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

  private async requireAccount(id: number): Promise<AccountRecord> {
    const account = await this.accounts.byId(id);
    if (!account) throw new Error(`account ${id} vanished`);
    return account;
  }

  private async publish(roomId: number, event: CoreEvent): Promise<void> {
    await fanOut(this.bus, { id: roomId, kind: 'room' }, [], event);
  }
}

/** The event of a message just stored in a room. */
function created(roomId: number, detail: RoomMessageDetail): MessageCreated {
  return {
    type: 'message.created',
    conversation: { id: roomId, kind: 'room' },
    sender: participantOf(detail.sender),
    message: {
      id: detail.record.id,
      body: detail.body,
      type: detail.record.type,
      clientSentAt: null,
      sentAt: detail.record.sentAt,
      attachment: detail.attachment,
      parent: detail.parent && {
        id: detail.parent.record.id,
        body: detail.parent.body,
        createdAt: detail.parent.record.createdAt,
        sender: participantOf(detail.parent.sender),
      },
      createdAt: detail.record.createdAt,
    },
  };
}

function visibleBody(message: MessageRecord): string {
  return message.deletedAt === null ? message.body : '';
}

function isPinned(message: MessageRecord, at: Instant): boolean {
  return message.pinnedAt !== null && message.deletedAt === null && message.pinnedAt >= addSeconds(at, -PIN_LIFETIME_SECONDS);
}

/** Where an uploaded file is served; the key in it names the file. */
const MEDIA_PATH = /^\/media\/([0-9a-f]{32})\//;

function mediaPath(key: string, fileName: string): string {
  return `/media/${key}/${encodeURIComponent(fileName)}`;
}

function typeMatches(allowed: string, contentType: string): boolean {
  return allowed.endsWith('/*') ? contentType.startsWith(allowed.slice(0, -1)) : allowed === contentType;
}

/** A file name safe to put in a URL path and a Content-Disposition header. */
function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '').slice(-100);
  return cleaned === '' ? 'file' : cleaned;
}
