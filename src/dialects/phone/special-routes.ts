// /chat/ HTTP endpoints of the phone dialect for groups, match rooms and the per-user summary.
// Bodies and `info` strings are the original's; success is 201 for creates and 200 otherwise.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { Core } from '../../core/core.js';
import { problem, ValidationError } from '../../core/errors.js';
import { MAX_GROUP_BIO, MAX_GROUP_NAME, type AdminCommand, type Group, type GroupOutcome } from '../../core/groups.js';
import { DISLIKE, LIKE, type Match } from '../../core/matches.js';
import type { AccountRecord, ConversationRecord, MemberRecord } from '../../store/records.js';
import { MAX_MEMBERS_PER_REQUEST } from '../../core/limits.js';
import { caller, requireCaller } from '../../http/app.js';
import { HttpError, NOT_FOUND } from '../../http/errors.js';
import { accountByPhone, actingAs } from './http-identity.js';
import { storedTimestamp } from './frames.js';
import { ROOM_PARTY } from './render.js';
import {
  Grade,
  GroupAnswer,
  GroupBody,
  GroupCommand,
  GroupDeletion,
  GroupName,
  InfoMessage,
  NewGroup,
  Pair,
  phoneRoute,
  RoomBody,
  RoomInfo,
  Self,
  Summary,
} from './schemas.js';
import { PHONE_WORDING } from './wording.js';

const auth = { preValidation: requireCaller };

const ADMIN_COMMANDS: Record<AdminCommand, { info: string; message: string }> = {
  add: { info: 'added', message: 'The user has been added sucessfully' },
  remove: { info: 'removed', message: 'The user has been removed sucessfully' },
  promote: { info: 'promoted', message: 'The user has been promoted sucessfully' },
  demote: { info: 'demoted', message: 'The user has been demoted sucessfully' },
};

/** Refused group commands: the original's bodies, with statuses that say what went wrong. */
const GROUP_REFUSALS: Record<Exclude<GroupOutcome, 'done'>, HttpError> = {
  not_admin: new HttpError(403, { info: 'error', message: 'The Sender is not an Admin' }),
  not_member: new HttpError(403, { info: 'error', message: 'The Sender is not a member of the group' }),
  wrong_operation: new HttpError(400, { info: 'error', message: 'Wrong Operation' }),
  full: new HttpError(409, { info: 'error', message: 'Group Full' }),
  last_admin: new HttpError(409, { info: 'error', message: 'A group needs at least one admin' }),
  // The answer for a phone nobody has: adding is no way to learn who has an account.
  not_addable: NOT_FOUND,
};

const ROOM_BUSY = new HttpError(409, { info: 'error', message: 'participant(s) are already in room' });

