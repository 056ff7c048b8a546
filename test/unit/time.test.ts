import { describe, expect, it } from 'vitest';
import { addSeconds, instantOf, justBefore, parseInstant, type Instant } from '../../src/core/time.js';

describe('parseInstant', () => {
  it.each([
    ['2021-01-20T10:00:01.100000Z', '2021-01-20T10:00:01.100000Z'],
    ['2021-01-20 10:00:04.5', '2021-01-20T10:00:04.500000Z'],
    ['2021-01-20T10:00:05.123Z', '2021-01-20T10:00:05.123000Z'],
    ['2021-01-20T10:00:03.300000+05:30', '2021-01-20T04:30:03.300000Z'],
    ['2021-01-20T10:00:03.3+0530', '2021-01-20T04:30:03.300000Z'],
    ['2021-01-20T01:00:00-02', '2021-01-20T03:00:00.000000Z'],
    ['2021-01-20 10:00', '2021-01-20T10:00:00.000000Z'],
    ['2021-01-20T10:00:00.1234567Z', '2021-01-20T10:00:00.123456Z'],
    ['2020-02-29T23:59:59z', '2020-02-29T23:59:59.000000Z'],
    ['2021-01-01T00:30:00+01:00', '2020-12-31T23:30:00.000000Z'],
  ])('reads %s as %s', (text, expected) => {
    expect(parseInstant(text)).toBe(expected);
  });

  it.each(['', 'x', 'yesterday', '2021-13-01T00:00:00Z', '2021-02-30T00:00:00Z', '2021-01-01T24:00:00Z', '2021-01-01', '2021-01-01T10:00:00+5', '20210101T100000Z'])(
    'refuses %j',
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );

  it('gives equal instants for the same moment in different formats', () => {
    expect(parseInstant('2021-01-20 10:00:04.5')).toBe(parseInstant('2021-01-20T15:30:04.500+05:30'));
  });
});

describe('instantOf / addSeconds', () => {
  it('writes six fractional digits and keeps them when adding seconds', () => {
    const instant = instantOf(new Date('2021-01-20T10:00:00.123Z'));
    expect(instant).toBe('2021-01-20T10:00:00.123000Z');
    expect(addSeconds(instant, 86_400)).toBe('2021-01-21T10:00:00.123000Z');
  });
});

describe('justBefore', () => {
  it.each([
    ['2021-01-20T10:00:00.123000Z', '2021-01-20T10:00:00.122999Z'],
    ['2021-01-20T10:00:00.000000Z', '2021-01-20T09:59:59.999999Z'],
    ['2021-01-01T00:00:00.000000Z', '2020-12-31T23:59:59.999999Z'],
    ['2021-01-20T10:00:00.000001Z', '2021-01-20T10:00:00.000000Z'],
  ])('%s -> %s', (instant, before) => {
    expect(justBefore(instant as Instant)).toBe(before);
    expect(justBefore(instant as Instant) < instant).toBe(true);
  });
});
