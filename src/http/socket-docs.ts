// GET /docs/asyncapi.yaml: the AsyncAPI document of every socket and frame (docs/asyncapi.yaml
// of the package), for people and tools writing a client.
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { packageDirectory, sendFile } from './web.js';

export function socketDocsRoutes(file = path.join(packageDirectory(), 'docs', 'asyncapi.yaml')): FastifyPluginAsync {
  return async (app) => {
    app.get('/docs/asyncapi.yaml', async (_request, reply) => sendFile(reply, file, 'no-cache'));
  };
}
