// The one rule for text that comes in, at every edge (HTTP bodies, query strings, path
// parameters, socket frames): it must be what both stores keep exactly. PostgreSQL's text
// cannot hold U+0000 (the insert fails) nor an unpaired UTF-16 surrogate (no UTF-8 for it);
// SQLite would keep both. Such text is refused in both before anything is stored, so the answer
// never depends on the store.
import { problem, type Problem } from './errors.js';

const UNSTORABLE = /[\0\p{Cs}]/u;

/** Why this text cannot be taken, or undefined when it can. */
export function textProblem(text: string): Problem | undefined {
  const found = UNSTORABLE.exec(text)?.[0];
  if (found === undefined) return undefined;
  if (found === '\0') return problem('TEXT_NULL');
  return problem('TEXT_SURROGATE', { codePoint: found.charCodeAt(0) });
}

/** The first string in a decoded input (strings within objects and arrays) that breaks the rule, and where it is. */
export function unstorableText(value: unknown, field = ''): { field: string; problem: Problem } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem === undefined ? undefined : { field, problem };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = unstorableText(item, field === '' ? key : `${field}.${key}`);
    if (found) return found;
  }
  return undefined;
}
