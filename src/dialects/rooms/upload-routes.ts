// Uploads to a room and /media/, where the uploaded files are served. Only the upload route
// takes a multipart body; this plugin's scope keeps that parser away from every other route.
import type { Readable } from 'node:stream';
import multipart, { type Multipart } from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/core.js';
import { servedAs } from '../../core/file-types.js';
import { CoreError, problem, type ErrorCode } from '../../core/errors.js';
import type { ReceivedFile } from '../../core/uploads.js';
import { caller, requireCaller } from '../../http/app.js';
import { answers, AUTHENTICATED, Nullable } from '../../http/schemas.js';
import { HttpError, NOT_FOUND } from '../../http/errors.js';
import { pathId, restContext, type RoomsHttpOptions } from './http.js';
import { absolute } from './render.js';
import { CLIENT_ID, CLIENT_ID_RULE } from './decode.js';
import { RoomParams } from './schemas.js';
import { ROOMS_WORDING } from './wording.js';

/** The refusals of a file itself, answered as a field error on `attachment`. */
const FILE_REFUSALS: ReadonlySet<ErrorCode> = new Set(['FILE_TOO_LARGE', 'NOT_A_MEDIA_TYPE', 'FILE_TYPE_UNKNOWN', 'FILE_TYPE_REFUSED']);

/**
 * The multipart parts, as the OpenAPI document states them. They are read as they stream (the
 * file is never held in memory), so this schema documents the route and does not validate it.
 */
const UploadParts = Type.Object({
  attachment: Type.String({ format: 'binary', description: 'The one file' }),
  content: Type.Optional(Type.String({ description: 'The message text' })),
  parent_message: Type.Optional(Type.String({ description: 'The id of the message this one answers' })),
  client_id: Type.Optional(
    Type.String({
      pattern: CLIENT_ID.source,
      description:
        "Parley's addition: the client's id for this message, as send_message's. An upload repeating the sender's client id in this room (a retry after a lost answer) stores no second file and is not broadcast again; the answer is the first message's.",
    }),
  ),
});

const uploadSchema = {
  tags: ['rooms'],
  summary: 'Posts a message with a file to a room',
  security: AUTHENTICATED,
  params: RoomParams,
  response: answers({
    201: Type.Object({ content: Type.String(), attachment: Nullable(Type.String()), parent_message: Nullable(Type.Integer()) }),
  }),
};

const mediaSchema = {
  tags: ['rooms'],
  summary: 'An uploaded file, at the address its message gave (Range, ETag and conditional requests)',
  params: Type.Object({ key: Type.String(), name: Type.String() }),
  response: answers({
    200: { description: 'The file, typed from its name', content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } } },
    206: { description: 'The requested range of the file', content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } } },
  }),
};

