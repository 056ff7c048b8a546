// A collection that is most often one item (a topic's one handler, an account topic's one
// socket): the item is held as it is, a set only from the second on, because a set costs far
// more than its one entry and every idle socket holds such a collection.

export type OneOrSet<T extends object> = T | Set<T>;

/** The collection with `item` added. */
export function withItem<T extends object>(items: OneOrSet<T> | undefined, item: T): OneOrSet<T> {
  if (items === undefined || items === item) return item;
  if (items instanceof Set) return items.add(item);
  return new Set([items, item]);
}

/** The collection once `item` is gone; undefined when nothing is left. */
export function withoutItem<T extends object>(items: OneOrSet<T>, item: T): OneOrSet<T> | undefined {
  if (!(items instanceof Set)) return items === item ? undefined : items;
  items.delete(item);
  if (items.size > 1) return items;
  const [lone] = items;
  return lone;
}
