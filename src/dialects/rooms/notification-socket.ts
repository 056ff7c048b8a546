// /ws/notifications/?token=…: the authenticated account's notifications (mentions), live.
// Anything the client sends is ignored, as in the original, text that is not UTF-8 included.
import { notificationTopic } from '../../core/events.js';
import type { SocketRoute } from '../../gateway/session.js';
import { notificationFrame } from './encode.js';

export function notificationSocket(): SocketRoute {
  return {
    dialect: 'rooms',
    pattern: /^\/ws\/notifications\/?$/,
    async open(context) {
      await context.subscribe(notificationTopic(context.account.id));
      return {
        onFrame() {},
        onInvalidText() {},
        onEvent(event, frames) {
          if (event.type !== 'notification') return;
          context.connection.send(frames.once('notification', () => notificationFrame(event.notification)));
        },
      };
    },
  };
}
