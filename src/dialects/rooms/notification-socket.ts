// /ws/notifications/?token=…: the authenticated account's notifications (mentions), live.
// Anything the client sends is ignored, as in the original, text that is not UTF-8 included.
import { notificationTopic } from '../../core/events.js';
import type { SocketRoute } from '../../gateway/session.js';
import { socketTimestamp } from './format.js';

export function notificationSocket(): SocketRoute {
  return {
    dialect: 'rooms',
    pattern: /^\/ws\/notifications\/?$/,
    async open(context) {
      await context.subscribe(notificationTopic(context.account.id));
      return {
        onFrame() {},
        onInvalidText() {},
        onEvent(event) {
          if (event.type !== 'notification') return;
          const n = event.notification;
          context.connection.send(
            JSON.stringify({
              notification: { id: n.id, event_type: n.eventType, message: n.body, url: n.url, created_at: socketTimestamp(n.createdAt) },
            }),
          );
        },
      };
    },
  };
}
