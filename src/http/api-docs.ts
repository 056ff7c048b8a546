// The HTTP API described, for people and tools writing a client: GET /docs/openapi.json, the
// OpenAPI 3.1 document @fastify/swagger makes from every route's own schema, and /docs/api/, a
// page to read it (Swagger UI, its scripts and styles served from Parley under Parley's CSP).
// Both are made on their first request (ApiDocs).
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { Type } from 'typebox';
import { lazyCompilers } from './lazy-schemas.js';
import { packageDirectory } from './package-directory.js';

export const OPENAPI_PATH = '/docs/openapi.json';
export const API_PAGE_PATH = '/docs/api/';
const API_PAGE_ROOT = API_PAGE_PATH.replace(/\/$/, '');

/** The document's head: what Parley is, its version, and how callers authenticate. */
export function openApiInfo(): FastifyDynamicSwaggerOptions['openapi'] {
  const { version, description } = JSON.parse(fs.readFileSync(path.join(packageDirectory(), 'package.json'), 'utf8')) as {
    version: string;
    description: string;
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley',
      version,
      description: `${description} The sockets of both dialects are described in AsyncAPI at /docs/asyncapi.yaml.`,
    },
    tags: [
      { name: 'phone', description: 'The phone dialect: /auth/ and /chat/' },
      { name: 'rooms', description: 'The rooms dialect: /api/ and /media/' },
      { name: 'web', description: "Parley's own web client" },
      { name: 'operations', description: 'Health, readiness and metrics' },
      { name: 'docs', description: 'These references' },
    ],
    components: {
      securitySchemes: {
        token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`Token <key>`: the key a log-in or sign-up answered with.' },
        session: { type: 'apiKey', in: 'cookie', name: 'parley_session', description: "The web client's HttpOnly session cookie." },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'PARLEY_METRICS_TOKEN' },
      },
    },
  };
}

/**
 * The references of the HTTP API, made on their first request: @fastify/swagger, Swagger UI and
 * the YAML writer they load are a tenth of a start and most processes never serve them. Every
 * route of the app is noted as it is added; on first need a second Fastify instance, which never
 * listens, gets the same routes (their schemas and config, no handlers) and the two plugins, and
 * answers /docs/openapi.json and the API page's files through `inject()`.
 */
export class ApiDocs {
  private readonly described: RouteOptions[] = [];
  private instance: Promise<FastifyInstance> | undefined;

  constructor(private readonly routerOptions: FastifyServerOptions['routerOptions']) {}

  /** onRoute hook of the app, added before any route (later hooks may still give a route its schema). */
  readonly note = (route: RouteOptions): void => {
    this.described.push(route);
  };

  routes(): FastifyPluginAsyncTypebox {
    return async (app) => {
      app.get(
        OPENAPI_PATH,
        { schema: { tags: ['docs'], summary: 'This OpenAPI document', response: { 200: Type.Object({}, { additionalProperties: true }) } } },
        async (_request, reply) => reply.header('cache-control', 'no-cache').send((await this.reference()).swagger()),
      );
      const page = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
        // Asked with GET for a HEAD too: Fastify's HEAD answer here drops the body and keeps its length.
        const answer = await (await this.reference()).inject({ method: 'GET', url: request.url, headers: request.headers });
        // Not found is answered as every other not found.
        if (answer.statusCode === 404) {
          reply.callNotFound();
          return reply;
        }
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_HEADERS.has(name)) void reply.header(name, value);
        }
        return reply.status(answer.statusCode).send(answer.rawPayload.length > 0 ? answer.rawPayload : undefined);
      };
      for (const url of [API_PAGE_ROOT, `${API_PAGE_ROOT}/*`]) app.get(url, { schema: { hide: true } }, page);
    };
  }

  private reference(): Promise<FastifyInstance> {
    this.instance ??= this.build().catch((error: unknown) => {
      this.instance = undefined;
      throw error;
    });
    return this.instance;
  }

  private async build(): Promise<FastifyInstance> {
    const [{ default: fastifySwagger }, { default: fastifySwaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
    const reference = Fastify({ routerOptions: this.routerOptions, schemaController: { compilersFactory: lazyCompilers } });
    await reference.register(fastifySwagger, { openapi: openApiInfo() });
    const unused = async (): Promise<void> => {
      throw new Error('the reference instance only describes routes');
    };
    // HEAD answers come from each GET, and hidden routes (the API page's files) are not in the document.
    const described = this.described.filter((route) => route.method !== 'HEAD' && !route.schema?.hide);
    for (const route of described) reference.route({ method: route.method, url: route.url, schema: route.schema, config: route.config, handler: unused });
    await reference.register(fastifySwaggerUi, {
      routePrefix: API_PAGE_ROOT,
      // Without the top bar: its logo is an SVG with a <style> element, which Parley's CSP refuses.
      uiConfig: { layout: 'BaseLayout' },
    });
    await reference.ready();
    return reference;
  }
}

/** Headers of the inner answer that belong to its own (never made) connection. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date']);
