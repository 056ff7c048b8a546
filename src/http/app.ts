// The Fastify app: body parsing, the authentication hook, error mapping and health.
import { isUtf8 } from 'node:buffer';
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import { fastifyCookie, type CookieSerializeOptions } from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../core/core.js';
import { ValidationError } from '../core/errors.js';
import { unstorableText } from '../core/text.js';
import type { Metrics } from '../metrics.js';
import type { AccountRecord } from '../store/records.js';
import type { FastifyBaseLogger } from 'fastify';
import { keyFromRequest, SESSION_COOKIE } from './credentials.js';
import { DRF_WORDING } from '../dialects/wording.js';
import { CROSS_SITE, errorHandler, HttpError, INVALID_TOKEN, NOT_AUTHENTICATED } from './errors.js';
import { requestOrigin, type RequestOrigin } from './origin.js';
import { ErrorBody } from './schemas.js';
import type { ApiDocs } from './api-docs.js';
import { lazyCompilers } from './lazy-schemas.js';
import { answerClientError } from './client-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, or null when no credentials came with the request. */
    account: AccountRecord | null;
    /** The key the caller presented, so that log-out can revoke exactly that one. */
    presentedKey: string | null;
    /** Whether the request says it comes from one of Parley's own pages (Origin, else Referer). */
    statedOrigin: RequestOrigin;
  }
  interface FastifyContextConfig {
    /** The route checks its own credentials (not an account's key): the auth hook leaves it alone. */
    ownCredentials?: boolean;
  }
  interface FastifyReply {
    /** Sets the session cookie to this key, for Parley's own pages. */
    startSession(key: string): FastifyReply;
    /** Clears the session cookie. */
    endSession(): FastifyReply;
  }
}

const BODY_LIMIT_BYTES = 1024 * 1024;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NOT_UTF8 = new HttpError(400, { detail: 'JSON parse error - the body is not valid UTF-8.', code: 'bad_request' });
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface AppOptions {
  core: Core;
  log: FastifyBaseLogger;
  metrics: Metrics;
  /** PARLEY_PUBLIC_URL: an https one makes the session cookie Secure. */
  publicUrl: string | undefined;
  sessionMaxAgeSeconds: number;
  /** PARLEY_METRICS_TOKEN: the bearer token /metrics asks for; without one, /metrics is not served. */
  metricsToken: string | undefined;
  /** PARLEY_TRUST_PROXY: proxies whose X-Forwarded-For gives the client's address (log-in limits). */
  trustProxy: string | undefined;
  /** Told of every route as it is added, the server's own included. */
  onRoute?: (route: RouteOptions) => void;
}

/** How the app routes, for the instance that describes its routes too (ApiDocs). */
export const ROUTER_OPTIONS = { ignoreTrailingSlash: true };

