// How the search box reads a query and marks what matched in a found message. The server decides
// what matches (every word of the query as a prefix of a word of the message); the client only
// shows it, with the same idea of a word: a run of letters, digits and combining marks.

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** A query that is only white space is not sent. */
export function isQuery(text: string): boolean {
  return text.trim() !== '';
}

/** The query's words, lower-cased and distinct. */
export function queryWords(query: string): string[] {
  return [...new Set((query.normalize('NFC').match(WORD) ?? []).map((word) => word.toLowerCase()))];
}

export interface Run {
  text: string;
  match: boolean;
}

/** `text` cut into runs, where a match is the start of a word that one of `words` begins. */
export function highlight(text: string, words: readonly string[]): Run[] {
  const runs: Run[] = [];
  let at = 0;
  const push = (piece: string, match: boolean): void => {
    if (piece === '') return;
    const last = runs.at(-1);
    if (last && last.match === match) last.text += piece;
    else runs.push({ text: piece, match });
  };
  for (const found of text.matchAll(WORD)) {
    const word = found[0];
    const start = found.index;
    const lower = word.normalize('NFC').toLowerCase();
    const longest = Math.max(0, ...words.filter((w) => lower.startsWith(w)).map((w) => w.length));
    // The prefix in the word's own characters: lower-casing can change lengths, so count by the word.
    const cut = longest === 0 ? 0 : prefixLength(word, longest);
    push(text.slice(at, start), false);
    push(word.slice(0, cut), true);
    push(word.slice(cut), false);
    at = start + word.length;
  }
  push(text.slice(at), false);
  return runs;
}

/** How many UTF-16 units of `word` make its first `lowered` units once lower-cased. */
function prefixLength(word: string, lowered: number): number {
  for (let end = 1; end <= word.length; end += 1) if (word.slice(0, end).normalize('NFC').toLowerCase().length >= lowered) return end;
  return word.length;
}
