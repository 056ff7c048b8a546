// GET /docs/asyncapi.yaml: the AsyncAPI document of every socket and frame (docs/asyncapi.yaml
// of the package), for people and tools writing a client.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { NOT_FOUND } from './errors.js';
import { publicDirectory } from './web.js';

/** docs/asyncapi.yaml beside dist/ in the package, whether the server runs from src/ or dist/src/. */
export function asyncApiFile(): string {
  return path.join(publicDirectory(), '..', '..', 'docs', 'asyncapi.yaml');
}

export function socketDocsRoutes(file = asyncApiFile()): FastifyPluginAsync {
  return async (app) => {
    app.get('/docs/asyncapi.yaml', async (_request, reply) => {
      let document: Buffer;
      try {
        document = await fs.readFile(file);
      } catch {
        throw NOT_FOUND;
      }
      return reply.type('application/yaml').header('cache-control', 'no-cache').send(document);
    });
  };
}
