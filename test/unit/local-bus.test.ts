import { describe, expect, it } from 'vitest';
import { LocalBus } from '../../src/bus/local-bus.js';

describe('LocalBus', () => {
  it('delivers to the subscribers of the topic only, until they unsubscribe', async () => {
    const bus = new LocalBus<{ n: number }>({ onHandlerError: () => undefined });
    const got: string[] = [];
    const handler = (event: { n: number }, topic: string): void => void got.push(`${topic}:${event.n}`);
    void bus.subscribe('a', handler);
    void bus.subscribe('b', handler);
    await bus.publish('a', { n: 1 });
    await bus.publish('b', { n: 2 });
    await bus.publish('c', { n: 3 });
    bus.unsubscribe('a', handler);
    await bus.publish('a', { n: 4 });
    expect(got).toEqual(['a:1', 'b:2']);
  });

  it('reports a failing handler and still runs the others', async () => {
    const errors: string[] = [];
    const bus = new LocalBus<number>({ onHandlerError: (error, topic) => errors.push(`${topic}:${(error as Error).message}`) });
    let ran = false;
    bus.subscribe('t', () => {
      throw new Error('boom');
    });
    bus.subscribe('t', () => {
      ran = true;
    });
    await bus.publish('t', 1);
    expect(errors).toEqual(['t:boom']);
    expect(ran).toBe(true);
  });

  it('never runs a handler inside publish itself', async () => {
    const bus = new LocalBus<number>({ onHandlerError: () => undefined });
    let ran = false;
    bus.subscribe('t', () => {
      ran = true;
    });
    const published = bus.publish('t', 1);
    expect(ran).toBe(false);
    await published;
    expect(ran).toBe(true);
  });
});
