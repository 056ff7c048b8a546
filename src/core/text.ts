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

/**
 * The first string in a decoded input (strings within objects and arrays, depth first) that
 * breaks the rule, and where it is. Walked with a stack of its own: a body or frame nested
 * thousands of levels deep must be answered, not overflow the call stack.
 */
export function unstorableText(value: unknown, field = ''): { field: string; problem: Problem } | undefined {
  const stack: Array<{ value: unknown; field: string }> = [{ value, field }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next.value === 'string') {
      const problem = textProblem(next.value);
      if (problem !== undefined) return { field: next.field, problem };
    } else if (typeof next.value === 'object' && next.value !== null) {
      const entries = Object.entries(next.value);
      // Last pushed, first walked: in reverse, so that keys are walked in their order.
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, item] = entries[i] as [string, unknown];
        stack.push({ value: item, field: next.field === '' ? key : `${next.field}.${key}` });
      }
    }
  }
  return undefined;
}
