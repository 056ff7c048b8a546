// The Fastify app: body parsing, the authentication hook, error mapping and health.
import { isUtf8 } from 'node:buffer';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { Core } from '../core/core.js';
import { ValidationError } from '../core/errors.js';
import { unstorableText } from '../core/text.js';
import type { Metrics } from '../metrics.js';
import type { AccountRecord } from '../store/records.js';
import type { FastifyBaseLogger } from 'fastify';
import { keyFromHeaders } from './credentials.js';
import { errorHandler, HttpError, INVALID_TOKEN, NOT_AUTHENTICATED } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, or null when no credentials came with the request. */
    account: AccountRecord | null;
    /** The key the caller presented, so that log-out can revoke exactly that one. */
    presentedKey: string | null;
  }
}

const BODY_LIMIT_BYTES = 1024 * 1024;
const NOT_UTF8 = new HttpError(400, { detail: 'JSON parse error - the body is not valid UTF-8.', code: 'bad_request' });
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface AppOptions {
  core: Core;
  log: FastifyBaseLogger;
  metrics: Metrics;
}

export async function buildApp({ core, log, metrics }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    // Wrong-typed fields are refused, not converted.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  });
  await app.register(formbody);
  // JSON bodies must be UTF-8: Fastify's own parser would turn bad bytes into U+FFFD silently.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) done(NOT_UTF8, undefined);
    else parseJson(request, bytes.toString('utf8'), done);
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    // Routes are kept without their trailing slash (ignoreTrailingSlash).
    const url = (request.url.split('?')[0] ?? '/').replace(/(.)\/$/, '$1');
    const known = METHODS.some((method) => app.hasRoute({ url, method }));
    if (known) {
      void reply.status(405).send({ detail: `Method "${request.method}" not allowed.`, code: 'method_not_allowed' });
      return;
    }
    void reply.status(404).send({ detail: 'Not found.', code: 'not_found' });
  });

  app.decorateRequest('account', null);
  app.decorateRequest('presentedKey', null);
  app.addHook('onRequest', async (request) => {
    const presented = keyFromHeaders(request.headers);
    if (!presented) return;
    const account = await core.accounts.authenticate(presented.key);
    // A bad cookie is ignored (it may be stale); a bad header is an error, as in the original.
    if (!account) {
      if (presented.source === 'header') throw INVALID_TOKEN;
      return;
    }
    request.account = account;
    request.presentedKey = presented.key;
  });

  // Every text input, the same rule (core/text.ts), once its credentials and its schema passed.
  app.addHook('preHandler', async (request) => {
    for (const input of [request.params, request.query, request.body]) {
      const found = unstorableText(input);
      if (found) throw new ValidationError({ [found.field || 'non_field_errors']: [found.problem] });
    }
  });

  // Alive: the process answers. Ready: the store and the bus answer too.
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const [store, bus] = await Promise.all([reachable(core.store.ping()), reachable(core.bus.ping())]);
    return reply.status(store && bus ? 200 : 503).send({ status: store && bus ? 'ready' : 'unavailable', store, bus });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
  );

  return app;
}

const READINESS_TIMEOUT_MS = 2000;

/** Whether the check settles successfully within the readiness timeout. */
async function reachable(check: Promise<void>): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), READINESS_TIMEOUT_MS).unref());
  return Promise.race([check.then(() => true, () => false), timeout]);
}

/** Route hook: a request without credentials is refused before its body is even validated. */
export async function requireCaller(request: FastifyRequest): Promise<void> {
  caller(request);
}

/** The caller, or a 401 when the request carried no (valid) credentials. */
export function caller(request: FastifyRequest): AccountRecord {
  if (!request.account) throw NOT_AUTHENTICATED;
  return request.account;
}

export { HttpError };
