// The golden transcripts' normalizer: volatile values become placeholders that keep their format,
// so a format change (lost microseconds, `Z` instead of `+00:00`, another token length) shows as
// a difference from the golden file instead of being normalized away.
import { describe, expect, it } from 'vitest';
import { alignZeroFractions, EXAMPLE_ORIGIN, fillPlaceholders, normalizeTranscript, type NormalizeOptions } from '../support/golden.js';

const NOW = Date.parse('2026-12-01T20:11:48.123Z');
const options: NormalizeOptions = { now: NOW, origin: 'http://127.0.0.1:40123', groupKeys: ['A1B2C3D4E5', '12345ABCDE', 'lowercase1'] };
const TOKEN_A = 'a'.repeat(40);
const TOKEN_B = '0123456789abcdef0123456789abcdef01234567';

function normalized(text: string): string {
  const [entry] = normalizeTranscript([{ out: text }], options);
  return entry?.out ?? '';
}

describe('server timestamps near now', () => {
  it('become placeholders that name the separator, the precision and the zone', () => {
    expect(normalized('2026-12-01T20:11:48.123000')).toBe('<naive-us>');
    expect(normalized('2026-12-01T20:11:48.123000+00:00')).toBe('<iso-us+00:00>');
    expect(normalized('2026-12-02T01:41:48.123000+05:30')).toBe('<iso-us+05:30>');
    expect(normalized('2026-12-01T20:11:48.123000Z')).toBe('<iso-us-Z>');
    expect(normalized('2026-12-01T20:11:48.123Z')).toBe('<iso-ms-Z>');
    expect(normalized('2026-12-01T20:11:48Z')).toBe('<iso-s-Z>');
    expect(normalized('2026-12-01 20:11:48')).toBe('<naive-space-s>');
    expect(normalized('{"created":"2026-12-02T20:11:48.123000Z","at":"2026-11-30T20:11:48.123000"}')).toBe(
      '{"created":"<iso-us-Z>","at":"<naive-us>"}',
    );
  });

  it('differ whenever the format does', () => {
    const formats = [
      '2026-12-01T20:11:48.123456+00:00',
      '2026-12-01T20:11:48.123+00:00',
      '2026-12-01T20:11:48+00:00',
      '2026-12-01T20:11:48.123456Z',
      '2026-12-01T20:11:48.123Z',
      '2026-12-01T20:11:48.123456',
      '2026-12-01 20:11:48.123456',
      '2026-12-01T20:11:48.1234+00:00',
    ];
    const placeholders = formats.map(normalized);
    expect(new Set(placeholders).size).toBe(formats.length);
  });

  it("leave clients' own timestamps (far from now) exactly as they are", () => {
    for (const text of ['2021-01-20 10:00:01.100', '2020-11-21T16:32:17.356Z', '2021-01-20T10:01:11Z', '2021-01-20 10:01:10.5']) {
      expect(normalized(text)).toBe(text);
    }
    expect(normalized('yesterday 2026-12-01')).toBe('yesterday 2026-12-01');
  });
});

describe('tokens, keys and the origin', () => {
  it('number each token by first appearance, the same token the same number', () => {
    const entries = normalizeTranscript(
      [{ body: `{"token":"${TOKEN_B}"}` }, { body: `Token ${TOKEN_A}; again ${TOKEN_B}` }, { body: `parley_session=${TOKEN_A}` }],
      options,
    );
    expect(entries.map((e) => e.body)).toEqual(['{"token":"<token#1>"}', 'Token <token#2>; again <token#1>', 'parley_session=<token#2>']);
  });

  it('leave a token of another length or alphabet as it is', () => {
    expect(normalized('f'.repeat(39))).toBe('f'.repeat(39));
    expect(normalized('f'.repeat(41))).toBe('f'.repeat(41));
    expect(normalized('F'.repeat(40))).toBe('F'.repeat(40));
  });

  it('replace attachment keys, registered group keys of the key format, and the origin', () => {
    expect(normalized('http://127.0.0.1:40123/media/0123456789abcdef0123456789abcdef/p.png')).toBe('<origin>/media/<media-key#1>/p.png');
    expect(normalized('{"msg_from":"A1B2C3D4E5-1000000001","key":"12345ABCDE"}')).toBe(
      '{"msg_from":"<group-key#1>-1000000001","key":"<group-key#2>"}',
    );
    expect(normalized('lowercase1 and 1000000001')).toBe('lowercase1 and 1000000001');
    expect(normalized('XA1B2C3D4E5')).toBe('XA1B2C3D4E5');
  });

  it('walk nested entries and keep numbers, nulls and keys', () => {
    const [entry] = normalizeTranscript([{ http: 'GET /x', status: 200, request: null, headers: { 'set-cookie': [`k=${TOKEN_A}`] } }], options);
    expect(entry).toEqual({ http: 'GET /x', status: 200, request: null, headers: { 'set-cookie': ['k=<token#1>'] } });
  });
});

describe('a zero fraction', () => {
  it('takes the golden placeholder of a format that drops zero fractions', () => {
    const golden = '{"created":"<iso-us-Z>","last_active":"<iso-ms-Z>"}';
    expect(alignZeroFractions('{"created":"<iso-s-Z>","last_active":"<iso-ms-Z>"}', golden)).toBe(golden);
    expect(alignZeroFractions('{"created":"<iso-us-Z>","last_active":"<iso-s-Z>"}', golden)).toBe(golden);
  });

  it('stands as a difference anywhere else', () => {
    const golden = '{"created":"<iso-us+00:00>","at":"<naive-us>"}';
    const actual = '{"created":"<iso-s-Z>","at":"<naive-us>"}';
    expect(alignZeroFractions(actual, golden)).toBe(actual);
    expect(alignZeroFractions('{"created":"<iso-s-Z>","extra":1}', '{"created":"<iso-us-Z>"}')).toBe('{"created":"<iso-s-Z>","extra":1}');
    expect(alignZeroFractions('{"created":"<iso-us-Z>"}', '{"created":"<iso-ms-Z>"}')).toBe('{"created":"<iso-us-Z>"}');
  });
});

describe('filling placeholders back in', () => {
  it('gives each a value of its format, which normalizes back to the same placeholder', () => {
    const text =
      '{"at":"<naive-us>","created":"<iso-us+00:00>","ms":"<iso-space-ms-Z>","s":"<naive-space-s>","f4":"<iso-f4+05:30>"} ' +
      'Token <token#1> <origin>/media/<media-key#1>/p.png <group-key#1>-1000000001';
    const filled = fillPlaceholders(text);
    expect(filled).not.toContain('<');
    const groupKey = fillPlaceholders('<group-key#1>');
    const [entry] = normalizeTranscript([{ out: filled }], { now: Date.parse('2024-03-05T09:41:27Z'), origin: EXAMPLE_ORIGIN, groupKeys: [groupKey] });
    expect(entry?.out).toBe(text);
  });

  it('fills the same placeholder with the same value, and other numbers with other values', () => {
    expect(fillPlaceholders('<token#1> <token#1> <token#2>')).toMatch(/^([0-9a-f]{40}) \1 (?!\1)[0-9a-f]{40}$/);
    expect(fillPlaceholders('<group-key#1>')).not.toBe(fillPlaceholders('<group-key#2>'));
  });

  it('leaves angle brackets that are no placeholder alone', () => {
    const text = 'fetch_msgs is sent on the receive socket /ws/chat/special/<your phone>/';
    expect(fillPlaceholders(text)).toBe(text);
  });
});
