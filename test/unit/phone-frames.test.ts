import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeSendCommand, FrameError, MAX_FRAME_CHARS, requireKeys } from '../../src/dialects/phone/decode.js';
import { fetchFrames, httpTimestamp, serverTimestamp, storedTimestamp } from '../../src/dialects/phone/encode.js';

describe('decodeFrame', () => {
  it('keeps the five envelope keys and drops anything else', () => {
    const frame = decodeFrame(JSON.stringify({ command: 'new_msg', message: 'm', msg_from: 'a', msg_to: 'b', sent_timestamp: 't', extra: 1 }));
    expect(frame).toEqual({ command: 'new_msg', message: 'm', msg_from: 'a', msg_to: 'b', sent_timestamp: 't' });
  });

  it.each([
    ['not json', 'invalid', 'frame is not valid JSON'],
    ['null', 'invalid', 'frame must be a JSON object'],
    ['[]', 'invalid', 'frame must be a JSON object'],
    ['{}', 'invalid', 'command is required'],
    ['{"command": 1}', 'invalid', 'command must be a string'],
    ['{"command": "new_msg", "msg_to": 5}', 'new_msg', 'msg_to must be a string'],
  ])('refuses %s', (text, type, message) => {
    expect(() => decodeFrame(text)).toThrow(new FrameError(type, message));
    try {
      decodeFrame(text);
    } catch (error) {
      expect((error as FrameError).type).toBe(type);
    }
  });

  it('refuses a frame over the size cap before parsing it', () => {
    expect(() => decodeFrame(' '.repeat(MAX_FRAME_CHARS + 1))).toThrow(/too large/);
  });
});

describe('requireKeys', () => {
  it('names the first missing key and caps lengths', () => {
    expect(() => requireKeys({ command: 'x', message: 'm' }, ['message', 'msg_from'])).toThrow('msg_from is required');
    expect(() => requireKeys({ command: 'x', message: 'm'.repeat(1201) }, ['message'])).toThrow(/at most 1200/);
    expect(() => requireKeys({ command: 'x', sent_timestamp: 't'.repeat(65) }, ['sent_timestamp'])).toThrow(/at most 64/);
    expect(requireKeys({ command: 'x', message: 'm', msg_to: 'b' }, ['message', 'msg_to'])).toEqual({ message: 'm', msg_to: 'b' });
  });
});

describe('fetchFrames', () => {
  /** The items in pages of `pageSize` (and an empty page among them, as a store step may give). */
  async function* pages(items: object[], pageSize: number): AsyncGenerator<object[]> {
    yield [];
    for (let start = 0; start < items.length; start += pageSize) yield items.slice(start, start + pageSize);
  }

  const collect = async (frames: AsyncIterable<string>): Promise<any[]> => {
    const all = [];
    for await (const frame of frames) all.push(JSON.parse(frame));
    return all;
  };

  it.each(Array.from({ length: 32 }, (_, n) => [n, 1 + (n % 13)]))(
    'splits %i items arriving in pages of %i into chunks of ten, each item once, all: true last',
    async (n, pageSize) => {
      const items = Array.from({ length: n }, (_, i) => ({ i }));
      const frames = await collect(fetchFrames('fetch_msgs', pages(items, pageSize)));
      expect(frames.length).toBe(Math.max(1, Math.ceil(n / 10)));
      expect(frames.map((f) => f.all)).toEqual(frames.map((_, i) => i === frames.length - 1));
      expect(frames.slice(0, -1).every((f) => JSON.parse(f.messages).length === 10)).toBe(true);
      expect(frames.flatMap((f) => JSON.parse(f.messages))).toEqual(items);
      for (const frame of frames) {
        expect(Object.keys(frame)).toEqual(['command', 'messages', 'all']);
        expect(typeof frame.messages).toBe('string');
      }
    },
  );

  it('answers one empty chunk when nothing waits', async () => {
    expect(await collect(fetchFrames('fetch_grp_msgs', pages([], 10)))).toEqual([{ command: 'fetch_grp_msgs', messages: '[]', all: true }]);
  });
});

describe('timestamp formats', () => {
  it('writes the original formats', () => {
    expect(serverTimestamp(new Date('2026-11-21T21:59:38.036Z'))).toBe('2026-11-21T21:59:38.036000');
    expect(storedTimestamp('2021-01-20T10:00:05.123000Z')).toBe('2021-01-20T10:00:05.123000Z');
    expect(storedTimestamp('2021-01-21T00:00:00.000000Z')).toBe('2021-01-21T00:00:00Z');
    expect(httpTimestamp('2021-01-20T04:30:03.300000Z')).toBe('2021-01-20T04:30:03.300Z');
    expect(httpTimestamp('2020-11-25T07:36:50.000000Z')).toBe('2020-11-25T07:36:50Z');
    expect(httpTimestamp(null)).toBeNull();
  });
});

describe('decodeSendCommand', () => {
  const frame = { command: 'new_msg', message: 'hi', msg_from: '1111111111', msg_to: '2222222222', sent_timestamp: '2020-11-21 16:32:17.356' };

  it("reads a send-socket frame as the core's command, in the domain's names", () => {
    expect(decodeSendCommand(frame, 'post', true)).toEqual({
      action: 'post',
      from: '1111111111',
      to: '2222222222',
      body: 'hi',
      clientSentAt: '2020-11-21 16:32:17.356',
    });
    expect(decodeSendCommand(frame, 'acknowledge', true)).toEqual({
      action: 'acknowledge',
      from: '1111111111',
      to: '2222222222',
      ref: 'hi',
      at: '2020-11-21 16:32:17.356',
    });
    expect(decodeSendCommand({ ...frame, message: undefined }, 'typing', false)).toEqual({
      action: 'typing',
      from: '1111111111',
      to: undefined,
      at: '2020-11-21 16:32:17.356',
    });
  });

  it('needs msg_to only on addressed sockets, and message except for typing', () => {
    const { msg_to: _to, ...unaddressed } = frame;
    expect(() => decodeSendCommand(unaddressed, 'post', true)).toThrow(new FrameError('new_msg', 'msg_to is required'));
    expect(decodeSendCommand(unaddressed, 'post', false)).toMatchObject({ action: 'post', to: undefined });
    const { message: _message, ...typing } = frame;
    expect(() => decodeSendCommand(typing, 'markRead', true)).toThrow(new FrameError('new_msg', 'message is required'));
  });
});
