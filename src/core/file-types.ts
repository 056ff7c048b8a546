// What an uploaded file is, decided from its bytes: a small table of the families Parley accepts
// (signatures at the start of the file), the Office formats inside ZIP (OOXML) and OLE
// containers, and plain text as valid UTF-8 without NUL. The type a client declares is checked
// for syntax only: it never decides how a file is served.

/** How much of a file's start the table looks at. */
export const HEAD_BYTES = 8192;

const OOXML = {
  'word/': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'xl/': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'ppt/': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
} as const;
/** The old Office formats share one container; which one it is, the client's type says. */
const OLE_TYPES: readonly string[] = ['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint'];
const OLE_CONTAINER = 'application/x-ole-storage';
const TEXT = 'text/plain';

type Signature = (head: Uint8Array) => boolean;

/** Whether `expected` (text or bytes) stands at `offset`. */
function at(head: Uint8Array, offset: number, expected: string | readonly number[]): boolean {
  const bytes = typeof expected === 'string' ? [...expected].map((c) => c.charCodeAt(0)) : expected;
  return bytes.every((byte, i) => head[offset + i] === byte);
}

function contains(head: Uint8Array, text: string, within: number): boolean {
  return Buffer.from(head.subarray(0, within)).includes(text, 0, 'latin1');
}

const EBML: Signature = (h) => at(h, 0, [0x1a, 0x45, 0xdf, 0xa3]);

/** Binary families, in the order they are tried; the first that matches names the file. */
const SIGNATURES: ReadonlyArray<readonly [string, Signature]> = [
  ['image/png', (h) => at(h, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ['image/jpeg', (h) => at(h, 0, [0xff, 0xd8, 0xff])],
  ['image/gif', (h) => at(h, 0, 'GIF87a') || at(h, 0, 'GIF89a')],
  ['image/webp', (h) => at(h, 0, 'RIFF') && at(h, 8, 'WEBP')],
  ['audio/wav', (h) => at(h, 0, 'RIFF') && at(h, 8, 'WAVE')],
  ['video/quicktime', (h) => at(h, 4, 'ftypqt  ')],
  ['audio/mp4', (h) => at(h, 4, 'ftypM4A ')],
  ['video/mp4', (h) => at(h, 4, 'ftyp')],
  ['video/webm', (h) => EBML(h) && contains(h, 'webm', 64)],
  ['video/x-matroska', (h) => EBML(h) && contains(h, 'matroska', 64)],
  ['audio/ogg', (h) => at(h, 0, 'OggS')],
  // An ID3 tag, or an MPEG audio frame header (sync bits set, layer not "reserved").
  ['audio/mpeg', (h) => at(h, 0, 'ID3') || (h[0] === 0xff && ((h[1] ?? 0) & 0xe0) === 0xe0 && ((h[1] ?? 0) & 0x06) !== 0)],
  ['application/pdf', (h) => at(h, 0, '%PDF-')],
];

/** Shown by the browser rather than downloaded: images, sound and video that run no script. */
const INLINE: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'audio/wav',
  'audio/mp4',
  'audio/ogg',
  'audio/mpeg',
  'video/quicktime',
  'video/mp4',
  'video/webm',
  'video/x-matroska',
]);
/** Every type this module can name: the only types a stored file is ever served with. */
const KNOWN: ReadonlySet<string> = new Set([
  ...INLINE,
  'application/pdf',
  'application/zip',
  ...Object.values(OOXML),
  ...OLE_TYPES,
  TEXT,
]);

/** The names of the entries a ZIP's local headers show within the head. */
function zipEntryNames(head: Uint8Array): string[] {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const names: string[] = [];
  let offset = 0;
  while (offset + 30 <= head.length && at(head, offset, 'PK\x03\x04')) {
    const compressed = view.getUint32(offset + 18, true);
    const nameLength = view.getUint16(offset + 26, true);
    const extraLength = view.getUint16(offset + 28, true);
    names.push(Buffer.from(head.subarray(offset + 30, offset + 30 + nameLength)).toString('latin1'));
    // Sizes that follow the data (flag bit 3) leave the next header unknown: stop there.
    if ((view.getUint16(offset + 6, true) & 0x08) !== 0) break;
    offset += 30 + nameLength + extraLength + compressed;
  }
  return names;
}

function zipType(head: Uint8Array): string {
  const names = zipEntryNames(head);
  for (const [folder, type] of Object.entries(OOXML)) if (names.some((name) => name.startsWith(folder))) return type;
  return 'application/zip';
}

/**
 * The media type of a file from its first bytes (`head`, up to HEAD_BYTES), whether the whole
 * file is text (valid UTF-8 without NUL), and the type the client declared (used only to tell the
 * old Office formats apart). Undefined when the file is nothing Parley knows.
 */
export function typeOfContent(head: Uint8Array, isText: boolean, declared: string): string | undefined {
  for (const [type, matches] of SIGNATURES) if (matches(head)) return type;
  if (at(head, 0, 'PK\x03\x04') || at(head, 0, 'PK\x05\x06')) return zipType(head);
  if (at(head, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    const claimed = essence(declared);
    return claimed !== undefined && OLE_TYPES.includes(claimed) ? claimed : OLE_CONTAINER;
  }
  return isText ? TEXT : undefined;
}

/** Reads a file chunk by chunk: keeps its head and learns whether all of it is text. */
export class ContentSniffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private text = true;

  push(chunk: Buffer): void {
    if (this.kept < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.kept);
      this.chunks.push(part);
      this.kept += part.length;
    }
    if (!this.text) return;
    if (chunk.includes(0)) this.text = false;
    else this.decode(chunk);
  }

  /** The file's type once every chunk was pushed (see typeOfContent). */
  type(declared: string): string | undefined {
    if (this.text) this.decode(undefined);
    return typeOfContent(Buffer.concat(this.chunks), this.text, declared);
  }

  private decode(chunk: Buffer | undefined): void {
    try {
      // A sequence split between chunks is carried over; the last call checks that none is left.
      this.decoder.decode(chunk, { stream: chunk !== undefined });
    } catch {
      this.text = false;
    }
  }
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^(${TOKEN}/${TOKEN})(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))*[ \\t]*$`);

/** `type/subtype` of a media type (RFC 9110 syntax, parameters allowed), lower-cased; undefined when malformed. */
export function essence(mediaType: string): string | undefined {
  return MEDIA_TYPE.exec(mediaType)?.[1]?.toLowerCase();
}

/**
 * How a stored file is served: one of the types above, never one a client chose, and inline only
 * for images, sound and video. Files stored under any other type (before this table existed) are
 * downloaded as bytes.
 */
export function servedAs(storedType: string): { contentType: string; inline: boolean } {
  if (!KNOWN.has(storedType)) return { contentType: 'application/octet-stream', inline: false };
  return { contentType: storedType === TEXT ? 'text/plain; charset=utf-8' : storedType, inline: INLINE.has(storedType) };
}
