// /api/chat/: rooms, their members, history and read state (uploads: upload-routes.ts). Paths
// keep the original's trailing slashes; every route needs a token.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { Core } from '../../core/core.js';
import { answers, AUTHENTICATED } from '../../http/schemas.js';
import { caller, requireCaller } from '../../http/app.js';
import { HttpError } from '../../http/errors.js';
import { pageLinks, pathId, restContext, type RoomsHttpOptions } from './http.js';
import { restMember, roomListing, roomWithReadState } from './render.js';
import { sendPage } from './history-body.js';
import {
  AddMembers,
  CreateRoom,
  EditRoom,
  HistoryPage,
  HistoryQuery,
  MarkUnread,
  MessageBody,
  OwnershipTransferred,
  Person,
  RoomChanged,
  RoomListing,
  RoomParams,
  RoomWithReadState,
  SearchQuery,
  TransferOwnership,
} from './schemas.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const MAX_QUERY = 200;

const SEARCH_QUERY_REQUIRED = new HttpError(400, { error: 'Please Provide a search query.' });

/** The search text, required and bounded. */
export function searchQuery(query: Static<typeof SearchQuery>): string {
  const { q } = query;
  if (q === undefined || q.trim() === '') throw SEARCH_QUERY_REQUIRED;
  return q.trim().slice(0, MAX_QUERY);
}

/** `page` and `page_size` as DRF reads them: a bad page is a 404, a bad size the default. */
export function pagination(query: Static<typeof HistoryQuery>): { page: number; size: number } {
  const rawPage = query.page ?? '1';
  if (!/^\d{1,9}$/.test(rawPage) || Number(rawPage) < 1) {
    throw new HttpError(404, { detail: 'Invalid page.' });
  }
  const rawSize = query.page_size;
  let size = DEFAULT_PAGE_SIZE;
  if (rawSize !== undefined && /^\d{1,9}$/.test(rawSize) && Number(rawSize) > 0) size = Math.min(Number(rawSize), MAX_PAGE_SIZE);
  return { page: Number(rawPage), size };
}

/** The schema of a route of this file: the caller must be authenticated. */
function rooms<Schema extends object>(summary: string, schema: Schema) {
  return { preValidation: requireCaller, schema: { tags: ['rooms'], summary, security: AUTHENTICATED, ...schema } };
}

const historySchema = { params: RoomParams, querystring: HistoryQuery, response: answers({ 200: HistoryPage }) };

