// Every refusal the core raises, in one registry (as Fastify's lib/errors.js): a stable code, its
// default HTTP status, and a sentence in the domain's words. The core throws `coreError(code,
// params)`; each dialect words a code its own way (src/dialects/wording.ts), so the sentences here
// are only what an edge without wording of its own shows. Field names in params and in
// ValidationError are the domain's (phone, firstName, clientSentAt…); dialects rename them.

import { ReferenceGone } from '../store/records.js';

interface Definition<P> {
  status: number;
  sentence: (params: P) => string;
  /** For refusals worth retrying: after how many seconds. */
  retryAfter?: (params: P) => number;
}

const define = <P = void>(status: number, sentence: (params: P) => string, retryAfter?: (params: P) => number): Definition<P> => ({
  status,
  sentence,
  retryAfter,
});

/** A code with its params, as the registry's own entries refer to one (see Problem). */
interface Coded {
  readonly code: string;
  readonly params: unknown;
}

export const ERRORS = {
  // Input refused field by field; `fields` maps each domain field name to its problems.
  FIELDS_INVALID: define<{ fields: Readonly<Record<string, readonly Coded[]>> }>(400, ({ fields }) =>
    Object.entries(fields)
      .map(([field, problems]) => `${field}: ${problems.map(sentence).join(' ')}`)
      .join('; '),
  ),
  FIELD_REQUIRED: define(400, () => 'required'),
  FIELD_NOT_TEXT: define(400, () => 'must be text'),
  FIELD_BLANK: define(400, () => 'must not be blank'),
  FIELD_TOO_LONG: define<{ max: number }>(400, ({ max }) => `at most ${max} characters`),
  EMAIL_INVALID: define(400, () => 'not an e-mail address'),
  USERNAME_INVALID: define(400, () => 'letters, digits and @ . + - _ only'),
  PASSWORD_TOO_SHORT: define<{ min: number }>(400, ({ min }) => `at least ${min} characters`),
  PHONE_INVALID: define(400, () => 'ten digits'),
  TAKEN: define<{ entity: 'account' | 'room'; field: string }>(400, ({ entity, field }) => `another ${entity} has this ${field}`),
  GROUP_TOO_LARGE: define<{ max: number }>(400, ({ max }) => `a group holds at most ${max} participants, admins included`),
  ACCOUNT_UNKNOWN: define<{ id: number }>(400, ({ id }) => `account ${id} cannot be added`),
  TEXT_NULL: define(400, () => 'holds a null character'),
  TEXT_SURROGATE: define<{ codePoint: number }>(400, ({ codePoint }) => `holds the lone surrogate ${codePointName(codePoint)}`),
  TEXT_UNSTORABLE: define<{ field: string; problem: Coded }>(400, ({ field, problem }) => `${field}: ${sentence(problem)}`),

  CONVERSATION_NOT_FOUND: define(404, () => 'no such conversation'),
  NOT_A_MEMBER: define(403, () => 'you are not a member of this conversation'),
  DIALOGUE_WITH_SELF: define(400, () => 'a dialogue needs two different accounts'),
  DIALOGUE_NOT_FOUND: define(404, () => 'there is no dialogue between these two accounts'),
  MATCH_WITH_SELF: define(400, () => 'a match needs two different accounts'),
  GRADE_UNKNOWN: define<{ like: string; dislike: string }>(400, ({ like, dislike }) => `a grade is "${like}" or "${dislike}"`),
  INSTANT_INVALID: define<{ field: string }>(400, ({ field }) => `${field} must be a date and time such as 2020-11-21 16:32:17.356`),
  MESSAGE_TOO_LONG: define<{ max: number }>(400, ({ max }) => `a message may hold at most ${max} characters`),
  MESSAGE_TYPE_UNKNOWN: define<{ types: readonly string[] }>(400, ({ types }) => `a message type is one of ${types.join(', ')}`),
  TOO_MANY_MENTIONS: define<{ max: number }>(400, ({ max }) => `a message may mention at most ${max} members`),
  REACTION_UNKNOWN: define<{ reactions: readonly string[] }>(400, ({ reactions }) => `a reaction is one of ${reactions.join(', ')}`),
  PARENT_NOT_FOUND: define(404, () => 'the replied-to message is not in this conversation'),
  MESSAGE_NOT_FOUND: define(404, () => 'no such message in this conversation'),
  MESSAGE_DELETED: define(409, () => 'the message was deleted'),
  NOT_AUTHOR: define(403, () => 'only its author can change a message'),
  SEARCH_WITHOUT_WORDS: define(400, () => 'a search needs at least one word of letters or digits'),
  PIN_LIMIT: define<{ max: number }>(409, ({ max }) => `at most ${max} messages can be pinned at once`),

  ROOM_NOT_FOUND: define(404, () => 'no such room'),
  NOT_MANAGER: define<{ action: 'edit' | 'delete' | 'addMembers' }>(403, ({ action }) => `only the room's creator or an admin may ${action}`),
  OWNER_CANNOT_LEAVE: define(403, () => 'the owner must hand the room over before leaving'),
  NOT_OWNER: define(403, () => 'only the owner can hand the room over'),
  NEW_OWNER_NOT_MEMBER: define(400, () => 'the new owner must be a member'),

  UPLOADS_BUSY: define<{ max: number }>(429, ({ max }) => `at most ${max} uploads at a time`, () => 1),
  FILE_TOO_LARGE: define<{ maxBytes: number }>(413, ({ maxBytes }) => `larger than ${maxBytes} bytes`),
  NOT_A_MEDIA_TYPE: define<{ declared: string }>(415, ({ declared }) => `${JSON.stringify(declared)} is not a media type`),
  FILE_TYPE_UNKNOWN: define(415, () => 'of no accepted type'),
  FILE_TYPE_REFUSED: define<{ type: string }>(415, ({ type }) => `files of type ${type} are not accepted`),

  THROTTLED: define<{ seconds: number }>(429, ({ seconds }) => `too many attempts; try again in ${seconds} seconds`, ({ seconds }) => seconds),
} satisfies Record<string, Definition<never>>;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorParams<C extends ErrorCode> = Parameters<(typeof ERRORS)[C]['sentence']>[0];
/** A problem with one field of an input (in a ValidationError), or a refusal's code and params. */
export type Problem = { [C in ErrorCode]: { readonly code: C; readonly params: ErrorParams<C> } }[ErrorCode];
type ErrorArgs<C extends ErrorCode> = ErrorParams<C> extends void ? [] : [params: ErrorParams<C>];

