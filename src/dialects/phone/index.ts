// The phone dialect: its HTTP endpoints and its sockets.
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/core.js';
import type { Gateway } from '../../gateway/gateway.js';
import { errorHandler } from '../../http/errors.js';
import { authRoutes } from './auth-routes.js';
import { chatRoutes } from './chat-routes.js';
import { groupSocket } from './group-socket.js';
import { personalSocket } from './personal-socket.js';
import { receiveSocket } from './receive-socket.js';
import { roomSocket } from './room-socket.js';
import { specialRoutes } from './special-routes.js';
import { testPages } from './test-pages.js';
import { PHONE_WORDING } from './wording.js';

export async function registerPhoneDialect(app: FastifyInstance, gateway: Gateway, core: Core): Promise<void> {
  await app.register(async (phone) => {
    phone.setErrorHandler(errorHandler(PHONE_WORDING));
    await phone.register(authRoutes(core));
    await phone.register(chatRoutes(core));
    await phone.register(specialRoutes(core));
    await phone.register(testPages());
  });
  gateway.route(receiveSocket(core));
  gateway.route(personalSocket(core));
  gateway.route(groupSocket(core));
  gateway.route(roomSocket(core));
}
