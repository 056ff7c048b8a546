// The rooms dialect: /api/user/, /api/chat/, /api/notifications/, /media/ and the sockets
// /ws/chat/<room id>/ and /ws/notifications/.
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/core.js';
import type { Gateway } from '../../gateway/gateway.js';
import { errorHandler } from '../../http/errors.js';
import { accountRoutes } from './account-routes.js';
import { chatSocket } from './chat-socket.js';
import type { RoomsHttpOptions } from './http.js';
import { notificationRoutes } from './notification-routes.js';
import { notificationSocket } from './notification-socket.js';
import { roomRoutes } from './room-routes.js';
import { messageRoutes } from './message-routes.js';
import { uploadRoutes } from './upload-routes.js';
import { ROOMS_WORDING } from './wording.js';

export async function registerRoomsDialect(app: FastifyInstance, gateway: Gateway, core: Core, options: RoomsHttpOptions): Promise<void> {
  await app.register(async (rooms) => {
    rooms.setErrorHandler(errorHandler(ROOMS_WORDING));
    await rooms.register(accountRoutes(core));
    await rooms.register(roomRoutes(core, options));
    await rooms.register(messageRoutes(core, options));
    await rooms.register(uploadRoutes(core, options));
    await rooms.register(notificationRoutes(core));
  });
  gateway.route(chatSocket(core, options));
  gateway.route(notificationSocket());
}
