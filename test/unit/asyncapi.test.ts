// docs/asyncapi.yaml against the wire: a valid AsyncAPI 3.0.0 document with a channel for each
// socket path of the golden transcripts, under which every recorded frame (placeholders filled
// with values of their format) matches exactly one message of its direction by JSON Schema;
// every message is seen on the wire, and its examples are recorded frames. A frame that gains,
// loses or retypes a key fails here. docs/sockets.md is what the document renders to.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChannelInterface, MessageInterface } from '@asyncapi/parser';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeCodesOf, frameText, parseAsyncApi, payloadOf, renderSocketsReference } from '../../scripts/sockets-reference.js';
import { fillPlaceholders, type Entry, type SocketEntry } from '../support/golden.js';

const file = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));
const source = fs.readFileSync(file('docs/asyncapi.yaml'), 'utf8');

type Direction = 'in' | 'out';
interface Frame {
  golden: string;
  socket: string;
  pattern: string;
  direction: Direction;
  text: string;
}

/** Every frame of the golden transcripts, placeholders filled, in transcript order per file. */
const goldenFiles = fs
  .readdirSync(file('test/golden'))
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, entries: JSON.parse(fs.readFileSync(file(`test/golden/${name}`), 'utf8')) as Entry[] }));
const socketEntries = goldenFiles.flatMap(({ name, entries }) =>
  entries.filter((entry): entry is SocketEntry => 'socket' in entry).map((entry) => ({ ...entry, golden: name })),
);
const frames = socketEntries.flatMap(({ golden, socket, pattern, ...event }): Frame[] => {
  if ('in' in event) return [{ golden, socket, pattern, direction: 'in', text: fillPlaceholders(event.in) }];
  if ('out' in event) return [{ golden, socket, pattern, direction: 'out', text: fillPlaceholders(event.out) }];
  return [];
});

/** A frame's JSON value, or its raw text when it is not JSON (then only a refusal can match it). */
function frameValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A path pattern with its parameters unnamed: `/ws/chat/{}/`. */
const shape = (pattern: string): string => pattern.replace(/\{[^}]+\}/g, '{}');

const ajv = new Ajv({ allErrors: true, strict: true });
// The parser marks each schema it dereferenced; the mark says nothing about frames.
ajv.addKeyword({ keyword: 'x-parser-schema-id' });
// `messages` of the phone fetch frames is JSON text: its decoded value must match contentSchema,
// which Ajv otherwise takes as an annotation only.
ajv.removeKeyword('contentSchema');
ajv.addKeyword({
  keyword: 'contentSchema',
  type: 'string',
  compile(schema: object) {
    const validate = ajv.compile(schema);
    return (text: string) => {
      try {
        return validate(JSON.parse(text));
      } catch {
        return false;
      }
    };
  },
});

interface DocumentedMessage {
  key: string;
  message: MessageInterface;
  validate: ValidateFunction;
  tags: string[];
}

interface DocumentedChannel {
  channel: ChannelInterface;
  messages: Record<Direction, DocumentedMessage[]>;
}

let diagnostics: { severity: number; message: string; path: (string | number)[] }[];
let version: string;
let channels: DocumentedChannel[];
/** Messages under components that no channel uses. */
let unreferenced: string[];

beforeAll(async () => {
  const parsed = await parseAsyncApi(source);
  diagnostics = parsed.diagnostics;
  version = parsed.document.version();
  channels = parsed.document.channels().all().map((channel) => {
    const messages: Record<Direction, DocumentedMessage[]> = { in: [], out: [] };
    for (const operation of channel.operations().all()) {
      // The document describes a client: it sends the frames the server takes in.
      const direction: Direction = operation.action() === 'send' ? 'in' : 'out';
      for (const message of operation.messages().all()) {
        messages[direction].push({
          key: `${channel.id()}/${message.id()}`,
          message,
          validate: ajv.compile(payloadOf(message)),
          tags: message.tags().all().map((tag) => tag.name()),
        });
      }
    }
    return { channel, messages };
  });
  // The parser resolves a channel's reference to the component's own object.
  const referenced = new Set(channels.flatMap(({ channel }) => channel.messages().all().map((message) => message.json())));
  unreferenced = parsed.document.components().messages().all().filter((m) => !referenced.has(m.json())).map((m) => m.id());
});

function channelFor(pattern: string): DocumentedChannel | undefined {
  return channels.find(({ channel }) => shape(channel.address() ?? '') === shape(pattern));
}

