// /api/chat/: rooms, their members, history and read state (uploads: upload-routes.ts). Paths
// keep the original's trailing slashes; every route needs a token.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { MAX_MEMBERS_PER_REQUEST } from '../../core/limits.js';
import { caller, requireCaller } from '../../http/app.js';
import { HttpError } from '../../http/errors.js';
import { pageLinks, pathId, restContext, type RoomsHttpOptions } from './http.js';
import { historyItem, restMember, roomListing, roomWithReadState } from './render.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const MAX_QUERY = 200;

interface RoomParams {
  id: string;
}

const SEARCH_QUERY_REQUIRED = new HttpError(400, { error: 'Please Provide a search query.' });

const createSchema = {
  body: {
    type: 'object',
    required: ['name', 'members'],
    properties: {
      name: { type: 'string', maxLength: 200 },
      description: { type: ['string', 'null'], maxLength: 5000 },
      room_avatar: { type: ['string', 'null'], maxLength: 2048 },
      is_active: { type: 'boolean' },
      members: { type: 'array', maxItems: MAX_MEMBERS_PER_REQUEST, items: { type: 'integer', minimum: 1 } },
    },
  },
} as const;

const editSchema = {
  body: {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 200 },
      description: { type: ['string', 'null'], maxLength: 5000 },
      room_avatar: { type: ['string', 'null'], maxLength: 2048 },
      is_active: { type: 'boolean' },
    },
  },
} as const;

const addMembersSchema = {
  body: {
    type: 'object',
    required: ['members'],
    properties: { members: { type: 'array', minItems: 1, maxItems: MAX_MEMBERS_PER_REQUEST, items: { type: 'integer', minimum: 1 } } },
  },
} as const;

const transferSchema = {
  body: {
    type: 'object',
    required: ['new_owner_id'],
    properties: { new_owner_id: { type: 'integer', minimum: 1 } },
  },
} as const;

const markUnreadSchema = {
  body: {
    type: 'object',
    required: ['message_id'],
    properties: { message_id: { type: 'integer', minimum: 1 } },
  },
} as const;

interface RoomBody {
  name?: string;
  description?: string | null;
  room_avatar?: string | null;
  is_active?: boolean;
  members?: number[];
}

/** The search text, required and bounded. */
export function searchQuery(request: FastifyRequest): string {
  const q = (request.query as Record<string, unknown>).q;
  if (typeof q !== 'string' || q.trim() === '') throw SEARCH_QUERY_REQUIRED;
  return q.trim().slice(0, MAX_QUERY);
}

/** `page` and `page_size` as DRF reads them: a bad page is a 404, a bad size the default. */
export function pagination(query: Record<string, unknown>): { page: number; size: number } {
  const rawPage = query.page ?? '1';
  if (typeof rawPage !== 'string' || !/^\d{1,9}$/.test(rawPage) || Number(rawPage) < 1) {
    throw new HttpError(404, { detail: 'Invalid page.' });
  }
  const rawSize = query.page_size;
  let size = DEFAULT_PAGE_SIZE;
  if (typeof rawSize === 'string' && /^\d{1,9}$/.test(rawSize) && Number(rawSize) > 0) size = Math.min(Number(rawSize), MAX_PAGE_SIZE);
  return { page: Number(rawPage), size };
}

