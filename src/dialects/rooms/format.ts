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

/** The local wall-clock parts of an instant in a zone, and the zone's offset then, in minutes. */
function local(instant: string, timeZone: string): { date: string; time: string; offsetMinutes: number } {
  const wholeSeconds = Date.parse(`${instant.slice(0, 19)}Z`);
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(wholeSeconds)).map((p) => [p.type, p.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const time = `${parts.hour}:${parts.minute}:${parts.second}`;
  const offsetMinutes = Math.round((Date.parse(`${date}T${time}Z`) - wholeSeconds) / 60_000);
  return { date, time, offsetMinutes };
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