/** A refusal by code; `message` is the domain sentence, for logs and edges without wording. */
export class CoreError<C extends ErrorCode = ErrorCode> extends Error {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  readonly problem: Problem;

  constructor(
    readonly code: C,
    readonly params: ErrorParams<C>,
  ) {
    const problem = { code, params } as Problem;
    super(sentence(problem));
    this.name = 'CoreError';
    this.problem = problem;
    const definition = ERRORS[code] as Definition<ErrorParams<C>>;
    this.status = definition.status;
    this.retryAfterSeconds = definition.retryAfter?.(params);
  }
}

export function coreError<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): CoreError<C> {
  return new CoreError(code, args[0] as ErrorParams<C>);
}

export function problem<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): Problem {
  return { code, params: args[0] } as Problem;
}

/** Input refused field by field, every problem at once. */
export class ValidationError extends CoreError<'FIELDS_INVALID'> {
  constructor(readonly fields: Readonly<Record<string, readonly Problem[]>>) {
    super('FIELDS_INVALID', { fields });
    this.name = 'ValidationError';
  }
}

/** The domain sentence of a problem. */
export function sentence(problem: Coded): string {
  return (ERRORS[problem.code as ErrorCode].sentence as (params: unknown) => string)(problem.params);
}

/** U+D800 as the Unicode standard writes a code point. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase()}`;
}

/**
 * The write, with a conversation deleted between the caller's checks and the write refused as
 * not found, not as a failure.
 */
export async function unlessGone<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ReferenceGone) throw coreError('CONVERSATION_NOT_FOUND');
    throw error;
  }
}

/** Whether an error means the database could not be reached (a 503, not the caller's fault). */
export { isStoreUnavailable } from '../store/records.js';