export function roomRoutes(core: Core, options: RoomsHttpOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/chat/groups/', rooms('My rooms, with my read state', { response: answers({ 200: Type.Array(RoomWithReadState) }) }), async (request, reply) => {
      const me = caller(request);
      const context = await restContext(request, core, options, me.id);
      const rooms = await core.rooms.myRooms(me);
      return reply.send(rooms.map((overview) => roomWithReadState(overview, context)));
    });

    app.get('/api/chat/groups/list/', rooms('My rooms, listed', { response: answers({ 200: Type.Array(RoomListing) }) }), async (request, reply) => {
      const me = caller(request);
      const context = await restContext(request, core, options, me.id);
      const rooms = await core.rooms.myRooms(me);
      return reply.send(rooms.map(({ room, creator }) => roomListing(room, creator, context)));
    });

    app.get(
      '/api/chat/groups/search/',
      rooms('My rooms whose name holds the text', { querystring: SearchQuery, response: answers({ 200: Type.Array(RoomListing) }) }),
      async (request, reply) => {
        const me = caller(request);
        const q = searchQuery(request.query);
        const context = await restContext(request, core, options, me.id);
        const rooms = await core.rooms.myRooms(me, q);
        if (rooms.length === 0) throw new HttpError(404, { message: 'No groups Found' });
        return reply.send(rooms.map(({ room, creator }) => roomListing(room, creator, context)));
      },
    );

    app.get(
      '/api/chat/groups/:id/members/',
      rooms("A room's members", { params: RoomParams, response: answers({ 200: Type.Array(Person) }) }),
      async (request, reply) => {
        const me = caller(request);
        const members = await core.rooms.members(me, pathId(request.params.id));
        const context = await restContext(request, core, options, me.id, members.map((m) => m.account.id));
        return reply.send(members.map((member) => restMember(member, context)));
      },
    );

    app.get(
      '/api/chat/groups/:id/search/members/',
      rooms("A room's members whose name holds the text", { params: RoomParams, querystring: SearchQuery, response: answers({ 200: Type.Array(Person) }) }),
      async (request, reply) => {
        const me = caller(request);
        const roomId = pathId(request.params.id);
        if (!(await core.rooms.isMember(me, roomId))) {
          await core.rooms.room(roomId);
          throw new HttpError(403, { message: 'You are not a member of this group' });
        }
        const members = await core.rooms.members(me, roomId, searchQuery(request.query));
        if (members.length === 0) throw new HttpError(404, { message: 'no user found' });
        const context = await restContext(request, core, options, me.id, members.map((m) => m.account.id));
        return reply.send(members.map((member) => restMember(member, context)));
      },
    );

    app.post(
      '/api/chat/groups/:id/mark-as-read/',
      rooms('Marks the whole room read', { params: RoomParams, response: answers({ 200: MessageBody }) }),
      async (request, reply) => {
        await core.messages.markRead({ actor: caller(request), conversationId: pathId(request.params.id), kind: 'room' });
        return reply.send({ message: 'Room marked as read.' });
      },
    );

    // Parley's addition: unread again from a message on (see docs/compatibility.md).
    app.post(
      '/api/chat/groups/:id/mark-as-unread/',
      rooms('Marks the room unread from this message on', { params: RoomParams, body: MarkUnread, response: answers({ 200: MessageBody }) }),
      async (request, reply) => {
        await core.messages.markUnread({ actor: caller(request), conversationId: pathId(request.params.id), kind: 'room', messageId: request.body.message_id });
        return reply.send({ message: 'Room marked as unread.' });
      },
    );

    const history = async (request: FastifyRequest, reply: FastifyReply, params: Static<typeof RoomParams>, query: Static<typeof HistoryQuery>) => {
      const me = caller(request);
      const roomId = pathId(params.id);
      const { page, size } = pagination(query);
      const { count, messages } = await core.messages.history({ actor: me, conversationId: roomId, kind: 'room', offset: (page - 1) * size, limit: size });
      if (page > 1 && messages.length === 0) throw new HttpError(404, { detail: 'Invalid page.' });
      const context = await restContext(request, core, options, me.id, messages.map((detail) => detail.sender.id));
      const links = pageLinks(`${context.baseUrl}/api/chat/groups/${roomId}/messages/`, request, { page, size, count });
      return sendPage(reply, { count, ...links }, messages.map((detail) => ({ detail, roomId })), context);
    };
    app.get('/api/chat/groups/:id/messages/', rooms("A page of the room's history, newest first", historySchema), async (request, reply) =>
      history(request, reply, request.params, request.query),
    );
    // The Android client reads history with POST.
    app.post('/api/chat/groups/:id/messages/', rooms("A page of the room's history, as GET", historySchema), async (request, reply) =>
      history(request, reply, request.params, request.query),
    );

    app.post(
      '/api/chat/create-group/',
      rooms('Creates a room; I am its admin', { body: CreateRoom, response: answers({ 201: RoomChanged }) }),
      async (request, reply) => {
        const me = caller(request);
        const body = request.body;
        const room = await core.rooms.createRoom(me, {
          name: body.name,
          description: body.description ?? null,
          avatar: body.room_avatar ?? null,
          active: body.is_active ?? true,
          memberIds: body.members,
        });
        const overview = await core.rooms.overview(me, room);
        return reply
          .status(201)
          .send({ message: 'Room created successfully', room: roomWithReadState(overview, await restContext(request, core, options, me.id)) });
      },
    );

    app.put(
      '/api/chat/edit-group/:id/',
      rooms("Changes a room's name, description, avatar or state", { params: RoomParams, body: EditRoom, response: answers({ 200: RoomChanged }) }),
      async (request, reply) => {
        const me = caller(request);
        const body = request.body ?? {};
        const room = await core.rooms.editRoom(me, pathId(request.params.id), {
          name: body.name,
          description: body.description,
          avatar: body.room_avatar,
          active: body.is_active,
        });
        const overview = await core.rooms.overview(me, room);
        return reply.send({ message: 'Room updated successfully', room: roomWithReadState(overview, await restContext(request, core, options, me.id)) });
      },
    );

    app.delete(
      '/api/chat/delete-group/:id/',
      rooms('Deletes a room and its history', { params: RoomParams, response: answers({ 200: MessageBody }) }),
      async (request, reply) => {
        await core.rooms.deleteRoom(caller(request), pathId(request.params.id));
        return reply.send({ message: 'Room deleted successfully.' });
      },
    );

    app.post(
      '/api/chat/group/:id/add-members/',
      rooms('Adds members to a room', {
        params: RoomParams,
        body: AddMembers,
        response: answers({ 200: Type.Object({ message: Type.String(), members_count: Type.Integer() }) }),
      }),
      async (request, reply) => {
        const me = caller(request);
        const room = await core.rooms.addMembers(me, pathId(request.params.id), request.body.members);
        return reply.send({ message: 'Members added successfully.', members_count: room.membersCount });
      },
    );

    app.post(
      '/api/chat/group/:id/remove-yourself/',
      rooms('Leaves a room', { params: RoomParams, response: answers({ 200: MessageBody }) }),
      async (request, reply) => {
        await core.rooms.leave(caller(request), pathId(request.params.id));
        return reply.send({ message: 'You have successfully removed yourself from the group.' });
      },
    );

    app.post(
      '/api/chat/group/:id/transfer-ownership/',
      rooms('Gives the room to another member', { params: RoomParams, body: TransferOwnership, response: answers({ 200: OwnershipTransferred }) }),
      async (request, reply) => {
        const owner = await core.rooms.transferOwnership(caller(request), pathId(request.params.id), request.body.new_owner_id);
        return reply.send({
          message: 'Ownership transferred successfully.',
          new_owner: { id: owner.id, first_name: owner.firstName, last_name: owner.lastName },
        });
      },
    );
  };
}
