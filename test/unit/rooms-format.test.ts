// The rooms dialect's value formats: timestamps, years and presence text.
import { describe, expect, it } from 'vitest';
import { currentStatus, restTimestamp, socketTimestamp, yearLabel } from '../../src/dialects/rooms/format.js';
import type { Instant } from '../../src/core/time.js';

const instant = '2026-11-21T21:59:43.136172Z';

describe('timestamps', () => {
  it('writes socket times in UTC with +00:00 and six digits, zeros included', () => {
    expect(socketTimestamp(instant)).toBe('2026-11-21T21:59:43.136172+00:00');
    expect(socketTimestamp('2026-11-21T21:59:43.000000Z')).toBe('2026-11-21T21:59:43.000000+00:00');
  });

  it('writes REST times in the zone with its offset at that instant', () => {
    expect(restTimestamp(instant, 'UTC')).toBe('2026-11-21T21:59:43.136172+00:00');
    expect(restTimestamp(instant, 'Asia/Kolkata')).toBe('2026-11-22T03:29:43.136172+05:30');
    expect(restTimestamp('2026-07-01T12:00:00.000001Z', 'America/New_York')).toBe('2026-07-01T08:00:00.000001-04:00');
    expect(restTimestamp('2026-01-01T12:00:00.500000Z', 'America/New_York')).toBe('2026-01-01T07:00:00.500000-05:00');
    expect(restTimestamp('2026-01-01T00:00:00.000000Z', 'Asia/Kathmandu')).toBe('2026-01-01T05:45:00.000000+05:45');
  });

  it('keeps each second of a minute and each side of an offset change apart', () => {
    expect(restTimestamp('2026-11-21T21:59:00.000001Z', 'Asia/Kolkata')).toBe('2026-11-22T03:29:00.000001+05:30');
    expect(restTimestamp('2026-11-21T21:59:59.999999Z', 'Asia/Kolkata')).toBe('2026-11-22T03:29:59.999999+05:30');
    expect(restTimestamp('2026-03-08T06:59:59.999999Z', 'America/New_York')).toBe('2026-03-08T01:59:59.999999-05:00');
    expect(restTimestamp('2026-03-08T07:00:00.000000Z', 'America/New_York')).toBe('2026-03-08T03:00:00.000000-04:00');
    expect(restTimestamp('2026-03-08T06:59:59.999999Z', 'UTC')).toBe('2026-03-08T06:59:59.999999+00:00');
  });
});

describe('years and presence', () => {
  it('labels years as the original did', () => {
    expect([1, 2, 3, 4, 11, 12, 21].map(yearLabel)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '21st']);
    expect(yearLabel(null)).toBeNull();
  });

  it('says online, the last activity in the zone, or offline', () => {
    expect(currentStatus({ active: true, lastActive: null }, 'UTC')).toBe('online');
    expect(currentStatus({ active: false, lastActive: instant as Instant }, 'Asia/Kolkata')).toBe('2026-11-22 03:29:43');
    expect(currentStatus({ active: false, lastActive: null }, 'UTC')).toBe('offline');
  });
});
