import { describe, expect, it } from 'vitest';
import { textProblem, unstorableText } from '../../src/core/text.js';
import { DRF_WORDING } from '../../src/dialects/wording.js';

describe('textProblem', () => {
  it('refuses NUL and unpaired surrogates only, by code', () => {
    expect(textProblem('plain, accented é, astral 😀, CJK 漢字, controls \t\n\u0001')).toBeUndefined();
    expect(textProblem('a\u0000b')).toEqual({ code: 'TEXT_NULL', params: undefined });
    expect(textProblem('\ud83d')).toEqual({ code: 'TEXT_SURROGATE', params: { codePoint: 0xd83d } });
    expect(textProblem('x\ude00')).toEqual({ code: 'TEXT_SURROGATE', params: { codePoint: 0xde00 } });
    expect(textProblem('\ude00\ud83d')).toEqual({ code: 'TEXT_SURROGATE', params: { codePoint: 0xde00 } });
  });

  it("is worded with Django REST framework's sentences", () => {
    const say = (text: string): string | undefined => {
      const problem = textProblem(text);
      return problem && DRF_WORDING.problem(problem);
    };
    expect(say('a\u0000b')).toBe('Null characters are not allowed.');
    expect(say('\ud83d')).toBe('Surrogate characters are not allowed: U+D83D.');
  });
});

describe('unstorableText', () => {
  it('finds the first bad string in objects and arrays and names where it is', () => {
    expect(unstorableText({ a: 'ok', b: [1, 'fine', { c: 'x\u0000' }] })).toEqual({ field: 'b.2.c', problem: { code: 'TEXT_NULL', params: undefined } });
    expect(unstorableText('\ud800')).toEqual({ field: '', problem: { code: 'TEXT_SURROGATE', params: { codePoint: 0xd800 } } });
    expect(unstorableText({ a: 1, b: null, c: true, d: ['😀'] })).toBeUndefined();
    expect(unstorableText(undefined)).toBeUndefined();
  });

  it('walks input nested far deeper than the call stack reaches', () => {
    let deep: unknown = 'x\u0000';
    for (let level = 0; level < 200_000; level += 1) deep = level % 2 === 0 ? [deep] : { a: deep };
    const found = unstorableText(deep);
    expect(found?.problem).toEqual({ code: 'TEXT_NULL', params: undefined });
    expect(found?.field.startsWith('a.0.a.0.')).toBe(true);
    expect(found?.field.split('.')).toHaveLength(200_000);
  });
});
