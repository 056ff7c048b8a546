// GET /api/chat/messages/search/: full-text search over the caller's rooms (an addition to the
// rooms dialect; see docs/compatibility.md). Results are history items, paged like history.
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/core.js';
import { caller, requireCaller } from '../../http/app.js';
import { HttpError } from '../../http/errors.js';
import { pageLinks, pathId, restContext, type RoomsHttpOptions } from './http.js';
import { historyItem } from './render.js';
import { pagination, searchQuery } from './room-routes.js';

export function searchRoutes(core: Core, options: RoomsHttpOptions): FastifyPluginAsync {
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
  };
}
