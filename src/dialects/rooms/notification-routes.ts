// /api/notifications/: unread count, mark as read, and push device registration.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/core.js';
import { AUTHENTICATED } from '../../http/api-docs.js';
import { caller, requireCaller } from '../../http/app.js';
import { answers, Nullable } from '../../http/schemas.js';

const common = { tags: ['rooms'], security: AUTHENTICATED };

const unreadSchema = {
  ...common,
  summary: 'How many of my mention notifications are unread',
  response: answers({ 200: Type.Object({ unread_count: Type.Integer() }) }),
};

const markSchema = {
  ...common,
  summary: 'Marks these notifications read, or all of them without `notification_ids`',
  body: Nullable(Type.Object({ notification_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 })) })),
  response: answers({ 200: Type.Object({ updated: Type.Integer({ description: 'How many were unread' }) }) }),
};

const Device = Type.Object({
  device_token: Type.String({ minLength: 1, maxLength: 4096 }),
  device_type: Type.Enum(['android', 'ios'], { type: 'string' }),
});

const deviceSchema = {
  ...common,
  summary: 'Registers a device for push notifications',
  body: Device,
  response: answers({ 201: Device }),
};

export function notificationRoutes(core: Core): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/notifications/unread-count/', { preValidation: requireCaller, schema: unreadSchema }, async (request, reply) => {
      return reply.send({ unread_count: await core.rooms.unreadNotifications(caller(request)) });
    });

    app.patch(
      '/api/notifications/mark-as-read/',
      { preValidation: requireCaller, schema: markSchema },
      async (request, reply) => {
        const updated = await core.rooms.markNotificationsRead(caller(request), request.body?.notification_ids);
        return reply.send({ updated });
      },
    );

    app.post(
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
