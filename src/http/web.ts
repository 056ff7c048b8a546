// The browser client: its page at `/`, its built assets under /assets/ (dist/public/, made by
// `npm run build`), and `/web/me`, which tells a page whose session cookie it carries.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AUTHENTICATED } from './api-docs.js';
import { caller, requireCaller } from './app.js';
import { answers, HTML_PAGE, Nullable } from './schemas.js';

/** esbuild's content hash in a file name (`main-4F2KX7QA.js`): such a file never changes. */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** The package's directory (where package.json is), whether the server runs from src/ (tests) or dist/src/. */
export function packageDirectory(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the server sources');
    dir = parent;
  }
  return dir;
}

/** dist/public of the package, made by `npm run build`. */
export function publicDirectory(): string {
  return path.join(packageDirectory(), 'dist', 'public');
}

const assetSchema = {
  tags: ['web'],
  summary: "The web client's scripts, styles and pictures (ETag, conditional requests)",
  response: answers({ 200: { description: 'The file', content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } } } }),
};

const indexSchema = {
  tags: ['web'],
  summary: 'The web client',
  response: { 200: HTML_PAGE, 503: { description: 'The client is not built', content: { 'text/plain': { schema: Type.String() } } } },
};

const meSchema = {
  tags: ['web'],
  summary: 'Who the session cookie (or key) is',
  security: AUTHENTICATED,
  response: answers({
    200: Type.Object({
      id: Type.Integer(),
      email: Type.String(),
      username: Type.String(),
      phone: Nullable(Type.String()),
      first_name: Type.String(),
      last_name: Type.String(),
    }),
  }),
};

export function webRoutes(directory = publicDirectory()): FastifyPluginAsyncTypebox {
  return async (app) => {
    // @fastify/static adds its route without a schema (hidden from the document): this gives it one.
    app.addHook('onRoute', (route) => {
      if (route.url === '/assets/*') route.schema = assetSchema;
    });
    // Dotfiles and paths outside the directory are not found (@fastify/send), nor is a directory.
    await app.register(fastifyStatic, {
      root: path.join(directory, 'assets'),
      prefix: '/assets/',
      dotfiles: 'ignore',
      index: false,
      redirect: false,
      cacheControl: false,
      suppressWarning: true,
      setHeaders: (reply, file) => reply.header('cache-control', HASHED_NAME.test(file) ? IMMUTABLE : REVALIDATE),
    });

    app.get('/', { schema: indexSchema }, async (_request, reply) => {
      if (!existsSync(path.join(directory, 'index.html'))) {
        return reply.status(503).type('text/plain; charset=utf-8').send('The web client is not built: run `npm run build`.\n');
      }
      return reply.header('cache-control', REVALIDATE).sendFile('index.html', directory, { cacheControl: false });
    });

    app.get('/web/me', { preValidation: requireCaller, schema: meSchema }, async (request) => {
      const me = caller(request);
      return { id: me.id, email: me.email, username: me.username, phone: me.phone, first_name: me.firstName, last_name: me.lastName };
    });
  };
}
