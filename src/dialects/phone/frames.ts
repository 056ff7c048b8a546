// The phone dialect's frame codec: decoding the five-key client envelope, rendering the
// server's frames, and the original's timestamp formats.
import { textProblem } from '../../core/text.js';
import type { Instant } from '../../core/time.js';
import { PHONE_WORDING } from './wording.js';

/** The longest frame the phone dialect reads; a longer one gets an error frame. */
export const MAX_FRAME_CHARS = 16 * 1024;
/** The original stored at most this many characters of message text. */
export const MAX_MESSAGE_CHARS = 1200;
/** Timestamps and receipt references are short strings. */
export const MAX_TIMESTAMP_CHARS = 64;

const ENVELOPE_KEYS = ['message', 'msg_from', 'msg_to', 'sent_timestamp'] as const;
export type EnvelopeKey = (typeof ENVELOPE_KEYS)[number];

export interface Envelope {
  command: string;
  message?: string;
  msg_from?: string;
  msg_to?: string;
  sent_timestamp?: string;
}

/** A frame the dialect refuses; `type` names the command it came with, or "invalid". */
export class FrameError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** Parses and type-checks a client frame; throws FrameError with a plain sentence. */
export function decodeFrame(text: string): Envelope {
  if (text.length > MAX_FRAME_CHARS) {
    throw new FrameError('invalid', `frame too large: at most ${MAX_FRAME_CHARS} characters`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FrameError('invalid', 'frame is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FrameError('invalid', 'frame must be a JSON object');
  }
  const fields = parsed as Record<string, unknown>;
  if (fields.command === undefined) throw new FrameError('invalid', 'command is required');
  if (typeof fields.command !== 'string') throw new FrameError('invalid', 'command must be a string');
  const commandProblem = textProblem(fields.command);
  if (commandProblem) throw new FrameError('invalid', `command: ${PHONE_WORDING.problem(commandProblem)}`);
  const envelope: Envelope = { command: fields.command };
  for (const key of ENVELOPE_KEYS) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new FrameError(envelope.command, `${key} must be a string`);
    const problem = textProblem(value);
    if (problem) throw new FrameError(envelope.command, `${key}: ${PHONE_WORDING.problem(problem)}`);
    envelope[key] = value;
  }
  return envelope;
}

/** Returns the envelope's values for the keys, refusing when one is missing. */
export function requireKeys<K extends EnvelopeKey>(frame: Envelope, keys: readonly K[]): Record<K, string> {
  const values = {} as Record<K, string>;
  for (const key of keys) {
    const value = frame[key];
    if (value === undefined) throw new FrameError(frame.command, `${key} is required`);
    const max = key === 'message' ? MAX_MESSAGE_CHARS : MAX_TIMESTAMP_CHARS;
    if (value.length > max) throw new FrameError(frame.command, `${key} may hold at most ${max} characters`);
    values[key] = value;
  }
  return values;
}

export function renderError(type: string, message: string, msgFrom: string | null, msgTo: string | null): string {
  return JSON.stringify({
    command: 'error',
    type,
    message,
    msg_from: msgFrom,
    msg_to: msgTo,
    sent_timestamp: serverTimestamp(),
  });
}

/** Items per fetch frame, as in the original. */
const FETCH_CHUNK = 10;

/**
 * The original's fetch envelope, produced as pages of items arrive: chunks of ten, `messages`
 * as a JSON-encoded string, `all` true on the last chunk only; one empty chunk when nothing
 * waits. A full chunk is held until the next item (or the end) shows whether it is the last.
 */
export async function* fetchFrames(command: string, pages: AsyncIterable<readonly object[]>): AsyncGenerator<string> {
  let held: object[] = [];
  for await (const page of pages) {
    for (const item of page) {
      if (held.length === FETCH_CHUNK) {
        yield fetchFrame(command, held, false);
        held = [];
      }
      held.push(item);
    }
  }
  yield fetchFrame(command, held, true);
}

function fetchFrame(command: string, items: readonly object[], all: boolean): string {
  return JSON.stringify({ command, messages: JSON.stringify(items), all });
}

/** The time a server frame was made: naive UTC with microseconds, as the original wrote it. */
export function serverTimestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/** A server instant written the same naive way. */
export function naiveTimestamp(instant: string): string {
  return instant.slice(0, 26);
}

/** A stored client timestamp as fetches show it: microseconds and Z, no fraction when zero. */
export function storedTimestamp(instant: Instant | string): string {
  const micros = instant.slice(20, 26);
  return micros === '000000' ? `${instant.slice(0, 19)}Z` : `${instant.slice(0, 26)}Z`;
}

/** An instant in an HTTP body: milliseconds and Z, no fraction when zero (Django's encoder). */
export function httpTimestamp(instant: string | null): string | null {
  if (instant === null) return null;
  const micros = instant.slice(20, 26);
  return micros === '000000' ? `${instant.slice(0, 19)}Z` : `${instant.slice(0, 23)}Z`;
}
