// The phone dialect: its HTTP endpoints and its sockets.
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/core.js';
import type { Gateway } from '../../gateway/gateway.js';
import { authRoutes } from './auth-routes.js';
import { chatRoutes } from './chat-routes.js';
import { groupSocket } from './group-socket.js';
import { personalSocket } from './personal-socket.js';
import { receiveSocket } from './receive-socket.js';
import { roomSocket } from './room-socket.js';
import { specialRoutes } from './special-routes.js';
import { testPages } from './test-pages.js';

export async function registerPhoneDialect(app: FastifyInstance, gateway: Gateway, core: Core): Promise<void> {
  await app.register(authRoutes(core));
  await app.register(chatRoutes(core));
  await app.register(specialRoutes(core));
  await app.register(testPages());
  gateway.route(receiveSocket(core));
  gateway.route(personalSocket(core));
  gateway.route(groupSocket(core));
  gateway.route(roomSocket(core));
}
