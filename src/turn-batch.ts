// Requests that callers make in the same turn of the event loop share one call, a read or a write
// of many keys (one round trip to PostgreSQL or Redis, one statement): the call starts once the
// turn's I/O callbacks have run (setImmediate), with the keys of every caller of that turn, so none
// is answered from before it asked. Calls of different turns may be in flight at once.

export class TurnBatch<Key, Value> {
  private next: { keys: Set<Key>; values: Promise<Map<Key, Value>> } | undefined;

  constructor(private readonly many: (keys: Key[]) => Promise<Map<Key, Value>>) {}

  /** The values of these keys (a key without one is left out), from a call made after this one. */
  request(keys: readonly Key[]): Promise<Map<Key, Value>> {
    if (this.next === undefined) {
      const waiting = new Set<Key>();
      const values = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.next = undefined;
        return this.many([...waiting]);
      });
      this.next = { keys: waiting, values };
    }
    for (const key of keys) this.next.keys.add(key);
    return this.next.values;
  }
}