export function uploadRoutes(core: Core, options: RoomsHttpOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(multipart, {
      // One byte over the limit is enough to know the file is too large.
      limits: { fileSize: core.uploads.limits.maxBytes + 1, files: 1, fields: 10, fieldSize: 70_000, parts: 20 },
    });
    // Ranges (a video can be seeked), ETag and conditional requests for /media/.
    await app.register(fastifyStatic, { root: core.uploads.directory, serve: false, suppressWarning: true });

    app.post(
      '/api/chat/groups/:id/messages/upload/',
      {
        schema: uploadSchema,
        config: { swaggerTransform: ({ schema, url }) => ({ url, schema: { ...schema, consumes: ['multipart/form-data'], body: UploadParts } }) },
        // Membership is checked before a byte of the file is read.
        preValidation: async (request) => {
          await requireCaller(request);
          const me = caller(request);
          const roomId = pathId(request.params.id);
          await core.uploads.requireMember({ actor: me, conversationId: roomId, kind: 'room' });
        },
      },
      async (request, reply) => {
        const me = caller(request);
        const roomId = pathId(request.params.id);
        if (!request.isMultipart()) throw new HttpError(400, { attachment: ['Send the file as multipart/form-data.'] });
        const release = core.uploads.reserve(me.id);
        // The file on disk until its message is stored; whatever goes wrong before, it is removed.
        let file: ReceivedFile | undefined;
        try {
          const fields: Record<string, string> = {};
          for await (const part of wellFormedParts(request)) {
            if (part.type === 'file') {
              if (part.fieldname !== 'attachment' || file) {
                await skipPart(part.file);
                throw new HttpError(400, { [part.fieldname]: ['Only one file, in the field "attachment", is accepted.'] });
              }
              file = await core.uploads.receive(wholePart(part.file), part.filename, part.mimetype);
            } else if (typeof part.value === 'string') {
              fields[part.fieldname] = part.value;
            }
          }
          if (!file) throw new HttpError(400, { attachment: ['No file was submitted.'] });
          const rawParent = fields.parent_message ?? '';
          if (rawParent !== '' && rawParent !== 'null' && !/^\d{1,15}$/.test(rawParent)) {
            throw new HttpError(400, { parent_message: ['Incorrect type. Expected pk value.'] });
          }
          const parentId = rawParent === '' || rawParent === 'null' ? null : Number(rawParent);
          const clientId = fields.client_id;
          if (clientId !== undefined && !CLIENT_ID.test(clientId)) throw new HttpError(400, { client_id: [`This field ${CLIENT_ID_RULE}`] });
          const detail = await core.uploads.post({ actor: me, conversationId: roomId, kind: 'room', file, body: fields.content ?? '', parentId, clientId });
          file = undefined;
          const context = await restContext(request, core, options, me.id);
          return reply.status(201).send({
            content: detail.body,
            attachment: absolute(context.baseUrl, detail.attachment),
            parent_message: detail.record.parentId,
          });
        } catch (error) {
          throw uploadRefusal(error, core.uploads.limits.maxBytes);
        } finally {
          if (file) await core.uploads.discard(file);
          release();
        }
      },
    );

    // Uploaded files, at an unguessable address (as the original's public Cloudinary URLs), with
    // a type from Parley's own table, never inline unless an image, sound or video, and sandboxed.
    // Revalidated on every use (ETag), so that a deleted file stops showing at once.
    app.get('/media/:key/:name', { schema: mediaSchema }, async (request, reply) => {
      const record = await core.uploads.attachment(request.params.key);
      if (!record) throw NOT_FOUND;
      const { contentType, inline } = servedAs(record.contentType);
      return reply
        .header('content-type', contentType)
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('cache-control', 'private, no-cache')
        .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${record.fileName}"`)
        .sendFile(record.key, { contentType: false, cacheControl: false });
    });
  };
}

const CUT_SHORT = new HttpError(400, { attachment: ['The upload was cut short or is not well-formed multipart/form-data.'] });

/**
 * The request's parts. A body that is no well-formed multipart (no boundary, cut short) or whose
 * client went away is the client's fault, a 400; the parser's own refusals (limits: 413) keep
 * their status.
 */
async function* wellFormedParts(request: FastifyRequest): AsyncGenerator<Multipart> {
  // A client gone before the body is read (while membership was checked, say) would never end
  // the parser: it listens for the request's close, which has already happened.
  if (request.raw.destroyed) throw CUT_SHORT;
  const parts = request.parts();
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      throw status !== undefined && status < 500 ? error : CUT_SHORT;
    }
    if (next.done) return;
    yield next.value;
  }
}

/**
 * A file part's bytes, refused (400) when the body ends or the client goes before the part does.
 * The parser may have given up on the part before it is read: a stream that was destroyed after
 * its error was emitted never settles a pipeline, so that is checked first.
 */
async function* wholePart(file: Readable): AsyncGenerator<Buffer> {
  if (file.destroyed && !file.readableEnded) throw CUT_SHORT;
  try {
    for await (const chunk of file) yield chunk as Buffer;
  } catch {
    throw CUT_SHORT;
  }
}

/** Reads a part to its end, unkept, so that the parser goes on to the next one. */
async function skipPart(file: Readable): Promise<void> {
  const parts = wholePart(file);
  while (!(await parts.next()).done);
}

/** The HTTP answer to an upload that was refused: 413 for size, 415 for type. */
function uploadRefusal(error: unknown, maxBytes: number): unknown {
  if (error instanceof CoreError && FILE_REFUSALS.has(error.code)) {
    return new HttpError(error.status, { attachment: [ROOMS_WORDING.error(error)] });
  }
  if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
    return new HttpError(413, { attachment: [ROOMS_WORDING.problem(problem('FILE_TOO_LARGE', { maxBytes }))] });
  }
  return error;
}
