// Value formats of the rooms dialect: timestamps (sockets in UTC "+00:00", REST in the
// configured zone, always six fractional digits), year labels, and presence text.
import type { PresenceStatus } from '../../core/presence.js';

/** "2026-11-21T21:59:43.136172Z" -> "2026-11-21T21:59:43.136172+00:00", as the original's sockets write it. */
export function socketTimestamp(instant: string): string {
  return `${instant.slice(0, 26)}+00:00`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** A zone's offset changes only on a quarter hour (every offset is a multiple of 15 minutes). */
const OFFSET_SPAN_MS = 15 * 60_000;
const MAX_CACHED_OFFSETS = 10_000;
const offsets = new Map<string, number>();

/**
 * The zone's offset from UTC at the instant, in minutes. Asking Intl is slow (a third of a
 * history page's CPU went there), so each zone's offset is asked once per quarter hour.
 */
function zoneOffsetMinutes(wholeSeconds: number, timeZone: string): number {
  const key = `${timeZone} ${Math.floor(wholeSeconds / OFFSET_SPAN_MS)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(wholeSeconds)).map((p) => [p.type, p.value]));
    const wallClock = Date.parse(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}Z`);
    offset = Math.round((wallClock - wholeSeconds) / 60_000);
    if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** The local wall-clock parts of an instant in a zone, and the zone's offset then, in minutes. */
function local(instant: string, timeZone: string): { date: string; time: string; offsetMinutes: number } {
  const wholeSeconds = Date.parse(`${instant.slice(0, 19)}Z`);
  const offsetMinutes = zoneOffsetMinutes(wholeSeconds, timeZone);
  const wallClock = new Date(wholeSeconds + offsetMinutes * 60_000).toISOString();
  return { date: wallClock.slice(0, 10), time: wallClock.slice(11, 19), offsetMinutes };
}

/** The instant in the zone with its numeric offset, e.g. "2026-11-22T03:29:43.136172+05:30". */
export function restTimestamp(instant: string, timeZone: string): string {
  const { date, time, offsetMinutes } = local(instant, timeZone);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${date}T${time}.${instant.slice(20, 26)}${offset}`;
}

/** The original's `current_status`: "online", the last activity as "YYYY-MM-DD HH:MM:SS", or "offline". */
export function currentStatus(status: PresenceStatus, timeZone: string): string {
  if (status.active) return 'online';
  if (status.lastActive === null) return 'offline';
  const { date, time } = local(status.lastActive, timeZone);
  return `${date} ${time}`;
}

/** Accounts keep the year as a number; the rooms dialect shows "1st", "2nd", "3rd", "4th"… */
export function yearLabel(year: number | null): string | null {
  if (year === null) return null;
  const suffix = year % 100 >= 11 && year % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[year % 10] ?? 'th';
  return `${year}${suffix}`;
}