export function specialRoutes(core: Core): FastifyPluginAsyncTypebox {
  const account = (phone: string): Promise<AccountRecord> => accountByPhone(core, phone);

  const group = async (groupKey: string): Promise<Group> => {
    const found = await core.groups.byKey(groupKey);
    if (!found) throw NOT_FOUND;
    return found;
  };

  const phones = async (members: readonly MemberRecord[], only?: 'admin'): Promise<Array<string | null>> => {
    const list = [];
    for (const m of members) if (!only || m.role === only) list.push((await core.accounts.byId(m.accountId))?.phone ?? null);
    return list;
  };

  const groupBody = async ({ conversation, members }: Group): Promise<Static<typeof GroupBody>> => ({
    name: conversation.name,
    key: conversation.key,
    bio: conversation.description,
    participants: await phones(members),
    admin: await phones(members, 'admin'),
  });

  const settle = (outcome: GroupOutcome, success: { info: string; message: string }) => {
    if (outcome !== 'done') throw GROUP_REFUSALS[outcome];
    return success;
  };

  const deleteGroup = async (request: FastifyRequest, body: Static<typeof GroupDeletion>) => {
    const me = actingAs(request, body.msg_from, 'msg_from');
    return settle(await core.groups.delete(me, await group(body.key)), {
      info: 'deleted',
      message: 'The group has been deleted',
    });
  };

  const groupInfo = async (request: FastifyRequest, groupKey: string) => {
    const me = caller(request);
    const found = await group(groupKey);
    if (!found.members.some((m) => m.accountId === me.id)) throw GROUP_REFUSALS.not_member;
    return { ...(await groupBody(found)), info: 'returned' };
  };

  /** A room as the original serialized it; the partner is "room" unless the caller named them. */
  const roomBody = (conversation: ConversationRecord, active: boolean, participants: Array<string | null>): Static<typeof RoomBody> => ({
    participants,
    active,
    created: storedTimestamp(conversation.createdAt),
    finished: conversation.expiresAt && storedTimestamp(conversation.expiresAt),
  });
  const anonymousRoom = (me: AccountRecord, match: Match) => roomBody(match.conversation, match.active, [me.phone, ROOM_PARTY]);

  const roomInfo = async (request: FastifyRequest, msgFrom: string) => {
    const me = actingAs(request, msgFrom, 'msg_from');
    const match = await core.matches.active(me);
    if (!match) throw NOT_FOUND;
    return { info: 'active', message: 'User is in a Room', data: [anonymousRoom(me, match)] };
  };

  return async (app) => {
    app.post(
      '/chat/special/group/',
      {
        ...auth,
        schema: phoneRoute('Creates a group: its admins and participants by phone', {}, { 201: GroupAnswer }),
        // The body is read field by field (readNewGroup), each problem named as the original named it.
        config: { swaggerTransform: ({ schema, url }) => ({ url, schema: { ...schema, body: NewGroup } }) },
      },
      async (request, reply) => {
      const me = caller(request);
      const body = await readNewGroup(request.body, (phones) => core.groups.addableByPhone(me, phones));
      let created: Group;
      try {
        created = await core.groups.create({ actor: me, ...body });
      } catch (error) {
        if (error instanceof ValidationError) throw serializerError(PHONE_WORDING.fields(error.fields));
        throw error;
      }
      return reply.status(201).send({ ...(await groupBody(created)), info: 'created' });
      },
    );

    app.put(
      '/chat/special/group/',
      { ...auth, schema: phoneRoute('A command on a group: add, remove, promote, demote, leave or delete', { body: GroupCommand }, { 200: InfoMessage }) },
      async (request) => {
        const { command, msg_from: msgFrom, msg_to: msgTo } = request.body;
        const me = actingAs(request, msgFrom, 'msg_from');
        const found = await group(request.body.key);
        if (command === 'leave') {
          return settle(await core.groups.leave(me, found), { info: 'left', message: 'the user has left the group' });
        }
        if (command === 'delete') return deleteGroup(request, request.body);
        if (!Object.hasOwn(ADMIN_COMMANDS, command)) throw GROUP_REFUSALS.wrong_operation;
        const adminCommand = command as AdminCommand;
        if (msgTo === undefined) throw new ValidationError({ msg_to: [problem('FIELD_REQUIRED')] });
        // A phone nobody has is the core's to answer, exactly as a stranger's.
        const target = await core.accounts.byPhone(msgTo);
        return settle(await core.groups.administer(adminCommand, me, found, target), ADMIN_COMMANDS[adminCommand]);
      },
    );

    app.delete(
      '/chat/special/group/',
      { ...auth, schema: phoneRoute('Deletes a group (its admins only)', { body: GroupDeletion }, { 200: InfoMessage }) },
      (request) => deleteGroup(request, request.body),
    );

    const aboutGroup = 'A group I am in, by its key';
    app.patch(
      '/chat/info/group/',
      { ...auth, schema: phoneRoute(aboutGroup, { body: GroupName }, { 200: GroupAnswer }) },
      (request) => groupInfo(request, request.body.grp_name),
    );
    app.get(
      '/chat/info/group/',
      { ...auth, schema: phoneRoute(aboutGroup, { querystring: GroupName }, { 200: GroupAnswer }) },
      (request) => groupInfo(request, request.query.grp_name),
    );

    app.post(
      '/chat/special/room/',
      { ...auth, schema: phoneRoute('Opens a match room with a partner', { body: Pair }, { 201: RoomBody }) },
      async (request, reply) => {
        const me = actingAs(request, request.body.msg_from, 'msg_from');
        const partner = await account(request.body.msg_to);
        const room = await core.matches.open(me, partner);
        if (!room) throw ROOM_BUSY;
        return reply.status(201).send(roomBody(room, true, [me.phone, partner.phone]));
      },
    );

    app.put(
      '/chat/special/room/',
      { ...auth, schema: phoneRoute('Ends my match room', { body: Self }, { 200: InfoMessage }) },
      async (request) => {
        const me = actingAs(request, request.body.msg_from, 'msg_from');
        if (!(await core.matches.end(me))) throw NOT_FOUND;
        return { info: 'deactivated', message: 'No Room is active anymore' };
      },
    );

    app.delete(
      '/chat/special/room/',
      { ...auth, schema: phoneRoute('Grades my ended match room', { body: Grade }, { 200: InfoMessage }) },
      async (request) => {
        const me = actingAs(request, request.body.msg_from, 'msg_from');
        const { response } = request.body;
        if (response !== LIKE && response !== DISLIKE) {
          throw new HttpError(400, { response: [`"${response}" is not a valid choice.`] });
        }
        const match = await core.matches.current(me);
        if (!match) throw NOT_FOUND;
        switch (await core.matches.grade(me, match, response)) {
          case 'already_graded':
            throw new HttpError(409, { info: 'error', message: 'You have already graded this room' });
          case 'graded':
            return { info: 'graded', message: 'The grade has been recorded' };
          case 'replaced':
            return { info: 'replaced', message: 'The room has been replaced by a personal chat' };
          case 'deleted':
            return { info: 'deleted', message: 'The room has been deleted' };
        }
      },
    );

    const aboutRoom = 'My active match room';
    app.patch(
      '/chat/info/room/',
      { ...auth, schema: phoneRoute(aboutRoom, { body: Self }, { 200: RoomInfo }) },
      (request) => roomInfo(request, request.body.msg_from),
    );
    app.get(
      '/chat/info/room/',
      { ...auth, schema: phoneRoute(aboutRoom, { querystring: Self }, { 200: RoomInfo }) },
      (request) => roomInfo(request, request.query.msg_from),
    );

    app.post(
      '/chat/special/special/',
      { ...auth, schema: phoneRoute('Everything of mine: dialogues, groups and my match room', { body: Self }, { 200: Summary }) },
      async (request) => {
        const me = actingAs(request, request.body.msg_from, 'msg_from');
        const personal = [];
        for (const { members } of await core.conversations.of(me.id, 'dialogue')) {
          const mine = members.find((m) => m.accountId === me.id);
          const peer = members.find((m) => m.accountId !== me.id);
          if (!mine || !peer) continue;
          personal.push({
            sender: me.phone,
            receiver: (await core.accounts.byId(peer.accountId))?.phone ?? null,
            last_received_receiver: mine.lastReceivedAt && storedTimestamp(mine.lastReceivedAt),
            last_seen_receiver: mine.lastSeenAt && storedTimestamp(mine.lastSeenAt),
          });
        }
        const groups = [];
        for (const found of await core.groups.of(me)) groups.push(await groupBody(found));
        const match = await core.matches.current(me);
        return {
          data: { personal, group: groups, room: match ? anonymousRoom(me, match) : [] },
          info: 'success',
          message: 'the data has been returned',
        };
      },
    );
  };
}

