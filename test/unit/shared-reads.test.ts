// Shared reads: callers of one turn of the event loop share a read that starts after all of them
// asked; a later turn reads again.
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SharedReads } from '../../src/shared-reads.js';

describe('shared reads', () => {
  it('reads the keys of every caller of a turn once, after they all asked, and again for a later turn', async () => {
    const reads: number[][] = [];
    const shared = new SharedReads<number, string>(async (keys) => {
      reads.push(keys);
      return new Map(keys.map((key) => [key, `value ${key}`]));
    });
    const first = shared.read([1, 2]);
    const second = shared.read([2, 3]);
    expect(reads).toEqual([]);
    expect(await first).toBe(await second);
    expect(await first).toEqual(new Map([[1, 'value 1'], [2, 'value 2'], [3, 'value 3']]));
    await setImmediate();
    expect((await shared.read([4])).get(4)).toBe('value 4');
    expect(reads).toEqual([[1, 2, 3], [4]]);
  });

  it('gives a failed read to the callers of its turn only', async () => {
    let fail = true;
    const shared = new SharedReads<number, string>(async (keys) => {
      if (fail) throw new Error('gone');
      return new Map(keys.map((key) => [key, 'ok']));
    });
    await expect(shared.read([1])).rejects.toThrow('gone');
    fail = false;
    expect(await shared.read([1])).toEqual(new Map([[1, 'ok']]));
  });
});
