// /api/notifications/: unread count, mark as read, and push device registration.
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/core.js';
import { caller, requireCaller } from '../../http/app.js';

const markSchema = {
  body: {
    type: ['object', 'null'],
    properties: { notification_ids: { type: 'array', maxItems: 1000, items: { type: 'integer', minimum: 1 } } },
  },
} as const;

const deviceSchema = {
  body: {
    type: 'object',
    required: ['device_token', 'device_type'],
    properties: {
      device_token: { type: 'string', minLength: 1, maxLength: 4096 },
      device_type: { type: 'string', enum: ['android', 'ios'] },
    },
  },
} as const;

export function notificationRoutes(core: Core): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/notifications/unread-count/', { preValidation: requireCaller }, async (request, reply) => {
      return reply.send({ unread_count: await core.rooms.unreadNotifications(caller(request)) });
    });

    app.patch<{ Body: { notification_ids?: number[] } | null }>(
      '/api/notifications/mark-as-read/',
      { preValidation: requireCaller, schema: markSchema },
      async (request, reply) => {
        const updated = await core.rooms.markNotificationsRead(caller(request), request.body?.notification_ids);
        return reply.send({ updated });
      },
    );

    app.post<{ Body: { device_token: string; device_type: string } }>(
      '/api/notifications/register-device/',
      { preValidation: requireCaller, schema: deviceSchema },
      async (request, reply) => {
        const { device_token, device_type } = request.body;
        await core.rooms.registerDevice(caller(request), device_token, device_type);
        return reply.status(201).send({ device_token, device_type });
      },
    );
  };
}
