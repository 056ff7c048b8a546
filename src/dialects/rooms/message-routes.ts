// /api/chat/messages/: Parley's additions to the rooms dialect (see docs/compatibility.md):
// full-text search over the caller's rooms, paged like history, and a message's edit history.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/core.js';
import { answers, AUTHENTICATED } from '../../http/schemas.js';
import { caller, requireCaller } from '../../http/app.js';
import { HttpError } from '../../http/errors.js';
import { pageLinks, pathId, restContext, type RoomsHttpOptions } from './http.js';
import { editHistory } from './render.js';
import { sendPage } from './history-body.js';
import { pagination, searchQuery } from './room-routes.js';
import { EditHistory, HistoryPage, HistoryQuery, SearchQuery } from './schemas.js';

const searchSchema = {
  tags: ['rooms'],
  summary: 'Messages of my rooms holding the words, newest first, paged like history',
  security: AUTHENTICATED,
  querystring: Type.Object({
    ...SearchQuery.properties,
    group_id: Type.Optional(Type.String({ description: 'Only this room' })),
    ...HistoryQuery.properties,
  }),
  response: answers({ 200: HistoryPage }),
};

const historySchema = {
  tags: ['rooms'],
  summary: "A message's earlier versions",
  security: AUTHENTICATED,
  params: Type.Object({ id: Type.String({ description: 'The message id' }) }),
  response: answers({ 200: EditHistory }),
};

export function messageRoutes(core: Core, options: RoomsHttpOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/chat/messages/search/', { preValidation: requireCaller, schema: searchSchema }, async (request, reply) => {
      const me = caller(request);
      const { query } = request;
      const q = searchQuery(query);
      const roomId = query.group_id === undefined ? undefined : pathId(query.group_id);
      const { page, size } = pagination(query);
      const { count, messages } = await core.search.messages(me, q, roomId, (page - 1) * size, size);
      if (page > 1 && messages.length === 0) throw new HttpError(404, { detail: 'Invalid page.' });
      const context = await restContext(request, core, options, me.id, messages.map((detail) => detail.sender.id));
      const links = pageLinks(`${context.baseUrl}/api/chat/messages/search/`, request, { page, size, count }, ['q', 'group_id']);
      return sendPage(reply, { count, ...links }, messages.map((detail) => ({ detail, roomId: detail.record.conversationId })), context);
    });

    app.get('/api/chat/messages/:id/history/', { preValidation: requireCaller, schema: historySchema }, async (request, reply) => {
      const me = caller(request);
      const view = await core.editHistory.of(me, pathId(request.params.id));
      return reply.send(editHistory(view, await restContext(request, core, options, me.id)));
    });
  };
}
