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
function zoneOffsetMinutes(epochMs: number, timeZone: string): number {
  const key = `${timeZone} ${Math.floor(epochMs / OFFSET_SPAN_MS)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
    const wallClock = Date.parse(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}Z`);
    offset = Math.round((wallClock - epochMs) / 60_000);
    if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** A minute of an instant as the zone's wall clock shows it: "2026-11-22T03:29", and the offset, "+05:30". */
interface LocalMinute {
  wallClock: string;
  offset: string;
}

const MAX_CACHED_MINUTES = 10_000;
const minutes = new Map<string, LocalMinute>();

/**
 * The zone's minute of an instant. Offsets change only on a quarter hour, so the seconds and
 * their fraction carry over unchanged, and a minute is worked out once: a page of history shows
 * a few minutes many times over.
 */
function localMinute(instant: string, timeZone: string): LocalMinute {
  const key = `${instant.slice(0, 16)} ${timeZone}`;
  let minute = minutes.get(key);
  if (minute === undefined) {
    const wholeMinute = Date.parse(`${instant.slice(0, 16)}:00Z`);
    const offsetMinutes = zoneOffsetMinutes(wholeMinute, timeZone);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    minute = {
      wallClock: new Date(wholeMinute + offsetMinutes * 60_000).toISOString().slice(0, 16),
      offset: `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`,
    };
    if (minutes.size >= MAX_CACHED_MINUTES) minutes.clear();
    minutes.set(key, minute);
  }
  return minute;
}

/** The instant in the zone with its numeric offset, e.g. "2026-11-22T03:29:43.136172+05:30". */
export function restTimestamp(instant: string, timeZone: string): string {
  const { wallClock, offset } = localMinute(instant, timeZone);
  return `${wallClock}${instant.slice(16, 26)}${offset}`;
}

/** The original's `current_status`: "online", the last activity as "YYYY-MM-DD HH:MM:SS", or "offline". */
export function currentStatus(status: PresenceStatus, timeZone: string): string {
  if (status.active) return 'online';
  if (status.lastActive === null) return 'offline';
  const { wallClock } = localMinute(status.lastActive, timeZone);
  return `${wallClock.slice(0, 10)} ${wallClock.slice(11)}${status.lastActive.slice(16, 19)}`;
}

/** Accounts keep the year as a number; the rooms dialect shows "1st", "2nd", "3rd", "4th"… */
export function yearLabel(year: number | null): string | null {
  if (year === null) return null;
  const suffix = year % 100 >= 11 && year % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[year % 10] ?? 'th';
  return `${year}${suffix}`;
}
