// Every client error is a 4xx with a JSON body; bodies follow the originals' shapes
// ({"detail": …} and {"<field>": ["…"]}) and carry a stable `code` where the shape allows. The
// core's refusals are worded by the dialect whose route refused (see errorHandler).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CoreError, isStoreUnavailable, problem, ValidationError } from '../core/errors.js';
import type { Wording } from '../dialects/wording.js';
import { NOT_BLANK } from './schemas.js';

/** The `code` of a {"detail": …} body, by the status of the core's refusal. */
const BODY_CODE: Readonly<Record<number, string>> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'throttled',
};

/** An HTTP-level refusal with a DRF-style body. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.detail ?? 'http error'));
    this.name = 'HttpError';
  }
}

/** The originals' (DRF's) answer for anything that does not exist. */
export const NOT_FOUND = new HttpError(404, { detail: 'Not found.', code: 'not_found' });

export const NOT_AUTHENTICATED = new HttpError(401, {
  detail: 'Authentication credentials were not provided.',
  code: 'not_authenticated',
});
export const INVALID_TOKEN = new HttpError(401, { detail: 'Invalid token.', code: 'authentication_failed' });
/** Both dialects' originals are DRF: one body serves both. */
export const CROSS_SITE = new HttpError(403, { detail: 'Cross-site request refused: it must come from a Parley page.', code: 'cross_site' });

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: { missingProperty?: string; limit?: number; pattern?: string };
}

type ErrorHandler = (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * The error handler of a dialect's routes, wording the core's refusals with `wording`; routes
 * outside every dialect (health, pages) answer with Django REST framework's words.
 */
export function errorHandler(wording: Wording): ErrorHandler {
  return (error, request, reply) => {
    if (error instanceof CoreError) {
      void sendRefusal(reply, error, wording);
      return;
    }
    handleOther(error, request, reply, wording);
  };
}

function sendRefusal(reply: FastifyReply, error: CoreError, wording: Wording): FastifyReply {
  if (error instanceof ValidationError) return reply.status(error.status).send(wording.fields(error.fields));
  if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.status(error.status).send({ detail: wording.error(error), code: BODY_CODE[error.status] });
}

function handleOther(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply, wording: Wording): void {
  if (error instanceof HttpError) {
    void reply.status(error.statusCode).send(error.body);
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    void reply.status(400).send(fieldErrors(fastifyError.validation as AjvIssue[], wording));
    return;
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    void reply.status(status).send({ detail: clientMessage(fastifyError), code: 'bad_request' });
    return;
  }
  if (isStoreUnavailable(error)) {
    request.log.warn({ err: error }, 'store unavailable');
    void reply.status(503).send({ detail: 'The database is unavailable; try again shortly.', code: 'store_unavailable' });
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send({ detail: 'The server failed to handle this request.', code: 'internal' });
}

function clientMessage(error: FastifyError): string {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'Unsupported media type: send JSON.';
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'Request body is too large.';
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'JSON parse error - the body is empty.';
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return 'JSON parse error - the body is not valid JSON.';
  }
  return error.message;
}

/** Schema failures in the originals' field-error shape: {"msg_to": ["This field is required."]}. */
function fieldErrors(issues: AjvIssue[], wording: Wording): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    const missing = issue.params?.missingProperty;
    const field = missing ?? (issue.instancePath?.replace(/^\//, '').replace(/\//g, '.') || 'non_field_errors');
    (fields[field] ??= []).push(issueMessage(issue, wording));
  }
  return fields;
}

/** A schema failure in the dialect's words where the core has the same rule, else DRF's or Ajv's. */
function issueMessage(issue: AjvIssue, wording: Wording): string {
  switch (issue.keyword) {
    case 'required':
      return wording.problem(problem('FIELD_REQUIRED'));
    case 'type':
      return `Not a valid ${issue.message?.replace(/^must be /, '') ?? 'value'}.`;
    case 'maxLength':
      return wording.problem(problem('FIELD_TOO_LONG', { max: issue.params?.limit ?? 0 }));
    case 'maxItems':
      return `Ensure this field has no more than ${issue.params?.limit} elements.`;
    case 'pattern':
      if (issue.params?.pattern === NOT_BLANK) return wording.problem(problem('FIELD_BLANK'));
  }
  return `Invalid value: ${issue.message ?? 'rejected'}.`;
}
