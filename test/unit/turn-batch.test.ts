// A turn batch: callers of one turn of the event loop share a call that starts after all of them
// asked; a later turn calls again.
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src/turn-batch.js';

describe('a turn batch', () => {
  it('calls once with the keys of every caller of a turn, after they all asked, and again for a later turn', async () => {
    const reads: number[][] = [];
    const turn = new TurnBatch<number, string>(async (keys) => {
      reads.push(keys);
      return new Map(keys.map((key) => [key, `value ${key}`]));
    });
    const first = turn.request([1, 2]);
    const second = turn.request([2, 3]);
    expect(reads).toEqual([]);
    expect(await first).toBe(await second);
    expect(await first).toEqual(new Map([[1, 'value 1'], [2, 'value 2'], [3, 'value 3']]));
    await setImmediate();
    expect((await turn.request([4])).get(4)).toBe('value 4');
    expect(reads).toEqual([[1, 2, 3], [4]]);
  });

  it('gives a failed call to the callers of its turn only', async () => {
    let fail = true;
    const turn = new TurnBatch<number, string>(async (keys) => {
      if (fail) throw new Error('gone');
      return new Map(keys.map((key) => [key, 'ok']));
    });
    await expect(turn.request([1])).rejects.toThrow('gone');
    fail = false;
    expect(await turn.request([1])).toEqual(new Map([[1, 'ok']]));
  });
});
