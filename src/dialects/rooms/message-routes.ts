// /api/chat/messages/: Parley's additions to the rooms dialect (see docs/compatibility.md):
// full-text search over the caller's rooms, paged like history, and a message's edit history.
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/core.js';
import { caller, requireCaller } from '../../http/app.js';
import { HttpError } from '../../http/errors.js';
import { pageLinks, pathId, restContext, type RoomsHttpOptions } from './http.js';
import { editHistory, historyItem } from './render.js';
import { pagination, searchQuery } from './room-routes.js';

export function messageRoutes(core: Core, options: RoomsHttpOptions): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/chat/messages/search/', { preValidation: requireCaller }, async (request, reply) => {
      const me = caller(request);
      const query = request.query as Record<string, unknown>;
      const q = searchQuery(request);
      const roomId = typeof query.group_id === 'string' ? pathId(query.group_id) : undefined;
      const { page, size } = pagination(query);
      const { count, messages } = await core.search.messages(me, q, roomId, (page - 1) * size, size);
      if (page > 1 && messages.length === 0) throw new HttpError(404, { detail: 'Invalid page.' });
      const context = await restContext(request, core, options, me.id, messages.map((detail) => detail.sender.id));
      return reply.send({
        count,
        ...pageLinks(`${context.baseUrl}/api/chat/messages/search/`, request, { page, size, count }, ['q', 'group_id']),
        results: messages.map((detail) => historyItem(detail, detail.record.conversationId, context)),
      });
    });

    app.get<{ Params: { id: string } }>('/api/chat/messages/:id/history/', { preValidation: requireCaller }, async (request, reply) => {
      const me = caller(request);
      const view = await core.editHistory.of(me, pathId(request.params.id));
      return reply.send(editHistory(view, await restContext(request, core, options, me.id)));
    });
  };
}
