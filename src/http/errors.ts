// Every client error is a 4xx with a JSON body; bodies follow the originals' shapes
// ({"detail": …} and {"<field>": ["…"]}) and carry a stable `code` where the shape allows.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NOT_BLANK } from './schemas.js';
import { DomainError, isStoreUnavailable, Throttled, ValidationError, type ErrorCode } from '../core/errors.js';

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  throttled: 429,
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

export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof HttpError) {
    void reply.status(error.statusCode).send(error.body);
    return;
  }
  if (error instanceof ValidationError) {
    void reply.status(400).send(error.fields);
    return;
  }
  if (error instanceof Throttled) {
    void reply.status(429).header('retry-after', String(error.retryAfterSeconds)).send({ detail: error.message, code: error.code });
    return;
  }
  if (error instanceof DomainError) {
    void reply.status(STATUS[error.code]).send({ detail: error.message, code: error.code });
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    void reply.status(400).send(fieldErrors(fastifyError.validation as AjvIssue[]));
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
function fieldErrors(issues: AjvIssue[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    const missing = issue.params?.missingProperty;
    const field = missing ?? (issue.instancePath?.replace(/^\//, '').replace(/\//g, '.') || 'non_field_errors');
    (fields[field] ??= []).push(issueMessage(issue));
  }
  return fields;
}

/** The original's (DRF's) words where it had some for the same rule. */
function issueMessage(issue: AjvIssue): string {
  switch (issue.keyword) {
    case 'required':
      return 'This field is required.';
    case 'type':
      return `Not a valid ${issue.message?.replace(/^must be /, '') ?? 'value'}.`;
    case 'maxLength':
      return `Ensure this field has no more than ${issue.params?.limit} characters.`;
    case 'maxItems':
      return `Ensure this field has no more than ${issue.params?.limit} elements.`;
    case 'pattern':
      if (issue.params?.pattern === NOT_BLANK) return 'This field may not be blank.';
  }
  return `Invalid value: ${issue.message ?? 'rejected'}.`;
}
