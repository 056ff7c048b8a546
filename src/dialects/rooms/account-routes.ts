// /api/user/: log-in, log-out and the profile, over the one account table both dialects share.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/core.js';
import type { AccountRecord } from '../../store/records.js';
import { AUTHENTICATED } from '../../http/api-docs.js';
import { caller, refuseForeignPages, requireCaller } from '../../http/app.js';
import { HttpError } from '../../http/errors.js';
import { answers, Nullable } from '../../http/schemas.js';
import { yearLabel } from './format.js';
import { MessageBody } from './schemas.js';

const loginSchema = {
  tags: ['rooms'],
  summary: 'Logs in with e-mail and password; sets the session cookie too',
  body: Type.Object({ email: Type.Optional(Type.String({ maxLength: 254 })), password: Type.Optional(Type.String({ maxLength: 1024 })) }),
  response: answers({
    200: Type.Object({
      year: Nullable(Type.String()),
      token: Type.String(),
      is_completed: Type.Boolean(),
      missing_fields: Type.Array(Type.String()),
      message: Type.String(),
    }),
  }),
};

const logoutSchema = {
  tags: ['rooms'],
  summary: 'Revokes the key the request came with',
  security: AUTHENTICATED,
  response: answers({ 200: MessageBody }),
};

const profileSchema = {
  tags: ['rooms'],
  summary: 'My profile',
  security: AUTHENTICATED,
  response: answers({
    200: Type.Object({
      id: Type.Integer(),
      email: Type.String(),
      first_name: Type.String(),
      last_name: Type.String(),
      full_name: Type.String(),
      photo: Nullable(Type.String()),
      role: Type.String(),
      year: Nullable(Type.String()),
      is_completed: Type.Boolean(),
    }),
  }),
};

const BAD_LOGIN = new HttpError(403, { detail: 'Invalid email or password.' });

/** Profile fields Parley keeps that the account has not filled in. */
function missingFields(account: AccountRecord): string[] {
  const missing: string[] = [];
  if (account.photo === null) missing.push('photo');
  if (account.year === null) missing.push('year');
  if (account.lastName === '') missing.push('last_name');
  return missing;
}

export function accountRoutes(core: Core): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/user/login/', { onRequest: refuseForeignPages, schema: loginSchema }, async (request, reply) => {
      const { email, password } = request.body ?? {};
      if (!email || !password) throw BAD_LOGIN;
      const session = await core.accounts.login('email', email, password, request.ip);
      if (!session) throw BAD_LOGIN;
      const { account } = session;
      const missing = missingFields(account);
      // The cookie lets Parley's own web client use this log-in too (the original had no cookie).
      return reply.startSession(session.token).send({
        year: yearLabel(account.year),
        token: session.token,
        is_completed: missing.length === 0,
        missing_fields: missing,
        message: `Welcome ${account.firstName || account.username}!`,
      });
    });

    app.post('/api/user/logout/', { preValidation: requireCaller, schema: logoutSchema }, async (request, reply) => {
      await core.accounts.logout(request.presentedKey ?? '');
      return reply.endSession().send({ message: 'Successfully logged out.' });
    });

    app.get('/api/user/profile/detail/', { preValidation: requireCaller, schema: profileSchema }, async (request, reply) => {
      const account = caller(request);
      const missing = missingFields(account);
      return reply.send({
        id: account.id,
        email: account.email,
        first_name: account.firstName,
        last_name: account.lastName,
        full_name: `${account.firstName} ${account.lastName}`.trim(),
        photo: account.photo,
        role: account.role,
        year: yearLabel(account.year),
        is_completed: missing.length === 0,
      });
    });
  };
}
