// The web client's outbox: my messages wait for the socket, fail when it drops or the server
// refuses them, and a refusal that does not name its frame lands on the right message.
import { describe, expect, it } from 'vitest';
import { LOST_REASON, Outbox } from '../../web/src/outbox.js';

interface Frame {
  body: string;
}

function setUp(connected = true) {
  const socket = { connected, written: [] as object[], send(frame: object) { this.written.push(frame); } };
  const failures: Array<[string, string]> = [];
  const outbox = new Outbox<Frame>(socket, (id, reason) => failures.push([id, reason]));
  const byBody = (body: string) => (frame: Frame) => frame.body === body;
  return { socket, failures, outbox, byBody };
}

describe('Outbox', () => {
  it('holds messages while the socket is down and writes them in order when it opens', () => {
    const { socket, outbox, failures } = setUp(false);
    outbox.send('1', { body: 'a' });
    outbox.send('2', { body: 'b' });
    outbox.lost();
    expect(socket.written).toEqual([]);
    expect(failures).toEqual([]);
    socket.connected = true;
    outbox.flush();
    expect(socket.written).toEqual([{ body: 'a' }, { body: 'b' }]);
  });

  it('fails what was written but not confirmed when the socket drops, and nothing confirmed', () => {
    const { outbox, failures, byBody } = setUp();
    outbox.send('1', { body: 'a' });
    outbox.send('2', { body: 'b' });
    expect(outbox.confirm(byBody('a'))).toBe('1');
    outbox.lost();
    expect(failures).toEqual([['2', LOST_REASON]]);
    expect(outbox.confirm(byBody('b'))).toBeUndefined();
  });

  it('gives a refusal to the oldest written message, and gives the frame back for a retry', () => {
    const { outbox, failures } = setUp();
    outbox.send('1', { body: 'a' });
    outbox.send('2', { body: 'b' });
    outbox.refuse('too long');
    expect(failures).toEqual([['1', 'too long']]);
    expect(outbox.forget('1')).toEqual({ body: 'a' });
    expect(outbox.forget('1')).toBeUndefined();
  });

  it('moves a refusal on to the next message when the one it was given turns out sent', () => {
    const { outbox, failures, byBody } = setUp();
    outbox.send('1', { body: 'a' });
    outbox.send('2', { body: 'b' });
    // The refusal of "b" arrives before the broadcast of "a".
    outbox.refuse('too long');
    expect(outbox.confirm(byBody('a'))).toBe('1');
    expect(failures).toEqual([['1', 'too long'], ['2', 'too long']]);
  });

  it('drops a refusal that was another frame’s when no message written before it is left', () => {
    const { outbox, failures, byBody } = setUp();
    outbox.send('1', { body: 'a' });
    outbox.refuse('Reaction failed');
    outbox.send('2', { body: 'b' });
    expect(outbox.confirm(byBody('a'))).toBe('1');
    expect(failures).toEqual([['1', 'Reaction failed']]);
    expect(outbox.confirm(byBody('b'))).toBe('2');
  });
  it('resends a lost message unchanged once the socket is back, when the server stores a repeat once', () => {
    const socket = { connected: true, written: [] as object[], send(frame: object) { this.written.push(frame); } };
    const failures: Array<[string, string]> = [];
    const outbox = new Outbox<Frame>(socket, (id, reason) => failures.push([id, reason]), true);
    outbox.send('1', { body: 'a' });
    socket.connected = false;
    outbox.lost();
    outbox.send('2', { body: 'b' });
    expect(failures).toEqual([]);
    socket.connected = true;
    outbox.flush();
    expect(socket.written).toEqual([{ body: 'a' }, { body: 'a' }, { body: 'b' }]);
    expect(outbox.confirm((frame) => frame.body === 'a')).toBe('1');
    outbox.lost();
    outbox.flush();
    expect(socket.written).toEqual([{ body: 'a' }, { body: 'a' }, { body: 'b' }, { body: 'b' }]);
  });
});
