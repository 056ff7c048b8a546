// The AsyncAPI document of the sockets is served by the server itself, as the package has it.
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRF_WORDING } from '../../src/dialects/wording.js';
import { errorHandler } from '../../src/http/errors.js';
import { socketDocsRoutes } from '../../src/http/socket-docs.js';
import { request, signup } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';

const document = fs.readFileSync(fileURLToPath(new URL('../../docs/asyncapi.yaml', import.meta.url)), 'utf8');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('GET /docs/asyncapi.yaml', () => {
  it('serves docs/asyncapi.yaml byte for byte as application/yaml, to anyone', async () => {
    const result = await request(server, 'GET', '/docs/asyncapi.yaml');
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('application/yaml');
    expect(result.headers.get('cache-control')).toBe('no-cache');
    expect(result.text).toBe(document);
    expect(result.text).toMatch(/^asyncapi: 3\.0\.0$/m);
  });

  it('answers a conditional request with 304 (ETag from @fastify/static)', async () => {
    const first = await request(server, 'GET', '/docs/asyncapi.yaml');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^(W\/)?"/);
    // node:http, not fetch: fetch adds `cache-control: no-cache` to a conditional request.
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(`${server.url}/docs/asyncapi.yaml`, { headers: { 'if-none-match': etag ?? '' } }, (response) => resolve(response.resume().statusCode ?? 0))
        .on('error', reject);
    });
    expect(status).toBe(304);
  });

  it('serves the same to a caller with credentials', async () => {
    const user = await signup(server);
    const result = await request(server, 'GET', '/docs/asyncapi.yaml', { token: user.token });
    expect(result.status).toBe(200);
    expect(result.text).toBe(document);
  });
});

describe('a package without docs/asyncapi.yaml', () => {
  it('answers 404 in the usual shape, not 500', async () => {
    const app = Fastify();
    app.setErrorHandler(errorHandler(DRF_WORDING));
    await app.register(socketDocsRoutes('/nonexistent/docs/asyncapi.yaml'));
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const response = await fetch(`${url}/docs/asyncapi.yaml`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
    } finally {
      await app.close();
    }
  });
});
