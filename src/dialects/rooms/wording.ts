// The rooms dialect's words for the core's refusals: its HTTP bodies and {"error": …} frames,
// the original's where it had them.
import { DRF_WORDING } from '../wording.js';

const MANAGER_REFUSALS = {
  edit: 'You do not have permission to edit this room.',
  delete: 'You are not authorized to delete this room.',
  addMembers: 'Only the room creator or a room admin can add members.',
} as const;

export const ROOMS_WORDING = DRF_WORDING.extend(
  {
    ROOM_NOT_FOUND: () => 'Not found.',
    CONVERSATION_NOT_FOUND: () => 'Not found.',
    NOT_A_MEMBER: () => 'You are not a member of this room.',
    NOT_MANAGER: ({ action }) => MANAGER_REFUSALS[action],
    OWNER_CANNOT_LEAVE: () => 'You are the group creator. Transfer ownership before leaving.',
    NOT_OWNER: () => 'Only the current owner can transfer ownership.',
    NEW_OWNER_NOT_MEMBER: () => 'The specified user is not a member of this group.',
    UPLOADS_BUSY: ({ max }) => `At most ${max} uploads at a time; wait for one to finish.`,
    FILE_TOO_LARGE: ({ maxBytes }) => `The file is larger than ${maxBytes} bytes.`,
    NOT_A_MEDIA_TYPE: ({ declared }) => `${JSON.stringify(declared)} is not a media type.`,
    FILE_TYPE_UNKNOWN: () => 'The file is of no type Parley accepts.',
    FILE_TYPE_REFUSED: ({ type }) => `Files of type ${type} are not accepted.`,
    MESSAGE_TYPE_UNKNOWN: ({ types }) => `message_type must be one of ${types.join(', ')}.`,
    MESSAGE_TOO_LONG: ({ max }) => `A message may hold at most ${max} characters.`,
    TOO_MANY_MENTIONS: ({ max }) => `A message may mention at most ${max} members.`,
    REACTION_UNKNOWN: ({ reactions }) => `Unknown reaction; use one of ${reactions.join(', ')}.`,
    PIN_LIMIT: ({ max }) => `A room can have at most ${max} pinned messages.`,
    PARENT_NOT_FOUND: () => 'Parent message does not exist',
    MESSAGE_NOT_FOUND: () => 'Message not found in this room.',
    SEARCH_WITHOUT_WORDS: () => 'The search query has no words to look for.',
    MESSAGE_DELETED: () => 'This message was deleted.',
    NOT_AUTHOR: () => 'Only the author can change this message.',
  },
  { firstName: 'first_name', lastName: 'last_name', body: 'content' },
);
