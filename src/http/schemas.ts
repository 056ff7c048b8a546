// What the route schemas of both dialects share. A route's schema is the one source of its
// validation, its TypeScript types (the TypeBox type provider) and its OpenAPI description.
import { Type, type Static, type TSchema, type TUnsafe } from 'typebox';

/** The schema keyword pattern of a text that may not be blank (DRF's allow_blank=False). */
export const NOT_BLANK = '\\S';

/**
 * Every refusal is a JSON object: `{"detail": …, "code": …}`, the original's field errors
 * (`{"<field>": ["…"]}`) or a dialect's own shape (`{"info": "error", "message": …}`).
 */
export const ErrorBody = Type.Record(Type.String(), Type.Unknown(), {
  description: 'A refusal: {"detail", "code"}, field errors {"<field>": ["…"]}, or the dialect\'s own shape.',
});

/** A route's answers: its successes, and the refusal shape for every 4xx. */
export function answers<Successes extends Record<number, TSchema>>(successes: Successes): Successes & { '4xx': typeof ErrorBody } {
  return { ...successes, '4xx': ErrorBody };
}

/**
 * A value or JSON null, as one `type: [<type>, "null"]`: a failure is one issue of the field's,
 * where a union would add one per branch to the field errors.
 */
export function Nullable<Schema extends TSchema & { type: string }>(schema: Schema): TUnsafe<Static<Schema> | null> {
  return Type.Unsafe<Static<Schema> | null>({ ...schema, type: [schema.type, 'null'] });
}

/** An HTML page's answer, for the document: pages are sent as text, past the JSON serializer. */
export const HTML_PAGE = { description: 'An HTML page', content: { 'text/html': { schema: Type.String() } } };