/** The messages of the channel's operation for the frame's direction that the frame matches. */
function matches(frame: Frame): DocumentedMessage[] {
  const value = frameValue(frame.text);
  return (channelFor(frame.pattern)?.messages[frame.direction] ?? []).filter((documented) => documented.validate(value));
}

const where = (frame: Frame): string => `${frame.golden} ${frame.socket} ${frame.direction} ${frame.text.slice(0, 300)}`;

describe('docs/asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3.0.0 document, without errors or warnings', () => {
    expect(version).toBe('3.0.0');
    const problems = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it('has a channel for each socket path that the golden transcripts open, and no other', () => {
    // A path whose every upgrade was refused (404) is no socket.
    const served = new Set(socketEntries.filter((e) => !('connect' in e) && !('upgrade' in e)).map((e) => shape(e.pattern)));
    expect(served.size).toBeGreaterThan(0);
    expect(new Set(channels.map(({ channel }) => shape(channel.address() ?? '')))).toEqual(served);
  });

  it('matches every recorded frame with exactly one message of its direction on its socket', () => {
    expect(new Set(frames.map((frame) => frame.direction))).toEqual(new Set(['in', 'out']));
    const wrong = frames.flatMap((frame) => {
      const found = matches(frame).map((m) => m.key);
      return found.length === 1 ? [] : [`${where(frame)} -> [${found.join(', ')}]`];
    });
    expect(wrong).toEqual([]);
  });

  it('sees every refused frame answered by an error frame on its socket before the next frame it sends', () => {
    const waiting = new Map<string, Frame>();
    const unanswered: string[] = [];
    const settle = (socket: string): void => {
      const refused = waiting.get(socket);
      if (refused) unanswered.push(where(refused));
      waiting.delete(socket);
    };
    for (const { name, entries } of goldenFiles) {
      for (const frame of frames.filter((f) => f.golden === name)) {
        const tags = matches(frame).flatMap((m) => m.tags);
        if (frame.direction === 'in') {
          settle(frame.socket);
          if (tags.includes('refused')) waiting.set(frame.socket, frame);
        } else if (tags.includes('error')) {
          waiting.delete(frame.socket);
        }
      }
      for (const socket of new Set(entries.filter((e): e is SocketEntry => 'socket' in e).map((e) => e.socket))) settle(socket);
    }
    expect(unanswered).toEqual([]);
  });

  it('uses each of its messages on some socket and some recorded frame', () => {
    expect(unreferenced).toEqual([]);
    const seen = new Set(frames.flatMap((frame) => matches(frame).map((m) => m.key)));
    const unused = channels.flatMap(({ messages }) => [...messages.in, ...messages.out].map((m) => m.key)).filter((key) => !seen.has(key));
    expect(unused).toEqual([]);
  });

  it("lists every close code and reason a socket was closed with under that socket's x-close-codes", () => {
    const missing = socketEntries.flatMap((entry) => {
      if (!('close' in entry)) return [];
      const documented = channelFor(entry.pattern);
      const listed = documented && closeCodesOf(documented.channel).some((c) => c.code === entry.close && c.reason === entry.reason);
      return listed ? [] : [`${entry.golden} ${entry.socket}: ${entry.close} ${entry.reason}`];
    });
    expect(missing).toEqual([]);
    for (const { channel } of channels) {
      expect(closeCodesOf(channel).map((c) => c.code)).toEqual(expect.arrayContaining([4401, 4408, 4429, 1001, 1013]));
    }
  });

  it('gives every message examples that are recorded frames of its direction and match it', () => {
    const recorded: Record<Direction, Set<string>> = { in: new Set(), out: new Set() };
    for (const frame of frames) recorded[frame.direction].add(frame.text);
    const wrong: string[] = [];
    for (const { messages } of channels) {
      for (const direction of ['in', 'out'] as const) {
        for (const documented of messages[direction]) {
          const examples = documented.message.examples().all().map((example) => example.payload() as unknown);
          if (examples.length === 0) wrong.push(`${documented.key}: no example`);
          for (const example of examples) {
            if (!documented.validate(example)) wrong.push(`${documented.key}: ${frameText(example)} does not match its payload`);
            if (!recorded[direction].has(frameText(example))) wrong.push(`${documented.key}: ${frameText(example)} was never recorded`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('renders to the committed docs/sockets.md (npm run docs:sockets)', async () => {
    expect(fs.readFileSync(file('docs/sockets.md'), 'utf8')).toBe(await renderSocketsReference(source));
  });
});
