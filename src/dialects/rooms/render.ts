// Rooms-dialect REST bodies (in the configured zone), key for key and in the original's key
// order; the socket frames are encode.ts's.
import type { AccountRecord } from '../../store/records.js';
import type { RoomRow } from '../../store/records.js';
import type { MessageDetail } from '../../core/message-views.js';
import type { RoomMember, RoomOverview } from '../../core/rooms.js';
import type { EditHistoryView } from '../../core/edit-history.js';
import type { PresenceStatus } from '../../core/presence.js';
import type { Static } from 'typebox';
import { currentStatus, restTimestamp, yearLabel } from './format.js';
import type { EditHistory, HistoryItem, Person, RoomListing, RoomWithReadState, ShortPerson } from './schemas.js';

export interface RestContext {
  timeZone: string;
  /** Absolute base for attachment URLs, e.g. http://host:port */
  baseUrl: string;
  viewerId: number;
  presence(accountId: number): PresenceStatus;
}

export function absolute(baseUrl: string, path: string | null): string | null {
  if (path === null) return null;
  return /^https?:\/\//.test(path) ? path : `${baseUrl}${path}`;
}

export function restPerson(account: AccountRecord, context: RestContext): Static<typeof Person> {
  return {
    id: account.id,
    first_name: account.firstName,
    last_name: account.lastName,
    role: account.role,
    photo: account.photo,
    year: yearLabel(account.year),
    current_status: currentStatus(context.presence(account.id), context.timeZone),
  };
}

export function restMember(member: RoomMember, context: RestContext): Static<typeof Person> {
  return restPerson(member.account, context);
}

function fullName(account: AccountRecord): string {
  return `${account.firstName} ${account.lastName}`.trim();
}

function shortPerson(account: AccountRecord | undefined): Static<typeof ShortPerson> {
  return account ? { id: account.id, first_name: account.firstName, last_name: account.lastName } : null;
}

export function historyItem(detail: MessageDetail, roomId: number, context: RestContext): Static<typeof HistoryItem> {
  const { record } = detail;
  return {
    id: record.id,
    sender: restPerson(detail.sender, context),
    attachment: absolute(context.baseUrl, detail.attachment),
    is_self: record.senderId === context.viewerId,
    parent_message: detail.parent && {
      id: detail.parent.record.id,
      content: detail.parent.body,
      sender: { id: detail.parent.sender.id, name: fullName(detail.parent.sender), photo: detail.parent.sender.photo },
    },
    message_type: record.type,
    content: detail.body,
    reactions: detail.reactions && detail.reactions.size > 0 ? Object.fromEntries(detail.reactions) : null,
    is_deleted: record.deletedAt !== null,
    is_edited: record.editedAt !== null,
    status: {},
    is_pinned: detail.pinned,
    pinned_at: detail.pinned && record.pinnedAt !== null ? restTimestamp(record.pinnedAt, context.timeZone) : null,
    created_at: restTimestamp(record.createdAt, context.timeZone),
    updated_at: restTimestamp(record.updatedAt, context.timeZone),
    room: roomId,
    mentions: detail.mentions,
  };
}

/** A room in `groups/` and in create/edit answers: with the viewer's read state. */
export function roomWithReadState(overview: RoomOverview, context: RestContext): Static<typeof RoomWithReadState> {
  const { room } = overview;
  return {
    id: room.id,
    name: room.name,
    description: room.description,
    room_avatar: room.avatar,
    is_active: room.active,
    unread_count: overview.unreadCount,
    last_read_timestamp: overview.lastReadAt && restTimestamp(overview.lastReadAt, context.timeZone),
    last_read_message_id: overview.lastReadMessageId,
    created_by: shortPerson(overview.creator),
    created_at: restTimestamp(room.createdAt, context.timeZone),
    updated_at: restTimestamp(room.updatedAt, context.timeZone),
    last_message: overview.lastMessage && {
      id: overview.lastMessage.record.id,
      content: overview.lastMessage.body,
      created_at: restTimestamp(overview.lastMessage.record.createdAt, context.timeZone),
      sender: shortPerson(overview.lastMessage.sender),
    },
  };
}

/** A room in `groups/list/` and `groups/search/`. */
export function roomListing(room: RoomRow, creator: AccountRecord | undefined, context: RestContext): Static<typeof RoomListing> {
  return {
    id: room.id,
    name: room.name,
    description: room.description,
    room_avatar: room.avatar,
    created_by: shortPerson(creator),
    created_at: restTimestamp(room.createdAt, context.timeZone),
    updated_at: restTimestamp(room.updatedAt, context.timeZone),
    members_count: room.membersCount,
  };
}

/** A message's edit history: its text now, and the texts its edits replaced, oldest first. */
export function editHistory(view: EditHistoryView, context: RestContext): Static<typeof EditHistory> {
  const { message } = view;
  const deleted = message.deletedAt !== null;
  return {
    id: message.id,
    room: message.conversationId,
    is_deleted: deleted,
    content: deleted ? '' : message.body,
    edited_at: !deleted && message.editedAt !== null ? restTimestamp(message.editedAt, context.timeZone) : null,
    count: view.count,
    versions: view.versions.map((version) => ({
      content: version.body,
      written_at: restTimestamp(version.writtenAt, context.timeZone),
      replaced_at: restTimestamp(version.replacedAt, context.timeZone),
    })),
  };
}
