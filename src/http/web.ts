// The browser client: its page at `/`, its built assets under /assets/ (dist/public/, made by
// `npm run build`), and `/web/me`, which tells a page whose session cookie it carries.
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { caller, requireCaller } from './app.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
/** An asset name: one path segment of safe characters, so nothing outside the directory is reachable. */
const ASSET_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.[a-z]+$/;
/** esbuild's content hash in a file name (`main-4F2KX7QA.js`): such a file never changes. */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z]+$/;

/** dist/public of the package, whether the server runs from src/ (tests) or dist/src/. */
export function publicDirectory(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the server sources');
    dir = parent;
  }
  return path.join(dir, 'dist', 'public');
}

async function sendFile(reply: FastifyReply, file: string, cacheControl: string): Promise<FastifyReply> {
  let body: Buffer;
  try {
    body = await fs.readFile(file);
  } catch {
    return reply.status(404).send({ detail: 'Not found.', code: 'not_found' });
  }
  return reply
    .header('content-type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
    .header('cache-control', cacheControl)
    .header('x-content-type-options', 'nosniff')
    .send(body);
}

export function webRoutes(directory = publicDirectory()): FastifyPluginAsync {
  return async (app) => {
    app.get('/', async (_request, reply) => {
      if (!existsSync(path.join(directory, 'index.html'))) {
        return reply.status(503).type('text/plain; charset=utf-8').send('The web client is not built: run `npm run build`.\n');
      }
      return sendFile(reply, path.join(directory, 'index.html'), 'no-cache');
    });

    app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
      const { name } = request.params;
      if (!ASSET_NAME.test(name)) return reply.status(404).send({ detail: 'Not found.', code: 'not_found' });
      const cache = HASHED_NAME.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache';
      return sendFile(reply, path.join(directory, 'assets', name), cache);
    });

    app.get('/web/me', { preValidation: requireCaller }, async (request) => {
      const me = caller(request);
      return { id: me.id, email: me.email, username: me.username, phone: me.phone, first_name: me.firstName, last_name: me.lastName };
    });
  };
}
