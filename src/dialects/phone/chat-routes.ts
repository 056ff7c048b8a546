// /chat/ HTTP endpoints of the phone dialect: dialogues, their receipts, and presence.
// The original reads with PATCH and a JSON body; GET with query parameters works too.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import type { AccountRecord } from '../../store/records.js';
import { caller, requireCaller } from '../../http/app.js';
import { HttpError, NOT_FOUND } from '../../http/errors.js';
import { httpTimestamp } from './encode.js';
import { accountByPhone, actingAs } from './http-identity.js';

const phone = { type: 'string', maxLength: 32 } as const;

const pairSchema = {
  type: 'object',
  required: ['msg_from', 'msg_to'],
  properties: { msg_from: phone, msg_to: phone },
} as const;

const userSchema = {
  type: 'object',
  required: ['user_num'],
  properties: { user_num: phone },
} as const;

const activeUpdateSchema = {
  type: 'object',
  required: ['user_num', 'command'],
  properties: { user_num: phone, command: { type: 'string', maxLength: 32 }, last_active: { type: 'string' } },
} as const;

interface Pair {
  msg_from: string;
  msg_to: string;
}

export function chatRoutes(core: Core): FastifyPluginAsync {
  const account = (phone: string): Promise<AccountRecord> => accountByPhone(core, phone);

  return async (app) => {
    app.post<{ Body: Pair }>('/chat/special/personal/', { preValidation: requireCaller, schema: { body: pairSchema } }, async (request, reply) => {
      const me = actingAs(request, request.body.msg_from, 'msg_from');
      const peer = await account(request.body.msg_to);
      const { created } = await core.conversations.openDialogue(me, peer);
      return reply
        .status(created ? 201 : 200)
        .send({ msg_from: me.phone, msg_to: peer.phone, info: created ? 'created' : 'returned' });
    });

    app.delete<{ Body: Pair }>('/chat/special/personal/', { preValidation: requireCaller, schema: { body: pairSchema } }, async (request, reply) => {
      const me = actingAs(request, request.body.msg_from, 'msg_from');
      const peer = await account(request.body.msg_to);
      if (!(await core.conversations.findDialogue(me.id, peer.id))) throw NOT_FOUND;
      const { byActor, byPeer } = await core.conversations.closeDialogue(me, peer);
      return reply.send({
        msg_from: deletionCount(byActor),
        msg_to: deletionCount(byPeer),
        info: 'deleted',
        message: 'Chat Deleted',
      });
    });

    const personalInfo = async (request: FastifyRequest, pair: Pair) => {
      const me = caller(request);
      if (me.phone !== pair.msg_from && me.phone !== pair.msg_to) {
        throw new HttpError(403, { detail: 'You must be one of the two parties.', code: 'not_a_party' });
      }
      const receiver = await account(pair.msg_from);
      const sender = await account(pair.msg_to);
      const dialogue = await core.conversations.findDialogue(receiver.id, sender.id);
      const markers = dialogue && (await core.conversations.member(dialogue.conversation.id, receiver.id));
      if (!markers) throw NOT_FOUND;
      return {
        last_received_receiver: httpTimestamp(markers.lastReceivedAt),
        last_seen_receiver: httpTimestamp(markers.lastSeenAt),
        info: 'returned',
      };
    };
    app.patch<{ Body: Pair }>('/chat/info/personal/', { preValidation: requireCaller, schema: { body: pairSchema } }, (request) =>
      personalInfo(request, request.body),
    );
    app.get<{ Querystring: Pair }>('/chat/info/personal/', { preValidation: requireCaller, schema: { querystring: pairSchema } }, (request) =>
      personalInfo(request, request.query),
    );

    const activeInfo = async (request: FastifyRequest, userNum: string) => {
      const me = caller(request);
      const user = await core.accounts.byPhone(userNum);
      // A phone that is no contact's is answered as one nobody has: presence is no way to probe phones.
      if (!user || !(await core.conversations.isContact(me.id, user.id))) throw NOT_FOUND;
      const status = await core.presence.status(user.id);
      return { info: 'found', active: status.active, last_active: httpTimestamp(status.lastActive) };
    };
    app.patch<{ Body: { user_num: string } }>('/chat/info/active/', { preValidation: requireCaller, schema: { body: userSchema } }, (request) =>
      activeInfo(request, request.body.user_num),
    );
    app.get<{ Querystring: { user_num: string } }>(
      '/chat/info/active/',
      { preValidation: requireCaller, schema: { querystring: userSchema } },
      (request) => activeInfo(request, request.query.user_num),
    );

    app.put<{ Body: { user_num: string; command: string } }>(
      '/chat/info/active/',
      { preValidation: requireCaller, schema: { body: activeUpdateSchema } },
      async (request) => {
        const me = actingAs(request, request.body.user_num, 'user_num');
        if (request.body.command !== 'activate' && request.body.command !== 'deactivate') {
          throw new HttpError(400, { info: 'error', message: 'incorrect request/url' });
        }
        // Presence comes from live sockets; a report only moves last_active to now.
        core.presence.touched(me.id);
        return { info: 'updated', message: 'Active Data Has been updated' };
      },
    );
  };
}

/** The original's per-side deletion summary (Django's delete() result; zero counts omitted). */
function deletionCount(messages: number): [number, Record<string, number>] {
  const counts: Record<string, number> = messages > 0 ? { 'chat.Message': messages } : {};
  counts['chat.Dialogue'] = 1;
  return [messages + 1, counts];
}
