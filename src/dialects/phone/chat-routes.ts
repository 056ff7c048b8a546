// /chat/ HTTP endpoints of the phone dialect: dialogues, their receipts, and presence.
// The original reads with PATCH and a JSON body; GET with query parameters works too.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { Core } from '../../core/core.js';
import type { AccountRecord } from '../../store/records.js';
import { caller, requireCaller } from '../../http/app.js';
import { HttpError, NOT_FOUND } from '../../http/errors.js';
import { httpTimestamp } from './frames.js';
import { accountByPhone, actingAs } from './http-identity.js';
import { ActiveInfo, ActiveReport, DialogueDeleted, DialogueOpened, InfoMessage, Pair, PersonalInfo, phoneRoute, User } from './schemas.js';

const auth = { preValidation: requireCaller };

export function chatRoutes(core: Core): FastifyPluginAsyncTypebox {
  const account = (phone: string): Promise<AccountRecord> => accountByPhone(core, phone);

  return async (app) => {
    const openSchema = phoneRoute('Opens the dialogue of two phones, or finds it', { body: Pair }, { 200: DialogueOpened, 201: DialogueOpened });
    app.post('/chat/special/personal/', { ...auth, schema: openSchema }, async (request, reply) => {
      const me = actingAs(request, request.body.msg_from, 'msg_from');
      const peer = await account(request.body.msg_to);
      const { created } = await core.conversations.openDialogue(me, peer);
      return reply
        .status(created ? 201 : 200)
        .send({ msg_from: me.phone, msg_to: peer.phone, info: created ? 'created' : 'returned' });
    });

    const closeSchema = phoneRoute('Deletes the dialogue and its messages', { body: Pair }, { 200: DialogueDeleted });
    app.delete('/chat/special/personal/', { ...auth, schema: closeSchema }, async (request, reply) => {
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

    const personalInfo = async (request: FastifyRequest, pair: Static<typeof Pair>) => {
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
    const receipts = "When msg_from last received and saw msg_to's messages";
    app.patch('/chat/info/personal/', { ...auth, schema: phoneRoute(receipts, { body: Pair }, { 200: PersonalInfo }) }, (request) =>
      personalInfo(request, request.body),
    );
    app.get('/chat/info/personal/', { ...auth, schema: phoneRoute(receipts, { querystring: Pair }, { 200: PersonalInfo }) }, (request) =>
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
    const presence = "A contact's presence";
    app.patch('/chat/info/active/', { ...auth, schema: phoneRoute(presence, { body: User }, { 200: ActiveInfo }) }, (request) =>
      activeInfo(request, request.body.user_num),
    );
    app.get('/chat/info/active/', { ...auth, schema: phoneRoute(presence, { querystring: User }, { 200: ActiveInfo }) }, (request) =>
      activeInfo(request, request.query.user_num),
    );

    app.put(
      '/chat/info/active/',
      { ...auth, schema: phoneRoute('Reports me active ("activate") or not ("deactivate")', { body: ActiveReport }, { 200: InfoMessage }) },
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
