// The phone dialect's HTTP bodies as schemas, key for key in the original's order: the one source
// of their validation, their TypeScript types and the OpenAPI document.
import { Type, type TSchema } from 'typebox';
import { MAX_GROUP_BIO, MAX_GROUP_NAME } from '../../core/groups.js';
import { MAX_MEMBERS_PER_REQUEST } from '../../core/limits.js';
import { AUTHENTICATED } from '../../http/api-docs.js';
import { answers, Nullable } from '../../http/schemas.js';

const Phone = Type.String({ maxLength: 32, description: 'A 10-digit phone number' });
const GroupKey = Type.String({ maxLength: 32, description: "A group's key" });
/** An account's phone: null for an account made by the rooms dialect without one. */
const AccountPhone = Nullable(Type.String());
/** The original's timestamps: "YYYY-MM-DDTHH:MM:SS.ffffffZ". */
const Timestamp = Type.String({ description: 'e.g. 2026-11-21T21:59:43.136172Z' });

export const Pair = Type.Object({ msg_from: Phone, msg_to: Phone });
export const Self = Type.Object({ msg_from: Phone });
export const User = Type.Object({ user_num: Phone });
export const ActiveReport = Type.Object({ user_num: Phone, command: Type.String({ maxLength: 32 }), last_active: Type.Optional(Type.String()) });
export const GroupCommand = Type.Object({ command: Type.String({ maxLength: 32 }), key: GroupKey, msg_from: Phone, msg_to: Type.Optional(Phone) });
export const GroupDeletion = Type.Object({ key: GroupKey, msg_from: Phone });
export const GroupName = Type.Object({ grp_name: GroupKey });
export const Grade = Type.Object({ msg_from: Phone, response: Type.String({ maxLength: 8, description: '"1" (like) or "2" (dislike)' }) });

/** A group's creation: read field by field (special-routes.ts), so this schema documents it only. */
export const NewGroup = Type.Object({
  name: Type.Optional(Nullable(Type.String({ maxLength: MAX_GROUP_NAME }))),
  bio: Type.Optional(Nullable(Type.String({ maxLength: MAX_GROUP_BIO }))),
  admin: Type.Array(Phone, { maxItems: MAX_MEMBERS_PER_REQUEST }),
  participants: Type.Array(Phone, { maxItems: MAX_MEMBERS_PER_REQUEST }),
});

/** `{"info": …, "message": …}`: the original's answer to a command, and to most refusals. */
export const InfoMessage = Type.Object({ info: Type.String(), message: Type.String() });

const groupFields = {
  name: Nullable(Type.String()),
  key: Nullable(Type.String()),
  bio: Nullable(Type.String()),
  participants: Type.Array(AccountPhone),
  admin: Type.Array(AccountPhone),
};
export const GroupBody = Type.Object(groupFields);
export const GroupAnswer = Type.Object({ ...groupFields, info: Type.String() });

export const RoomBody = Type.Object({
  participants: Type.Array(AccountPhone, { description: 'Me, and the partner, who is "room" unless I named them' }),
  active: Type.Boolean(),
  created: Timestamp,
  finished: Nullable(Timestamp),
});

export const DialogueOpened = Type.Object({ msg_from: AccountPhone, msg_to: AccountPhone, info: Type.String() });

/** Django's delete() result for one side: [how many rows, {model: how many}]. */
const DeletionCount = Type.Tuple([Type.Integer(), Type.Record(Type.String(), Type.Integer())]);
export const DialogueDeleted = Type.Object({ msg_from: DeletionCount, msg_to: DeletionCount, info: Type.String(), message: Type.String() });

export const PersonalInfo = Type.Object({ last_received_receiver: Nullable(Timestamp), last_seen_receiver: Nullable(Timestamp), info: Type.String() });
export const ActiveInfo = Type.Object({ info: Type.String(), active: Type.Boolean(), last_active: Nullable(Timestamp) });
export const RoomInfo = Type.Object({ info: Type.String(), message: Type.String(), data: Type.Array(RoomBody) });

export const Summary = Type.Object({
  data: Type.Object({
    personal: Type.Array(
      Type.Object({ sender: AccountPhone, receiver: AccountPhone, last_received_receiver: Nullable(Timestamp), last_seen_receiver: Nullable(Timestamp) }),
    ),
    group: Type.Array(GroupBody),
    room: Type.Union([RoomBody, Type.Array(Type.Unknown(), { maxItems: 0 })], { description: 'My current room, or [] when I have none' }),
  }),
  info: Type.String(),
  message: Type.String(),
});

/** A route of the phone dialect that needs an authenticated caller, with its answers. */
export function phoneRoute<Parts extends object, Successes extends Record<number, TSchema>>(summary: string, parts: Parts, successes: Successes) {
  return { tags: ['phone'], summary, security: AUTHENTICATED, ...parts, response: answers(successes) };
}
