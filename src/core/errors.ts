// Errors the core raises, each with a stable code that the edges map to a status or close code.

export type ErrorCode = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'throttled';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Input refused field by field: each field names one or more plain sentences. */
export class ValidationError extends DomainError {
  constructor(readonly fields: Record<string, string[]>) {
    super('invalid', Object.entries(fields).map(([field, problems]) => `${field}: ${problems.join(' ')}`).join('; '));
    this.name = 'ValidationError';
  }
}

/** Too many attempts, or too much at once: worth trying again after `retryAfterSeconds`. */
export class Throttled extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('throttled', message);
    this.name = 'Throttled';
  }
}

export const notFound = (what: string): DomainError => new DomainError('not_found', what);
export const forbidden = (why: string): DomainError => new DomainError('forbidden', why);
export const invalid = (why: string): DomainError => new DomainError('invalid', why);

/** Whether an error means the database could not be reached (a 503, not the caller's fault). */
export { isStoreUnavailable } from '../store/records.js';
