// The Redis bus of two processes sharing a prefix: a publication reaches the publisher's own
// handlers directly and the other process's through Redis, each exactly once (Redis's echo of
// the publisher's own event is dropped).
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBus } from '../../src/bus/redis-bus.js';

const postgres = process.env.PARLEY_TEST_STORE === 'postgres';
const buses: Array<RedisBus<{ n: number }>> = [];
afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.close();
});

describe.runIf(postgres)('the Redis bus', () => {
  it('delivers a publication once to the publisher and once to another process', async () => {
    const prefix = `parley-test-${randomBytes(6).toString('hex')}:`;
    const open = async () => {
      const bus = new RedisBus<{ n: number }>({ url: process.env.PARLEY_TEST_REDIS_URL ?? '', prefix, onHandlerError: (error) => { throw error; } });
      await bus.connect();
      buses.push(bus);
      return bus;
    };
    const [here, there] = [await open(), await open()];
    const received: Record<'here' | 'there', number[]> = { here: [], there: [] };
    await here.subscribe('topic', (event) => received.here.push(event.n));
    await there.subscribe('topic', (event) => received.there.push(event.n));
    await here.publish('topic', { n: 1 });
    await there.publish('topic', { n: 2 });
    // Long enough for any echo to have come back through Redis.
    await sleep(200);
    // Each process sees its own publication first: the other's comes through Redis.
    expect(received).toEqual({ here: [1, 2], there: [2, 1] });
  });
});
