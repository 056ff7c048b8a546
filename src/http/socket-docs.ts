// GET /docs/asyncapi.yaml: the AsyncAPI document of every socket and frame (docs/asyncapi.yaml
// of the package), for people and tools writing a client.
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NOT_FOUND } from './errors.js';
import { ErrorBody } from './schemas.js';
import { packageDirectory } from './web.js';

/** docs/asyncapi.yaml of the package, whether the server runs from src/ or dist/src/. */
export function asyncApiFile(): string {
  return path.join(packageDirectory(), 'docs', 'asyncapi.yaml');
}

const schema = {
  tags: ['docs'],
  summary: 'The AsyncAPI 3 document of every socket of both dialects',
  response: {
    200: { description: 'docs/asyncapi.yaml', content: { 'application/yaml': { schema: Type.String() } } },
    404: ErrorBody,
  },
};

export function socketDocsRoutes(file = asyncApiFile()): FastifyPluginAsyncTypebox {
  return async (app) => {
    // ETag, Last-Modified and conditional requests from @fastify/static.
    await app.register(fastifyStatic, { root: path.dirname(file), serve: false, suppressWarning: true });
    app.get('/docs/asyncapi.yaml', { schema }, async (_request, reply) => {
      // Without the file @fastify/static would hand the request to the not-found handler, which
      // answers 405 for a path that has a route.
      if (!existsSync(file)) throw NOT_FOUND;
      return reply
        .type('application/yaml')
        .header('cache-control', 'no-cache')
        .sendFile(path.basename(file), { contentType: false, cacheControl: false });
    });
  };
}
