// The phone dialect's words for the core's refusals: its error frames and HTTP bodies.
import { DRF_WORDING } from '../wording.js';

export const PHONE_WORDING = DRF_WORDING.extend(
  {
    PHONE_INVALID: () => 'Enter a 10-digit phone number.',
    GROUP_TOO_LARGE: ({ max }) => `A group holds at most ${max} participants, admins included.`,
    CONVERSATION_NOT_FOUND: () => 'no such conversation',
    NOT_A_MEMBER: () => 'you are not a member of this conversation',
    DIALOGUE_WITH_SELF: () => 'a dialogue needs two different accounts',
    DIALOGUE_NOT_FOUND: () => 'there is no dialogue between these two phones',
    // A match is a "room" to the phone app.
    MATCH_WITH_SELF: () => 'a room needs two different accounts',
    GRADE_UNKNOWN: ({ like, dislike }) => `a grade is "${like}" or "${dislike}"`,
    INSTANT_INVALID: ({ field }, wording) => `${wording.field(field)} must be a date and time such as 2020-11-21 16:32:17.356`,
    MESSAGE_TOO_LONG: ({ max }) => `a message may hold at most ${max} characters`,
  },
  { phone: 'ph_num', firstName: 'first_name', lastName: 'last_name', clientSentAt: 'sent_timestamp', at: 'sent_timestamp' },
);
