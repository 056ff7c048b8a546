// Core events as the phone dialect's receive-socket frames. Each frame depends on the event
// and the receiving phone only, so it is rendered once per (event, phone).
import type { DeliveryEvent } from '../../core/events.js';
import { naiveTimestamp } from './frames.js';

/** The receive-socket frame for the event, or undefined when this dialect shows nothing. */
export function renderDelivery(event: DeliveryEvent, recipientPhone: string): string | undefined {
  if (event.conversation.kind !== 'dialogue') return undefined;
  switch (event.type) {
    case 'message.created':
      return JSON.stringify({
        message: event.message.body,
        msg_from: event.sender.phone,
        msg_to: recipientPhone,
        command: 'new_msg',
        sent_timestamp: event.message.clientSentAt,
      });
    case 'receipt':
      return JSON.stringify({
        message: event.ref,
        msg_from: event.by.phone,
        msg_to: recipientPhone,
        command: event.receipt === 'received' ? 'msg_received' : 'msg_read',
        sent_timestamp: event.at,
      });
    case 'typing':
      return JSON.stringify({
        msg_from: event.by.phone,
        msg_to: recipientPhone,
        command: 'is_typing',
        sent_timestamp: event.at,
      });
    case 'conversation.opened':
    case 'conversation.closed':
      return JSON.stringify({
        message: { type: 'personal', command: event.type === 'conversation.opened' ? 'create' : 'delete' },
        msg_from: event.actor.phone,
        msg_to: recipientPhone,
        sent_timestamp: naiveTimestamp(event.at),
        command: 'update',
      });
  }
}