export function roomRoutes(core: Core, options: RoomsHttpOptions): FastifyPluginAsync {
  return async (app) => {
    const auth = { preValidation: requireCaller };

    app.get('/api/chat/groups/', auth, async (request, reply) => {
      const me = caller(request);
      const context = await restContext(request, core, options, me.id);
      const rooms = await core.rooms.myRooms(me);
      return reply.send(rooms.map((overview) => roomWithReadState(overview, context)));
    });

    app.get('/api/chat/groups/list/', auth, async (request, reply) => {
      const me = caller(request);
      const context = await restContext(request, core, options, me.id);
      const rooms = await core.rooms.myRooms(me);
      return reply.send(rooms.map(({ room, creator }) => roomListing(room, creator, context)));
    });

    app.get('/api/chat/groups/search/', auth, async (request, reply) => {
      const me = caller(request);
      const q = searchQuery(request);
      const context = await restContext(request, core, options, me.id);
      const rooms = await core.rooms.myRooms(me, q);
      if (rooms.length === 0) throw new HttpError(404, { message: 'No groups Found' });
      return reply.send(rooms.map(({ room, creator }) => roomListing(room, creator, context)));
    });

    app.get<{ Params: RoomParams }>('/api/chat/groups/:id/members/', auth, async (request, reply) => {
      const me = caller(request);
      const members = await core.rooms.members(me, pathId(request.params.id));
      const context = await restContext(request, core, options, me.id, members.map((m) => m.account.id));
      return reply.send(members.map((member) => restMember(member, context)));
    });

    app.get<{ Params: RoomParams }>('/api/chat/groups/:id/search/members/', auth, async (request, reply) => {
      const me = caller(request);
      const roomId = pathId(request.params.id);
      if (!(await core.rooms.isMember(me, roomId))) {
        await core.rooms.room(roomId);
        throw new HttpError(403, { message: 'You are not a member of this group' });
      }
      const members = await core.rooms.members(me, roomId, searchQuery(request));
      if (members.length === 0) throw new HttpError(404, { message: 'no user found' });
      const context = await restContext(request, core, options, me.id, members.map((m) => m.account.id));
      return reply.send(members.map((member) => restMember(member, context)));
    });

    app.post<{ Params: RoomParams }>('/api/chat/groups/:id/mark-as-read/', auth, async (request, reply) => {
      await core.rooms.markRead(caller(request), pathId(request.params.id));
      return reply.send({ message: 'Room marked as read.' });
    });

    // Parley's addition: unread again from a message on (see docs/compatibility.md).
    app.post<{ Params: RoomParams; Body: { message_id: number } }>(
      '/api/chat/groups/:id/mark-as-unread/',
      { ...auth, schema: markUnreadSchema },
      async (request, reply) => {
        await core.rooms.markUnread(caller(request), pathId(request.params.id), request.body.message_id);
        return reply.send({ message: 'Room marked as unread.' });
      },
    );

    const history = async (request: FastifyRequest<{ Params: RoomParams }>) => {
      const me = caller(request);
      const roomId = pathId(request.params.id);
      const { page, size } = pagination(request.query as Record<string, unknown>);
      const { count, messages } = await core.rooms.history(me, roomId, (page - 1) * size, size);
      if (page > 1 && messages.length === 0) throw new HttpError(404, { detail: 'Invalid page.' });
      const context = await restContext(request, core, options, me.id, messages.map((detail) => detail.sender.id));
      return {
        count,
        ...pageLinks(`${context.baseUrl}/api/chat/groups/${roomId}/messages/`, request, { page, size, count }),
        results: messages.map((detail) => historyItem(detail, roomId, context)),
      };
    };
    app.get<{ Params: RoomParams }>('/api/chat/groups/:id/messages/', auth, async (request, reply) => reply.send(await history(request)));
    app.post<{ Params: RoomParams }>('/api/chat/groups/:id/messages/', auth, async (request, reply) => reply.send(await history(request)));

    app.post<{ Body: RoomBody }>('/api/chat/create-group/', { ...auth, schema: createSchema }, async (request, reply) => {
      const me = caller(request);
      const body = request.body;
      const room = await core.rooms.createRoom(me, {
        name: body.name ?? '',
        description: body.description ?? null,
        avatar: body.room_avatar ?? null,
        active: body.is_active ?? true,
        memberIds: body.members ?? [],
      });
      const overview = await core.rooms.overview(me, room);
      return reply
        .status(201)
        .send({ message: 'Room created successfully', room: roomWithReadState(overview, await restContext(request, core, options, me.id)) });
    });

    app.put<{ Params: RoomParams; Body: RoomBody }>('/api/chat/edit-group/:id/', { ...auth, schema: editSchema }, async (request, reply) => {
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
    });

    app.delete<{ Params: RoomParams }>('/api/chat/delete-group/:id/', auth, async (request, reply) => {
      await core.rooms.deleteRoom(caller(request), pathId(request.params.id));
      return reply.send({ message: 'Room deleted successfully.' });
    });

    app.post<{ Params: RoomParams; Body: { members: number[] } }>(
      '/api/chat/group/:id/add-members/',
      { ...auth, schema: addMembersSchema },
      async (request, reply) => {
        const me = caller(request);
        const room = await core.rooms.addMembers(me, pathId(request.params.id), request.body.members);
        return reply.send({ message: 'Members added successfully.', members_count: room.membersCount });
      },
    );

    app.post<{ Params: RoomParams }>('/api/chat/group/:id/remove-yourself/', auth, async (request, reply) => {
      await core.rooms.leave(caller(request), pathId(request.params.id));
      return reply.send({ message: 'You have successfully removed yourself from the group.' });
    });

    app.post<{ Params: RoomParams; Body: { new_owner_id: number } }>(
      '/api/chat/group/:id/transfer-ownership/',
      { ...auth, schema: transferSchema },
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
