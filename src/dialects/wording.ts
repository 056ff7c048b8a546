// How a dialect words the core's coded refusals (src/core/errors.ts): one table of sentences by
// code and one of field names, domain name -> the dialect's. A code a dialect does not word is
// shown with the registry's domain sentence.
import { codePointName, sentence, type CoreError, type ErrorCode, type ErrorParams, type Problem } from '../core/errors.js';

export type ErrorWords = { [C in ErrorCode]?: (params: ErrorParams<C>, wording: Wording) => string };

export class Wording {
  constructor(
    private readonly words: ErrorWords,
    private readonly fieldNames: Readonly<Record<string, string>> = {},
  ) {}

  /** This wording with more (or other) sentences and field names. */
  extend(words: ErrorWords, fieldNames: Readonly<Record<string, string>> = {}): Wording {
    return new Wording({ ...this.words, ...words }, { ...this.fieldNames, ...fieldNames });
  }

  /** A domain field's name on this dialect's wire. */
  field(name: string): string {
    return Object.hasOwn(this.fieldNames, name) ? (this.fieldNames[name] ?? name) : name;
  }

  problem(problem: Problem): string {
    const word = this.words[problem.code] as ((params: unknown, wording: Wording) => string) | undefined;
    return word ? word(problem.params, this) : sentence(problem);
  }

  error(error: CoreError): string {
    return this.problem(error.problem);
  }

  /** A ValidationError's fields as the dialect names them, each with its sentences, in order. */
  fields(fields: Readonly<Record<string, readonly Problem[]>>): Record<string, string[]> {
    return Object.fromEntries(Object.entries(fields).map(([field, problems]) => [this.field(field), problems.map((p) => this.problem(p))]));
  }
}

/**
 * Django REST framework's sentences, which both dialects' originals answered with; a dialect
 * with other origins starts from an empty Wording instead.
 */
export const DRF_WORDING = new Wording({
  FIELDS_INVALID: ({ fields }, wording) =>
    Object.entries(wording.fields(fields as Record<string, Problem[]>))
      .map(([field, problems]) => `${field}: ${problems.join(' ')}`)
      .join('; '),
  FIELD_REQUIRED: () => 'This field is required.',
  FIELD_NOT_TEXT: () => 'Not a valid string.',
  FIELD_BLANK: () => 'This field may not be blank.',
  FIELD_TOO_LONG: ({ max }) => `Ensure this field has no more than ${max} characters.`,
  EMAIL_INVALID: () => 'Enter a valid email address.',
  USERNAME_INVALID: () => 'Enter a valid username: letters, digits and @/./+/-/_ only.',
  PASSWORD_TOO_SHORT: ({ min }) => `This password is too short. It must contain at least ${min} characters.`,
  TAKEN: ({ entity, field }, wording) => `${entity} with this ${wording.field(field)} already exists.`,
  ACCOUNT_UNKNOWN: ({ id }) => `Invalid pk "${id}" - object does not exist.`,
  TEXT_NULL: () => 'Null characters are not allowed.',
  TEXT_SURROGATE: ({ codePoint }) => `Surrogate characters are not allowed: ${codePointName(codePoint)}.`,
  TEXT_UNSTORABLE: ({ field, problem }, wording) => `${wording.field(field)}: ${wording.problem(problem as Problem)}`,
  THROTTLED: ({ seconds }) => `Request was throttled. Expected available in ${seconds} seconds.`,
});

