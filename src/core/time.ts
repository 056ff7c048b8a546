// Instants as the core keeps them: UTC ISO-8601 text with exactly six fractional digits
// ("2021-01-20T10:00:04.500000Z"). Fixed width, so text order is time order in every store.

export type Instant = string & { readonly __instant: unique symbol };

const LENIENT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Reads a client's date and time leniently: `T` or a space, optional seconds and fraction, an
 * optional zone (`Z`, `+05:30`, `+0530`, `+05`); no zone means UTC. A fraction is read as a
 * decimal (".5" is 500 ms). Returns undefined for anything else, including impossible dates.
 */
export function parseInstant(text: string): Instant | undefined {
  const m = LENIENT.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', fraction = '', zone = 'Z'] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(local);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  const offset = zoneOffsetMinutes(zone);
  const micros = fraction.padEnd(6, '0').slice(0, 6);
  // In UTC the text's own fields are the instant's (years from 100 on, which Date.UTC takes as
  // written): no second Date to format, on every frame that names a time.
  if (offset === 0 && year >= 100) return `${y}-${mo}-${d}T${h}:${mi}:${s}.${micros}Z` as Instant;
  return fromEpoch(local - offset * 60_000, micros);
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

function fromEpoch(epochMsWholeSeconds: number, micros: string): Instant {
  const base = new Date(epochMsWholeSeconds).toISOString().slice(0, 19);
  return `${base}.${micros}Z` as Instant;
}

/** The instant of a Date (millisecond precision, as the clock gives). */
export function instantOf(date: Date): Instant {
  const iso = date.toISOString();
  return `${iso.slice(0, 23)}000Z` as Instant;
}

let lastNow = 0;

/**
 * The current instant, strictly later than the one before in this process (a microsecond later
 * when the clock has not moved on): two messages stored in one millisecond keep their order, and
 * a read marker "just before" one of them does not also fall before the other.
 */
export function now(): Instant {
  const micros = Math.max(Date.now() * 1000, lastNow + 1);
  lastNow = micros;
  return fromEpoch(Math.floor(micros / 1_000_000) * 1000, String(micros % 1_000_000).padStart(6, '0'));
}

export function addSeconds(instant: Instant, seconds: number): Instant {
  const ms = Date.parse(instant) + seconds * 1000;
  return `${new Date(ms).toISOString().slice(0, 19)}.${instant.slice(20, 26)}Z` as Instant;
}

/** The instant one microsecond earlier: the latest instant before `instant`. */
export function justBefore(instant: Instant): Instant {
  const micros = Date.parse(`${instant.slice(0, 19)}Z`) * 1000 + Number(instant.slice(20, 26)) - 1;
  return fromEpoch(Math.floor(micros / 1_000_000) * 1000, String(micros % 1_000_000).padStart(6, '0'));
}

export function toDate(instant: Instant): Date {
  return new Date(Date.parse(instant));
}
