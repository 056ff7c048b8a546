// The in-process bus: one process, no serialization; handlers run on a later microtask so a
// publisher never re-enters itself, and one failing handler does not starve the others.
import { withItem, withoutItem } from '../one-or-set.js';
import { deliverHere, type Bus, type BusHandler, type BusObserver, type Handlers } from './bus.js';

export class LocalBus<E> implements Bus<E> {
  private readonly handlers = new Map<string, Handlers<E>>();

  constructor(private readonly observer: BusObserver) {}

  publish(topic: string, event: E): Promise<void> {
    return deliverHere(this.handlers, topic, event, this.observer);
  }

  subscribe(topic: string, handler: BusHandler<E>): Promise<void> {
    this.handlers.set(topic, withItem(this.handlers.get(topic), handler));
    return Promise.resolve();
  }

  unsubscribe(topic: string, handler: BusHandler<E>): void {
    const current = this.handlers.get(topic);
    if (!current) return;
    const left = withoutItem(current, handler);
    if (left) this.handlers.set(topic, left);
    else this.handlers.delete(topic);
  }

  async ping(): Promise<void> {}

  /** An in-process bus never loses its connection: nothing is ever missed. */
  onResumed(): void {}

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
