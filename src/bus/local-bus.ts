// The in-process bus: one process, no serialization; handlers run on a later microtask so a
// publisher never re-enters itself, and one failing handler does not starve the others.
import type { Bus, BusHandler, BusObserver, Subscription } from './bus.js';

export class LocalBus<E> implements Bus<E> {
  private readonly handlers = new Map<string, Set<BusHandler<E>>>();

  constructor(private readonly observer: BusObserver) {}

  async publish(topic: string, event: E): Promise<void> {
    const handlers = this.handlers.get(topic);
    if (!handlers) return;
    const published = performance.now();
    await Promise.resolve();
    this.observer.onDelivered?.((performance.now() - published) / 1000);
    for (const handler of [...handlers]) {
      try {
        handler(event, topic);
      } catch (error) {
        this.observer.onHandlerError(error, topic);
      }
    }
  }

  subscribe(topic: string, handler: BusHandler<E>): Subscription {
    let handlers = this.handlers.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(topic, handlers);
    }
    handlers.add(handler);
    const unsubscribe = (): void => {
      const current = this.handlers.get(topic);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) this.handlers.delete(topic);
    };
    return { ready: Promise.resolve(), unsubscribe };
  }

  async ping(): Promise<void> {}

  /** An in-process bus never loses its connection: nothing is ever missed. */
  onResumed(): void {}

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
