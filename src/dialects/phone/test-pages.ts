// The original's test pages (notes §7), served by Parley: /chat/ links to the others, which open
// the receive socket and one send socket and have a button per command. The phones come in
// `json_script` elements as in the original templates; the sockets authenticate with the session
// cookie, so a page without a session sends its visitor to the client's log-in at `/`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { HTML_PAGE } from '../../http/schemas.js';

type PageKind = 'index' | 'personal' | 'group' | 'room';

/** A value in a `<script type="application/json">` element, escaped as Django's json_script does. */
function jsonScript(id: string, value: string): string {
  const json = JSON.stringify(value).replace(/</g, '\\u003C').replace(/>/g, '\\u003E').replace(/&/g, '\\u0026');
  return `<script id="${id}" type="application/json">${json}</script>`;
}

function page(kind: PageKind, title: string, values: Record<string, string>): string {
  const data = Object.entries(values)
    .map(([id, value]) => jsonScript(id, value))
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/assets/chat-pages.css">
</head>
<body data-page="${kind}">
${data}
<main id="page"></main>
<script type="module" src="/assets/chat-pages.js"></script>
</body>
</html>
`;
}

/**
 * The longest `next` the log-in redirect carries. Encoding can nearly triple a URL that Node
 * accepted (16 KiB), and a Location over 16 KiB is refused by clients (undici, Node's own);
 * no real page address comes near this.
 */
const MAX_NEXT_LENGTH = 4096;

/** The pages need a session: without one the visitor logs in first and comes back. */
function withSession(request: FastifyRequest, reply: FastifyReply, html: () => string): FastifyReply {
  if (!request.account) {
    const next = encodeURIComponent(request.url);
    return reply.redirect(next.length <= MAX_NEXT_LENGTH ? `/?next=${next}` : '/');
  }
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html());
}

/** A test page's route: its page, or a redirect to the log-in without a session. */
function pageSchema<Parts extends { params?: TSchema }>(summary: string, parts: Parts) {
  return { tags: ['phone'], summary, ...parts, response: { 200: HTML_PAGE, 302: { description: 'No session: to the log-in at `/`, and back' } } };
}

const phone = Type.String({ description: 'A phone' });

export function testPages(): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/chat/', { schema: pageSchema('The test pages: links to the others', {}) }, async (request, reply) =>
      withSession(request, reply, () => page('index', 'Parley test pages', {})),
    );
    app.get(
      '/chat/personal/:from/:to/',
      { schema: pageSchema('Test page of a dialogue', { params: Type.Object({ from: phone, to: phone }) }) },
      async (request, reply) =>
        withSession(request, reply, () => page('personal', 'Personal chat', { msg_from: request.params.from, msg_to: request.params.to })),
    );
    app.get(
      '/chat/group/:from/:grp/',
      { schema: pageSchema('Test page of a group', { params: Type.Object({ from: phone, grp: Type.String({ description: "The group's key" }) }) }) },
      async (request, reply) => withSession(request, reply, () => page('group', 'Group chat', { msg_from: request.params.from, grp: request.params.grp })),
    );
    app.get('/chat/room/:from/', { schema: pageSchema('Test page of my match room', { params: Type.Object({ from: phone }) }) }, async (request, reply) =>
      withSession(request, reply, () => page('room', 'Room chat', { msg_from: request.params.from })),
    );
  };
}
