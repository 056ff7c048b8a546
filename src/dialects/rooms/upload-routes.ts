// Uploads to a room and /media/, where the uploaded files are served. Only the upload route
// takes a multipart body; this plugin's scope keeps that parser away from every other route.
import { finished } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/core.js';
import { servedAs } from '../../core/file-types.js';
import { UploadRefused, type ReceivedFile } from '../../core/rooms.js';
import { caller, requireCaller } from '../../http/app.js';
import { AUTHENTICATED } from '../../http/api-docs.js';
import { HttpError, NOT_FOUND } from '../../http/errors.js';
import { answers, Nullable } from '../../http/schemas.js';
import { pathId, restContext, type RoomsHttpOptions } from './http.js';
import { absolute } from './render.js';
import { RoomParams } from './schemas.js';

/**
 * The multipart parts, as the OpenAPI document states them. They are read as they stream (the
 * file is never held in memory), so this schema documents the route and does not validate it.
 */
const UploadParts = Type.Object({
  attachment: Type.String({ format: 'binary', description: 'The one file' }),
  content: Type.Optional(Type.String({ description: 'The message text' })),
  parent_message: Type.Optional(Type.String({ description: 'The id of the message this one answers' })),
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
      limits: { fileSize: core.rooms.uploadLimits.maxBytes + 1, files: 1, fields: 10, fieldSize: 70_000, parts: 20 },
    });
    // Ranges (a video can be seeked), ETag and conditional requests for /media/.
    await app.register(fastifyStatic, { root: core.rooms.attachmentDirectory, serve: false, suppressWarning: true });

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
          await core.rooms.requireMember(me, roomId);
        },
      },
      async (request, reply) => {
        const me = caller(request);
        const roomId = pathId(request.params.id);
        if (!request.isMultipart()) throw new HttpError(400, { attachment: ['Send the file as multipart/form-data.'] });
        const release = core.rooms.reserveUpload(me);
        // The file on disk until its message is stored; whatever goes wrong before, it is removed.
        let file: ReceivedFile | undefined;
        try {
          const fields: Record<string, string> = {};
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              if (part.fieldname !== 'attachment' || file) {
                part.file.resume();
                await finished(part.file);
                throw new HttpError(400, { [part.fieldname]: ['Only one file, in the field "attachment", is accepted.'] });
              }
              file = await core.rooms.receiveFile(part.file, part.filename, part.mimetype);
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
          const detail = await core.rooms.upload(me, roomId, { file, body: fields.content ?? '', parentId });
          file = undefined;
          const context = await restContext(request, core, options, me.id);
          return reply.status(201).send({
            content: detail.body,
            attachment: absolute(context.baseUrl, detail.attachment),
            parent_message: detail.record.parentId,
          });
        } catch (error) {
          throw uploadRefusal(error, core.rooms.uploadLimits.maxBytes);
        } finally {
          if (file) await core.rooms.discardFile(file);
          release();
        }
      },
    );

    // Uploaded files, at an unguessable address (as the original's public Cloudinary URLs), with
    // a type from Parley's own table, never inline unless an image, sound or video, and sandboxed.
    // Revalidated on every use (ETag), so that a deleted file stops showing at once.
    app.get('/media/:key/:name', { schema: mediaSchema }, async (request, reply) => {
      const record = await core.rooms.attachment(request.params.key);
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

/** The HTTP answer to an upload that was refused: 413 for size, 415 for type. */
function uploadRefusal(error: unknown, maxBytes: number): unknown {
  if (error instanceof UploadRefused) return new HttpError(error.reason === 'too_large' ? 413 : 415, { attachment: [error.message] });
  if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
    return new HttpError(413, { attachment: [`The file is larger than ${maxBytes} bytes.`] });
  }
  return error;
}
