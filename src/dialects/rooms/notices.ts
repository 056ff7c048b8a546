// What the rooms dialect tells members who are not looking: the push webhook's body (the
// original's FCM notification, which its Android client opens on the room's chat) and the words
// of a mention's notification.
import type { PushNotice } from '../../core/push.js';
import type { MentionNotice } from '../../core/messages.js';

/** Push bodies are cut like the original's: the first 50 characters and "...". */
const PUSH_BODY_CHARS = 50;

export function roomsPushPayload({ conversation, message, devices }: PushNotice): object {
  const text = message.body === '' && message.hasAttachment ? `[${message.type}]` : message.body;
  return {
    title: `New message in ${conversation.name}`,
    body: text.length >= PUSH_BODY_CHARS ? `${text.slice(0, PUSH_BODY_CHARS)}...` : text,
    data: { click_action: `OPEN_CHAT?room_id=${conversation.id}`, room_id: conversation.id, message_id: message.id },
    devices: devices.map((d) => ({ token: d.token, device_type: d.deviceType, account_id: d.accountId })),
  };
}

/** The original's notification of a mention, stored as it reads. */
export const roomsMentionNotice: MentionNotice = ({ roomName, by }) => ({
  eventType: 'chat_mention',
  body: `You were mentioned in ${roomName} chat by ${by.firstName}`,
});
