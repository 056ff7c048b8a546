// The HTTP API described, for people and tools writing a client: GET /docs/openapi.json, the
// OpenAPI 3.1 document @fastify/swagger makes from every route's own schema, and /docs/api/, a
// page to read it (Swagger UI, its scripts and styles served from Parley under Parley's CSP).
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { packageDirectory } from './web.js';

export const OPENAPI_PATH = '/docs/openapi.json';
export const API_PAGE_PATH = '/docs/api/';

/** Who a route accepts: an account's key in the header, or the web client's session cookie. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [{ token: [] }, { session: [] }];

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

export function apiDocsRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      OPENAPI_PATH,
      { schema: { tags: ['docs'], summary: 'This OpenAPI document', response: { 200: Type.Object({}, { additionalProperties: true }) } } },
      async (_request, reply) => reply.header('cache-control', 'no-cache').send(app.swagger()),
    );
    await app.register(fastifySwaggerUi, {
      routePrefix: API_PAGE_PATH.replace(/\/$/, ''),
      // Without the top bar: its logo is an SVG with a <style> element, which Parley's CSP refuses.
      uiConfig: { layout: 'BaseLayout' },
    });
  };
}
