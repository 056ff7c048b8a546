import { describe, expect, it } from 'vitest';
import { textProblem, unstorableText } from '../../src/core/text.js';

describe('textProblem', () => {
  it('refuses NUL and unpaired surrogates only', () => {
    expect(textProblem('plain, accented é, astral 😀, CJK 漢字, controls \t\n\u0001')).toBeUndefined();
    expect(textProblem('a\u0000b')).toBe('Null characters are not allowed.');
    expect(textProblem('\ud83d')).toBe('Surrogate characters are not allowed: U+D83D.');
    expect(textProblem('x\ude00')).toBe('Surrogate characters are not allowed: U+DE00.');
    expect(textProblem('\ude00\ud83d')).toBe('Surrogate characters are not allowed: U+DE00.');
  });
});

describe('unstorableText', () => {
  it('finds the first bad string in objects and arrays and names where it is', () => {
    expect(unstorableText({ a: 'ok', b: [1, 'fine', { c: 'x\u0000' }] })).toEqual({ field: 'b.2.c', problem: 'Null characters are not allowed.' });
    expect(unstorableText('\ud800')).toEqual({ field: '', problem: 'Surrogate characters are not allowed: U+D800.' });
    expect(unstorableText({ a: 1, b: null, c: true, d: ['😀'] })).toBeUndefined();
    expect(unstorableText(undefined)).toBeUndefined();
  });

  it('walks input nested far deeper than the call stack reaches', () => {
    let deep: unknown = 'x\u0000';
    for (let level = 0; level < 200_000; level += 1) deep = level % 2 === 0 ? [deep] : { a: deep };
    const found = unstorableText(deep);
    expect(found?.problem).toBe('Null characters are not allowed.');
    expect(found?.field.startsWith('a.0.a.0.')).toBe(true);
    expect(found?.field.split('.')).toHaveLength(200_000);
  });
});
