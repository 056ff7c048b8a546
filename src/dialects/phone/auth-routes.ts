// /auth/: sign-up, log-in and log-out, compatible with the original's endpoints.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/core.js';
import type { LoginIdentifier } from '../../core/accounts.js';
import { refuseForeignPages, requireCaller } from '../../http/app.js';
import { problem, ValidationError } from '../../core/errors.js';
import { HttpError } from '../../http/errors.js';
import { answers, Nullable } from '../../http/schemas.js';
import { phoneRoute } from './schemas.js';

const text = Type.Optional(Type.String());

const signupSchema = {
  tags: ['phone'],
  summary: 'Makes an account and logs it in; sets the session cookie too',
  body: Type.Object({ email: text, username: text, password: text, ph_num: text, first_name: text, last_name: text }),
  response: answers({
    201: Type.Object({
      response: Type.String(),
      data: Type.Object({ email: Type.String(), username: Type.String(), ph_num: Nullable(Type.String()) }),
      token: Type.String(),
    }),
  }),
};

const loginSchema = {
  tags: ['phone'],
  summary: 'Logs in by username, e-mail or phone; sets the session cookie too',
  body: Type.Object({ username: text, email: text, ph_num: text, password: Type.String() }),
  response: answers({ 200: Type.Object({ token: Type.String() }) }),
};

const logoutSchema = phoneRoute('Revokes the key the request came with', {}, { 200: Type.Object({ detail: Type.String() }) });

const BAD_CREDENTIALS = new HttpError(400, { non_field_errors: ['Unable to log in with provided credentials.'] });

export function authRoutes(core: Core): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/auth/signup/', { onRequest: refuseForeignPages, schema: signupSchema }, async (request, reply) => {
      const body = request.body ?? {};
      const { account, token } = await core.accounts.signup({
        email: body.email,
        username: body.username,
        password: body.password,
        phone: body.ph_num,
        firstName: body.first_name,
        lastName: body.last_name,
      }, request.ip);
      return reply
        .status(201)
        .startSession(token)
        .send({
          response: 'success',
          data: { email: account.email, username: account.username, ph_num: account.phone },
          token,
        });
    });

    app.post('/auth/login/', { onRequest: refuseForeignPages, schema: loginSchema }, async (request, reply) => {
      const { password } = request.body;
      const identifier: [LoginIdentifier, string] | undefined =
        request.body.username !== undefined
          ? ['username', request.body.username]
          : request.body.email !== undefined
            ? ['email', request.body.email]
            : request.body.ph_num !== undefined
              ? ['phone', request.body.ph_num]
              : undefined;
      if (!identifier) throw new ValidationError({ username: [problem('FIELD_REQUIRED')] });
      const session = await core.accounts.login(identifier[0], identifier[1], password, request.ip);
      if (!session) throw BAD_CREDENTIALS;
      return reply.startSession(session.token).send({ token: session.token });
    });

    app.post('/auth/logout/', { preValidation: requireCaller, schema: logoutSchema }, async (request, reply) => {
      await core.accounts.logout(request.presentedKey ?? '');
      return reply.endSession().send({ detail: 'Successfully logged out.' });
    });
  };
}
