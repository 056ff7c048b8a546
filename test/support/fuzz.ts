// Seeded inputs for the fuzz test: a small PRNG, hostile values, and mutations of valid frames
// and bodies. Deep nesting is built as text, never as objects, so that neither this side nor
// JSON.stringify recurses over it.

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator of its own for one worker, so that workers do not shift each other's draws. */
  fork(label: string): Random {
    let hash = this.state ^ 0x9e3779b9;
    for (let i = 0; i < label.length; i += 1) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
    return new Random(hash);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)] as T;
  }

  bytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) bytes[i] = this.int(256);
    return bytes;
  }
}

const PIECES = [
  '',
  ' ',
  'a',
  '0',
  '-1',
  '1e309',
  'null',
  'true',
  '--null--',
  'room',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ufffd',
  '\u202e',
  '\u00e9\u0301',
  '\ud83d\ude00',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%s%n%x',
  '%E0%A4%A',
  '2021-01-01 09:59:00.000',
  '2021-13-45T99:99:99Z',
  '9999999999',
  '1000000021',
  '\r\n',
  '\\',
  '"',
  '{}',
  '[]',
];

/** A string meant to hurt: empty, odd Unicode, NUL, lone surrogates, markup, long or huge. */
export function hostileString(random: Random): string {
  switch (random.int(6)) {
    case 0:
      return random.pick(PIECES);
    case 1:
      return Array.from({ length: 1 + random.int(4) }, () => random.pick(PIECES)).join('');
    case 2:
      return String.fromCharCode(...Array.from({ length: 1 + random.int(20) }, () => random.int(0x10000)));
    case 3:
      return random.pick(PIECES).padEnd(1000 + random.int(20_000), random.pick(['x', '\u00e9', '\ud83d\ude00', '\u0000']));
    case 4:
      return String(random.int(2 ** 31) * (random.chance(0.5) ? 1 : -1));
    default:
      return Array.from({ length: random.int(30) }, () => String.fromCharCode(32 + random.int(95))).join('');
  }
}

/** Any JSON value, wrong-typed for whatever reads it; as text, since it may be deeply nested. */
export function hostileJson(random: Random, depth = 0): string {
  const kind = random.int(depth > 2 ? 6 : 9);
  switch (kind) {
    case 0:
      return 'null';
    case 1:
      return random.pick(['true', 'false']);
    case 2:
      return random.pick(['0', '-0', '1', '-1', '1.5', '1e308', '-1e308', '9007199254740993', '2147483648', '1e-320']);
    case 3:
    case 4:
    case 5:
      return JSON.stringify(hostileString(random));
    case 6:
      return `[${Array.from({ length: random.int(4) }, () => hostileJson(random, depth + 1)).join(',')}]`;
    case 7:
      return `{${Array.from({ length: random.int(4) }, () => `${JSON.stringify(hostileString(random))}:${hostileJson(random, depth + 1)}`).join(',')}}`;
    default:
      return deepJson(random);
  }
}

/** Nesting thousands of levels deep, arrays or objects, with a hostile string at the bottom. */
export function deepJson(random: Random): string {
  const levels = random.pick([100, 5_000, 50_000, 200_000]);
  const bottom = random.chance(0.5) ? '"\\u0000"' : '"x"';
  if (random.chance(0.5)) return `${'['.repeat(levels)}${bottom}${']'.repeat(levels)}`;
  return `${'{"a":'.repeat(levels)}${bottom}${'}'.repeat(levels)}`;
}

/**
 * A mutation of a JSON object's text: keys dropped, duplicated, retyped or added, strings made
 * huge or given NUL and lone surrogates, and the text itself cut or corrupted.
 */
export function mutateJson(random: Random, text: string, keyNames: readonly string[]): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return mutateText(random, text);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return mutateText(random, text);
  const entries: Array<[string, string]> = Object.entries(parsed).map(([key, value]) => [key, JSON.stringify(value)]);
  const rounds = 1 + random.int(3);
  for (let round = 0; round < rounds; round += 1) {
    const at = random.int(Math.max(entries.length, 1));
    const entry = entries[at];
    switch (random.int(9)) {
      case 0:
        if (entry) entries.splice(at, 1);
        break;
      case 1:
        if (entry) entries.push([entry[0], hostileJson(random)]);
        break;
      case 2:
        if (entry) entry[1] = hostileJson(random);
        break;
      case 3:
        entries.push([random.chance(0.5) ? random.pick(keyNames) : hostileString(random), hostileJson(random)]);
        break;
      case 4:
        if (entry) entry[1] = JSON.stringify(`${safeParse(entry[1])}${random.pick(['\u0000', '\ud800', '\udc00', '\u0000\ud800'])}`);
        break;
      case 5:
        if (entry) entry[1] = JSON.stringify(''.padEnd(random.pick([65, 1201, 16_385, 100_000]), 'y'));
        break;
      case 6:
        if (entry) entry[1] = deepJson(random);
        break;
      case 7:
        if (entry) entry[0] = random.pick(keyNames);
        break;
      default:
        if (entry) entry[1] = JSON.stringify(hostileString(random));
    }
  }
  const out = `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
  return random.chance(0.15) ? mutateText(random, out) : out;
}

function safeParse(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : text;
  } catch {
    return text;
  }
}

/** Text-level damage: cut short, a character dropped, inserted or replaced. */
export function mutateText(random: Random, text: string): string {
  const at = random.int(text.length + 1);
  switch (random.int(4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      return text.slice(0, at) + random.pick(['{', '}', '"', '\\', ',', ':', '\u0000', '\ud800', '\\u0000', '\\ud800']) + text.slice(at);
    default:
      return text.slice(0, at) + String.fromCharCode(random.int(0x10000)) + text.slice(at + 1);
  }
}

/** UTF-8 bytes of the text with one byte sequence that is no UTF-8 spliced in. */
export function breakUtf8(random: Random, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const at = random.int(bytes.length + 1);
  const bad = Buffer.from(random.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80], [0xe0, 0x80], [0x80]]));
  return Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]);
}
