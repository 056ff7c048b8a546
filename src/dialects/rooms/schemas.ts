// The rooms dialect's REST bodies as schemas, key for key in the original's order: the one source
// of their validation, their TypeScript types (render.ts) and the OpenAPI document.
import { Type } from 'typebox';
import { MAX_MEMBERS_PER_REQUEST } from '../../core/limits.js';
import { MAX_ROOM_DESCRIPTION, MAX_ROOM_NAME } from '../../core/rooms.js';
import { NOT_BLANK, Nullable } from '../../http/schemas.js';

const Id = Type.Integer({ minimum: 1 });
/** REST timestamps: the configured zone with its offset, six fractional digits. */
const Timestamp = Type.String({ description: 'e.g. 2026-11-22T03:29:43.136172+05:30' });

export const MessageBody = Type.Object({ message: Type.String() });

/** A numeric id in the path; anything else is answered 404. */
export const RoomParams = Type.Object({ id: Type.String({ description: 'The room id' }) });

export const Person = Type.Object({
  id: Type.Integer(),
  first_name: Type.String(),
  last_name: Type.String(),
  role: Type.String(),
  photo: Nullable(Type.String()),
  year: Nullable(Type.String({ description: '"1st", "2nd"…' })),
  current_status: Type.String({ description: '"online", the last activity as "YYYY-MM-DD HH:MM:SS", or "offline"' }),
});

export const ShortPerson = Nullable(Type.Object({ id: Type.Integer(), first_name: Type.String(), last_name: Type.String() }));

export const HistoryItem = Type.Object({
  id: Type.Integer(),
  sender: Person,
  attachment: Nullable(Type.String()),
  is_self: Type.Boolean(),
  parent_message: Nullable(
    Type.Object({
      id: Type.Integer(),
      content: Type.String(),
      sender: Type.Object({ id: Type.Integer(), name: Type.String(), photo: Nullable(Type.String()) }),
    }),
  ),
  message_type: Type.String(),
  content: Type.String(),
  reactions: Nullable(Type.Record(Type.String(), Type.Integer(), { description: 'How many of each reaction' })),
  is_deleted: Type.Boolean(),
  is_edited: Type.Boolean(),
  status: Type.Object({}),
  is_pinned: Type.Boolean(),
  pinned_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
  room: Type.Integer(),
  mentions: Type.Array(Type.Integer()),
});

export const HistoryPage = Type.Object({
  count: Type.Integer(),
  next: Nullable(Type.String()),
  previous: Nullable(Type.String()),
  results: Type.Array(HistoryItem),
});

export const HistoryQuery = Type.Object({
  page: Type.Optional(Type.String({ description: 'From 1; past the last page is a 404' })),
  page_size: Type.Optional(Type.String({ description: 'At most 100; 20 unless a positive number' })),
});

/** A message's edit history: its versions before the current one, oldest first. */
export const EditHistory = Type.Object({
  id: Type.Integer(),
  room: Type.Integer(),
  is_deleted: Type.Boolean(),
  content: Type.String(),
  edited_at: Nullable(Timestamp),
  count: Type.Integer(),
  versions: Type.Array(Type.Object({ content: Type.String(), written_at: Timestamp, replaced_at: Timestamp })),
});

export const SearchQuery = Type.Object({ q: Type.Optional(Type.String({ description: 'Required: the text to look for' })) });

/** A room in `groups/` and in create/edit answers: with the viewer's read state. */
export const RoomWithReadState = Type.Object({
  id: Type.Integer(),
  name: Nullable(Type.String()),
  description: Nullable(Type.String()),
  room_avatar: Nullable(Type.String()),
  is_active: Type.Boolean(),
  unread_count: Type.Integer(),
  last_read_timestamp: Nullable(Timestamp),
  last_read_message_id: Nullable(Type.Integer()),
  created_by: ShortPerson,
  created_at: Timestamp,
  updated_at: Timestamp,
  last_message: Nullable(Type.Object({ id: Type.Integer(), content: Type.String(), created_at: Timestamp, sender: ShortPerson })),
});

/** A room in `groups/list/` and `groups/search/`. */
export const RoomListing = Type.Object({
  id: Type.Integer(),
  name: Nullable(Type.String()),
  description: Nullable(Type.String()),
  room_avatar: Nullable(Type.String()),
  created_by: ShortPerson,
  created_at: Timestamp,
  updated_at: Timestamp,
  members_count: Type.Integer(),
});

export const RoomChanged = Type.Object({ message: Type.String(), room: RoomWithReadState });

// Room fields in the original's order: schema failures are named in this order.
const name = Type.String({ maxLength: MAX_ROOM_NAME, pattern: NOT_BLANK });
const description = Nullable(Type.String({ maxLength: MAX_ROOM_DESCRIPTION }));
const roomAvatar = Nullable(Type.String({ maxLength: 2048 }));
const members = Type.Array(Id, { maxItems: MAX_MEMBERS_PER_REQUEST });

export const CreateRoom = Type.Object({
  name,
  description: Type.Optional(description),
  room_avatar: Type.Optional(roomAvatar),
  is_active: Type.Optional(Type.Boolean()),
  members,
});

export const EditRoom = Type.Object({
  name: Type.Optional(name),
  description: Type.Optional(description),
  room_avatar: Type.Optional(roomAvatar),
  is_active: Type.Optional(Type.Boolean()),
});

export const AddMembers = Type.Object({ members: Type.Array(Id, { minItems: 1, maxItems: MAX_MEMBERS_PER_REQUEST }) });

export const TransferOwnership = Type.Object({ new_owner_id: Id });

export const MarkUnread = Type.Object({ message_id: Id });

export const OwnershipTransferred = Type.Object({
  message: Type.String(),
  new_owner: Type.Object({ id: Type.Integer(), first_name: Type.String(), last_name: Type.String() }),
});