export async function buildApp(options: AppOptions, apiDocs: ApiDocs): Promise<FastifyInstance> {
  const { core, log, metrics, publicUrl, sessionMaxAgeSeconds, metricsToken } = options;
  const app = Fastify({
    loggerInstance: log,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: ROUTER_OPTIONS,
    // A URL that does not decode (`/%E0%A4%A`) is the client's fault, answered like any other.
    frameworkErrors: (_error, _request, reply) => refuseMalformedUrl(reply as FastifyReply),
    // Wrong-typed fields are refused, not converted.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
    schemaController: { compilersFactory: lazyCompilers },
    clientErrorHandler: answerClientError,
  });
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  // Bodies are JSON: no original client sent a form, and a form or text/plain body is what a
  // foreign page can make a browser send without asking (CSRF). Uploads add multipart themselves.
  app.removeContentTypeParser('text/plain');
  // Before any route: it notes every route's schema as the route is added.
  app.addHook('onRoute', apiDocs.note);
  await app.register(fastifyCookie);
  const session: CookieSerializeOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: publicUrl?.startsWith('https:') ?? false,
  };
  app.decorateReply('startSession', function startSession(this: FastifyReply, key: string) {
    return this.setCookie(SESSION_COOKIE, key, { ...session, maxAge: sessionMaxAgeSeconds });
  });
  app.decorateReply('endSession', function endSession(this: FastifyReply) {
    return this.clearCookie(SESSION_COOKIE, session);
  });
  // JSON bodies must be UTF-8: Fastify's own parser would turn bad bytes into U+FFFD silently.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) done(NOT_UTF8, undefined);
    else parseJson(request, bytes.toString('utf8'), done);
  });
  app.setErrorHandler(errorHandler(DRF_WORDING));
  app.setNotFoundHandler((request, reply) => {
    // Routes are kept without their trailing slash (ignoreTrailingSlash).
    const url = (request.url.split('?')[0] ?? '/').replace(/(.)\/$/, '$1');
    const known = METHODS.some((method) => hasRoute(app, url, method));
    if (known) {
      void reply.status(405).send({ detail: `Method "${request.method}" not allowed.`, code: 'method_not_allowed' });
      return;
    }
    void reply.status(404).send({ detail: 'Not found.', code: 'not_found' });
  });

  app.decorateRequest('account', null);
  app.decorateRequest('presentedKey', null);
  app.decorateRequest('statedOrigin', 'unstated');
  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(RESPONSE_HEADERS)) reply.header(name, value);
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      for (const [name, value] of Object.entries(pageHeaders(publicUrl))) reply.header(name, value);
    }
  });
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.ownCredentials) return;
    request.statedOrigin = requestOrigin(request.headers, publicUrl);
    const presented = keyFromRequest(request.headers.authorization, request.cookies);
    if (!presented) return;
    const account = await core.accounts.authenticate(presented.key);
    // A bad cookie is ignored (it may be stale); a bad header is an error, as in the original.
    if (!account) {
      if (presented.source === 'header') throw INVALID_TOKEN;
      return;
    }
    // The browser adds the cookie to requests that any page makes: a change made with it must
    // come from a page of Parley's own (CSRF). Browsers state the origin of every such request.
    if (presented.source === 'cookie' && !SAFE_METHODS.has(request.method) && request.statedOrigin !== 'own') throw CROSS_SITE;
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

  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  // Alive: the process answers. Ready: the store and the bus answer too. A probe is often a
  // process's first request: its bodies, built here in their schemas' property order, need not
  // load and run the schema serializer (fast-json-stringify, Ajv), which would give the same bytes.
  const probeSerializer = () => (payload: unknown) => JSON.stringify(payload);
  routes.get(
    '/healthz',
    {
      serializerCompiler: probeSerializer,
      schema: { tags: ['operations'], summary: 'Whether the process answers', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  const Readiness = Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]), store: Type.Boolean(), bus: Type.Boolean() });
  routes.get(
    '/readyz',
    {
      serializerCompiler: probeSerializer,
      schema: { tags: ['operations'], summary: 'Whether the store and the bus answer too', response: { 200: Readiness, 503: Readiness } },
    },
    async (_request, reply) => {
      const [store, bus] = await Promise.all([reachable(core.store.ping()), reachable(core.bus.ping())]);
      return reply.status(store && bus ? 200 : 503).send({ status: store && bus ? 'ready' : 'unavailable', store, bus });
    },
  );
  // Metrics tell anyone who can read them how busy Parley is and who is online: off unless an
  // operator chose a token for the scraper.
  if (metricsToken !== undefined) {
    const expected = digest(metricsToken);
    const metricsSchema = {
      tags: ['operations'],
      summary: 'Prometheus metrics, for a scraper holding PARLEY_METRICS_TOKEN',
      security: [{ metricsToken: [] }],
      response: {
        200: { description: 'The Prometheus text format', content: { [metrics.contentType]: { schema: Type.String() } } },
        401: ErrorBody,
      },
    };
    routes.get('/metrics', { config: { ownCredentials: true }, schema: metricsSchema }, async (request, reply) => {
      const authorization = request.headers.authorization;
      if (!authorization) throw NOT_AUTHENTICATED;
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? '';
      if (!timingSafeEqual(digest(presented), expected)) throw INVALID_TOKEN;
      return reply.header('content-type', metrics.contentType).send(await metrics.render());
    });
  }

  return app;
}

function refuseMalformedUrl(reply: FastifyReply): void {
  void reply.status(400).send({ detail: 'Malformed URL.', code: 'bad_request' });
}

/** On every response: no content sniffing, and no Parley URL leaks to other sites. */
const RESPONSE_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' };

/**
 * On every HTML page (the web client, the test pages): scripts, styles and connections from
 * Parley only, never framed. Attachments may come from PARLEY_PUBLIC_URL.
 */
function pageHeaders(publicUrl: string | undefined): Record<string, string> {
  const own = publicUrl === undefined ? "'self'" : `'self' ${new URL(publicUrl).origin}`;
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${own} data: blob:`,
    `connect-src ${own}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return { 'content-security-policy': policy.join('; '), 'x-frame-options': 'DENY' };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

const READINESS_TIMEOUT_MS = 2000;

/** Whether the check settles successfully within the readiness timeout. */
async function reachable(check: Promise<void>): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), READINESS_TIMEOUT_MS).unref());
  return Promise.race([check.then(() => true, () => false), timeout]);
}

/**
 * Route hook of the endpoints that set the session cookie (log-in, sign-up): a foreign page must
 * not log its visitor in as someone else (login CSRF). Clients that are no browser state no origin.
 */
export async function refuseForeignPages(request: FastifyRequest): Promise<void> {
  if (request.statedOrigin === 'foreign') throw CROSS_SITE;
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

/**
 * Whether a route is registered at `url` for `method`. The router reads the URL as a route
 * pattern, and a URL that is no valid pattern (a `*` before its end) is no route's either.
 */
function hasRoute(app: FastifyInstance, url: string, method: string): boolean {
  try {
    return app.hasRoute({ url, method });
  } catch {
    return false;
  }
}
