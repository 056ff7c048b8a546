// The AsyncAPI document of the sockets is served by the server itself, as the package has it.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect(result.headers.get('x-content-type-options')).toBe('nosniff');
    expect(result.text).toBe(document);
    expect(result.text).toMatch(/^asyncapi: 3\.0\.0$/m);
  });

  it('serves the same to a caller with credentials', async () => {
    const user = await signup(server);
    const result = await request(server, 'GET', '/docs/asyncapi.yaml', { token: user.token });
    expect(result.status).toBe(200);
    expect(result.text).toBe(document);
  });
});
