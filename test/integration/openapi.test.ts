// The OpenAPI document at /docs/openapi.json: every route the server has is in it with the answers
// it gives, and the document is valid OpenAPI 3.1.
import { Validator } from '@seriousme/openapi-schema-validator';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface Operation {
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  parameters?: Array<{ in: string; name: string }>;
}
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>> };

let server: TestServer;
const routes: RouteOptions[] = [];
let document: OpenApi;
beforeAll(async () => {
  // With a metrics token, so that /metrics is one of the routes.
  server = await startTestServer({ metricsToken: 'scraper-token' }, { onRoute: (route) => routes.push(route) });
  const answer = await request(server, 'GET', '/docs/openapi.json');
  expect(answer.status).toBe(200);
  document = answer.body as OpenApi;
});
afterAll(async () => {
  await server.close();
});

/** Fastify's `/api/chat/groups/:id/` as OpenAPI writes it: `/api/chat/groups/{id}/`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_]+)/g, '{$1}').replace(/\*$/, '{*}');
}

/** The documented routes: all but HEAD (Fastify answers it from each GET) and the API page's own files. */
function documentedRoutes(): Array<{ method: string; url: string; route: RouteOptions }> {
  return routes.flatMap((route) =>
    [route.method]
      .flat()
      .filter((method) => method !== 'HEAD' && !route.schema?.hide)
      .map((method) => ({ method: method.toLowerCase(), url: route.url, route })),
  );
}

describe('GET /docs/openapi.json', () => {
  it('is OpenAPI 3.1 and validates', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('hides only the API page files', () => {
    const hidden = routes.filter((route) => route.schema?.hide).map((route) => route.url);
    expect(hidden.length).toBeGreaterThan(0);
    for (const url of hidden) expect(url).toMatch(/^\/docs\/api(\/|$)/);
  });

  it('has every route, with a schema for each answer it documents', () => {
    const documented = documentedRoutes();
    // Both dialects, the operations routes, the web client and these references.
    for (const url of ['/auth/signup/', '/chat/special/group/', '/api/chat/groups/:id/messages/', '/media/:key/:name', '/metrics', '/assets/*', '/docs/asyncapi.yaml']) {
      expect(documented.map((r) => r.url)).toContain(url);
    }
    for (const { method, url } of documented) {
      const operation = document.paths[openApiPath(url)]?.[method];
      expect(operation, `${method.toUpperCase()} ${url}`).toBeDefined();
      const responses = Object.entries(operation?.responses ?? {});
      const successes = responses.filter(([status]) => /^[23]/.test(status));
      expect(successes.length, `${method.toUpperCase()} ${url} answers`).toBeGreaterThan(0);
      for (const [status, response] of successes) {
        expect(response.description, `${method.toUpperCase()} ${url} ${status}`).toBeTruthy();
        // Only a redirect has no body.
        if (status !== '302') expect(Object.values(response.content ?? {}).every((media) => media.schema !== undefined), `${url} ${status}`).toBe(true);
        if (status !== '302') expect(Object.keys(response.content ?? {}).length, `${method.toUpperCase()} ${url} ${status}`).toBeGreaterThan(0);
      }
    }
  });

  it("states each route's path parameters, query and body as the route validates them", () => {
    for (const { method, url, route } of documentedRoutes()) {
      const operation = document.paths[openApiPath(url)]?.[method];
      const inPath = [...url.matchAll(/:([A-Za-z_]+)/g)].map((match) => match[1]);
      const parameters = operation?.parameters ?? [];
      for (const name of inPath) expect(parameters, `${url} {${name}}`).toContainEqual(expect.objectContaining({ in: 'path', name }));
      if (route.schema?.body) expect(operation?.requestBody?.content?.['application/json']?.schema, `${method} ${url} body`).toBeDefined();
      const query = route.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
      for (const name of Object.keys(query?.properties ?? {})) {
        expect(parameters, `${url} ?${name}`).toContainEqual(expect.objectContaining({ in: 'query', name }));
      }
    }
  });

  it('describes the bodies read field by field too: group creation and uploads', () => {
    expect(document.paths['/chat/special/group/']?.post?.requestBody?.content?.['application/json']?.schema).toBeDefined();
    expect(document.paths['/api/chat/groups/{id}/messages/upload/']?.post?.requestBody?.content?.['multipart/form-data']?.schema).toBeDefined();
  });
});
