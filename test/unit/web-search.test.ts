// The web client's search box: which queries are sent, and what of a found message is marked.
import { describe, expect, it } from 'vitest';
import { highlight, isQuery, queryWords } from '../../web/src/search.js';

/** Runs as a string with the marked parts in [brackets]. */
const marked = (text: string, query: string): string =>
  highlight(text, queryWords(query))
    .map((run) => (run.match ? `[${run.text}]` : run.text))
    .join('');

describe('isQuery', () => {
  it('sends nothing for a blank box, anything else goes to the server (which judges the words)', () => {
    expect(isQuery('')).toBe(false);
    expect(isQuery(' \t\n')).toBe(false);
    expect(isQuery('!!!')).toBe(true);
    expect(isQuery(' a ')).toBe(true);
  });
});

describe('queryWords', () => {
  it('takes runs of letters, digits and marks, lower-cased and distinct, as the server does', () => {
    expect(queryWords('Meet  the MEET, alice@example.com')).toEqual(['meet', 'the', 'alice', 'example', 'com']);
    expect(queryWords('Café 3pm')).toEqual(['café', '3pm']);
    expect(queryWords('"a" OR b* -c')).toEqual(['a', 'or', 'b', 'c']);
    expect(queryWords('!!! ...')).toEqual([]);
  });
});

describe('highlight', () => {
  it('marks the start of each word that a query word begins, whatever the case', () => {
    expect(marked('The quarterly Budget is ready', 'budg')).toBe('The quarterly [Budg]et is ready');
    expect(marked('meet me at the meeting', 'meet')).toBe('[meet] me at the [meet]ing');
    // Only a word's start: "ad" is inside "ready" and is not marked.
    expect(marked('ready, add it', 'ad')).toBe('ready, [ad]d it');
  });

  it('marks the longest query word that fits, and several words at once', () => {
    expect(marked('budgeting budget', 'budg budgeting')).toBe('[budgeting] [budg]et');
    expect(marked('Lunch at noon', 'noon lunch')).toBe('[Lunch] at [noon]');
  });

  it('keeps the text as it was, punctuation, emoji and accents included', () => {
    const text = 'Café 😀 — CAFÉ-time!';
    const runs = highlight(text, queryWords('café'));
    expect(runs.map((run) => run.text).join('')).toBe(text);
    expect(runs.filter((run) => run.match).map((run) => run.text)).toEqual(['Café', 'CAFÉ']);
  });

  it('marks nothing without words, and joins neighbouring runs', () => {
    expect(highlight('plain text', [])).toEqual([{ text: 'plain text', match: false }]);
    expect(highlight('', ['a'])).toEqual([]);
  });
});