interface NewGroupBody {
  name: string | null;
  bio: string | null;
  admins: AccountRecord[];
  participants: AccountRecord[];
}

/**
 * Reads a group creation body field by field, naming every problem as the original's serializer
 * did. `resolve` gives the accounts the caller may add, by phone, for all the body's phones at once;
 * any other phone, whether somebody has it or not, "does not exist".
 */
async function readNewGroup(
  body: unknown,
  resolve: (phones: readonly string[]) => Promise<Map<string, AccountRecord>>,
): Promise<NewGroupBody> {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const problems: Record<string, string[]> = {};
  const text = (field: string, max: number): string | null => {
    const value = fields[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') problems[field] = [PHONE_WORDING.problem(problem('FIELD_NOT_TEXT'))];
    else if (value.length > max) problems[field] = [PHONE_WORDING.problem(problem('FIELD_TOO_LONG', { max }))];
    else return value;
    return null;
  };
  /** A list field's items, or the problem that makes it no list. */
  const list = (field: string): unknown[] | string => {
    const value = fields[field];
    if (value === undefined) return PHONE_WORDING.problem(problem('FIELD_REQUIRED'));
    if (!Array.isArray(value)) return `Expected a list of items but got type "${value === null ? 'null' : typeof value}".`;
    return value.slice(0, MAX_MEMBERS_PER_REQUEST + 1);
  };
  // Problems are named in the original's field order: name, bio, admin, participants.
  const name = text('name', MAX_GROUP_NAME);
  const bio = text('bio', MAX_GROUP_BIO);
  const lists = { admin: list('admin'), participants: list('participants') };
  const phones = Object.values(lists).flatMap((items) =>
    typeof items === 'string' ? [] : items.slice(0, MAX_MEMBERS_PER_REQUEST).filter((item): item is string => typeof item === 'string'),
  );
  const addable = await resolve(phones);
  const accounts = (field: keyof typeof lists): AccountRecord[] => {
    const items = lists[field];
    if (typeof items === 'string') {
      problems[field] = [items];
      return [];
    }
    const found: AccountRecord[] = [];
    const fieldProblems: string[] = [];
    for (const item of items.slice(0, MAX_MEMBERS_PER_REQUEST)) {
      if (typeof item !== 'string') fieldProblems.push(`Incorrect type. Expected pk value, received ${typeof item}.`);
      else {
        const account = addable.get(item);
        if (account) found.push(account);
        else fieldProblems.push(`Object with ph_num=${item.slice(0, 32)} does not exist.`);
      }
    }
    if (items.length > MAX_MEMBERS_PER_REQUEST) fieldProblems.push(`Ensure this field has no more than ${MAX_MEMBERS_PER_REQUEST} elements.`);
    if (fieldProblems.length > 0) problems[field] = fieldProblems;
    return found;
  };
  const result = { name, bio, admins: accounts('admin'), participants: accounts('participants') };
  if (Object.keys(problems).length > 0) throw serializerError(problems);
  return result;
}

/** The original's wrapper around serializer field errors. */
function serializerError(fields: Record<string, string[]>): HttpError {
  return new HttpError(400, {
    message: fields,
    debug: "serializer error occured in 'GenericGroupViewSet'",
    info: 'error',
  });
}
