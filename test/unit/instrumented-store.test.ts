// The store instrumentation times calls at any depth without a list of methods.
import { describe, expect, it } from 'vitest';
import { instrumentStore } from '../../src/store/instrumented.js';

class Shelf {
  #items = ['a'];
  async count(): Promise<number> {
    return this.#items.length;
  }
  label(): string {
    return `shelf of ${this.#items.length}`;
  }
  async fail(): Promise<never> {
    throw new Error('shelf is down');
  }
}

class Warehouse {
  readonly name = 'main';
  readonly shelves = { cold: new Shelf(), deep: { dry: new Shelf() } };
  async ping(): Promise<void> {}
}

function observed(): { calls: Array<[string, number]>; warehouse: Warehouse } {
  const calls: Array<[string, number]> = [];
  return { calls, warehouse: instrumentStore(new Warehouse(), (operation, seconds) => calls.push([operation, seconds])) };
}

describe('instrumentStore', () => {
  it('times methods at the top and in nested objects at any depth, named by their path', async () => {
    const { calls, warehouse } = observed();
    await warehouse.ping();
    expect(await warehouse.shelves.cold.count()).toBe(1);
    expect(await warehouse.shelves.deep.dry.count()).toBe(1);
    expect(calls.map(([operation]) => operation)).toEqual(['ping', 'shelves.cold.count', 'shelves.deep.dry.count']);
    for (const [, seconds] of calls) expect(seconds).toBeGreaterThanOrEqual(0);
  });

  it('runs methods on the real object (private fields work), leaves plain values alone, times sync calls', () => {
    const { calls, warehouse } = observed();
    expect(warehouse.name).toBe('main');
    expect(warehouse.shelves.cold.label()).toBe('shelf of 1');
    expect(calls.map(([operation]) => operation)).toEqual(['shelves.cold.label']);
  });

  it('times a failing call and passes its error on', async () => {
    const { calls, warehouse } = observed();
    await expect(warehouse.shelves.cold.fail()).rejects.toThrow('shelf is down');
    expect(calls.map(([operation]) => operation)).toEqual(['shelves.cold.fail']);
  });

  it('hands out the same wrapper each time, so a method read once stays measured', async () => {
    const { calls, warehouse } = observed();
    expect(warehouse.shelves.cold.count).toBe(warehouse.shelves.cold.count);
    const count = warehouse.shelves.cold.count;
    await count();
    expect(calls.map(([operation]) => operation)).toEqual(['shelves.cold.count']);
  });
});
