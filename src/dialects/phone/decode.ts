// The phone dialect's decoder: a client frame's five-key envelope, and the send sockets' frames
// as the core's commands (SendCommand), in the domain's names.
import { textProblem } from '../../core/text.js';
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

/** What a send socket does with a frame; each socket has its own command word for each. */
export type SendAction = 'post' | 'acknowledge' | 'markRead' | 'typing';

/** A send-socket frame as a core command. `to` is the frame's msg_to, on sockets whose frames name it. */
export type SendCommand =
  | { action: 'post'; from: string; to: string | undefined; body: string; clientSentAt: string }
  | { action: 'acknowledge' | 'markRead'; from: string; to: string | undefined; ref: string; at: string }
  | { action: 'typing'; from: string; to: string | undefined; at: string };

/**
 * Decodes a send-socket frame for the action its command stands for; `addressed` sockets need
 * msg_to too. Missing keys are refused in the envelope's order.
 */
export function decodeSendCommand(frame: Envelope, action: SendAction, addressed: boolean): SendCommand {
  const keys: EnvelopeKey[] = [...(action === 'typing' ? [] : ['message' as const]), 'msg_from', ...(addressed ? ['msg_to' as const] : []), 'sent_timestamp'];
  const values: Partial<Record<EnvelopeKey, string>> = requireKeys(frame, keys);
  const from = values.msg_from ?? '';
  const to = values.msg_to;
  const at = values.sent_timestamp ?? '';
  const message = values.message ?? '';
  switch (action) {
    case 'post':
      return { action, from, to, body: message, clientSentAt: at };
    case 'acknowledge':
    case 'markRead':
      return { action, from, to, ref: message, at };
    case 'typing':
      return { action, from, to, at };
  }
}
