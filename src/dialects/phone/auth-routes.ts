// /auth/: sign-up, log-in and log-out, compatible with the original's endpoints.
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/core.js';
import type { LoginIdentifier } from '../../core/accounts.js';
import { refuseForeignPages, requireCaller } from '../../http/app.js';
import { problem, ValidationError } from '../../core/errors.js';
import { HttpError } from '../../http/errors.js';

const text = { type: 'string' } as const;

const signupSchema = {
  body: {
    type: 'object',
    properties: { email: text, username: text, password: text, ph_num: text, first_name: text, last_name: text },
  },
} as const;

const loginSchema = {
  body: {
    type: 'object',
    required: ['password'],
    properties: { username: text, email: text, ph_num: text, password: text },
  },
} as const;

const BAD_CREDENTIALS = new HttpError(400, { non_field_errors: ['Unable to log in with provided credentials.'] });

interface SignupBody {
  email?: string;
  username?: string;
  password?: string;
  ph_num?: string;
  first_name?: string;
  last_name?: string;
}

interface LoginBody {
  username?: string;
  email?: string;
  ph_num?: string;
  password: string;
}

export function authRoutes(core: Core): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: SignupBody }>('/auth/signup/', { onRequest: refuseForeignPages, schema: signupSchema }, async (request, reply) => {
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

    app.post<{ Body: LoginBody }>('/auth/login/', { onRequest: refuseForeignPages, schema: loginSchema }, async (request, reply) => {
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

    app.post('/auth/logout/', { preValidation: requireCaller }, async (request, reply) => {
      await core.accounts.logout(request.presentedKey ?? '');
      return reply.endSession().send({ detail: 'Successfully logged out.' });
    });
  };
}
