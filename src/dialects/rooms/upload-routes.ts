// Uploads to a room and /media/, where the uploaded files are served. Only the upload route
// takes a multipart body; this plugin's scope keeps that parser away from every other route.
import fs from 'node:fs';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/core.js';
import { UploadRefused } from '../../core/rooms.js';
import { caller, requireCaller } from '../../http/app.js';
import { HttpError, NOT_FOUND } from '../../http/errors.js';
import { pathId, restContext, type RoomsHttpOptions } from './http.js';
import { absolute } from './render.js';

interface RoomParams {
  id: string;
}

export function uploadRoutes(core: Core, options: RoomsHttpOptions): FastifyPluginAsync {
  return async (app) => {
    await app.register(multipart, {
      // One byte over the limit is enough to know the file is too large.
      limits: { fileSize: core.rooms.uploadLimits.maxBytes + 1, files: 1, fields: 10, fieldSize: 70_000, parts: 20 },
    });

    app.post<{ Params: RoomParams }>(
      '/api/chat/groups/:id/messages/upload/',
      {
        // Membership is checked before a byte of the file is read.
        preValidation: async (request) => {
          await requireCaller(request);
          const me = caller(request);
          const roomId = pathId((request.params as RoomParams).id);
          await core.rooms.requireMember(me, roomId);
        },
      },
      async (request, reply) => {
        const me = caller(request);
        const roomId = pathId(request.params.id);
        if (!request.isMultipart()) throw new HttpError(400, { attachment: ['Send the file as multipart/form-data.'] });
        let file: { bytes: Buffer; fileName: string; contentType: string } | undefined;
        const fields: Record<string, string> = {};
        try {
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              if (part.fieldname !== 'attachment' || file) {
                await part.toBuffer();
                throw new HttpError(400, { [part.fieldname]: ['Only one file, in the field "attachment", is accepted.'] });
              }
              file = { bytes: await part.toBuffer(), fileName: part.filename, contentType: part.mimetype };
            } else if (typeof part.value === 'string') {
              fields[part.fieldname] = part.value;
            }
          }
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === 'FST_REQ_FILE_TOO_LARGE') {
            throw new HttpError(413, { attachment: [`The file is larger than ${core.rooms.uploadLimits.maxBytes} bytes.`] });
          }
          throw error;
        }
        if (!file) throw new HttpError(400, { attachment: ['No file was submitted.'] });
        const rawParent = fields.parent_message ?? '';
        if (rawParent !== '' && rawParent !== 'null' && !/^\d{1,15}$/.test(rawParent)) {
          throw new HttpError(400, { parent_message: ['Incorrect type. Expected pk value.'] });
        }
        const parentId = rawParent === '' || rawParent === 'null' ? null : Number(rawParent);
        let detail;
        try {
          detail = await core.rooms.upload(me, roomId, { ...file, body: fields.content ?? '', parentId });
        } catch (error) {
          if (error instanceof UploadRefused) {
            throw new HttpError(error.reason === 'too_large' ? 413 : 415, { attachment: [error.message] });
          }
          throw error;
        }
        const context = await restContext(request, core, options, me.id);
        return reply.status(201).send({
          content: detail.body,
          attachment: absolute(context.baseUrl, detail.attachment),
          parent_message: detail.record.parentId,
        });
      },
    );

    // Uploaded files, at an unguessable address (as the original's public Cloudinary URLs).
    app.get<{ Params: { key: string; name: string } }>('/media/:key/:name', async (request, reply) => {
      const found = await core.rooms.attachment(request.params.key);
      if (!found) throw NOT_FOUND;
      const inline = found.record.contentType.startsWith('image/');
      return reply
        .header('content-type', found.record.contentType)
        .header('content-length', String(found.record.size))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${found.record.fileName}"`)
        .send(fs.createReadStream(found.path));
    });
  };
}
