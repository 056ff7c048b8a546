// Which local sockets listen to which topic. A topic is subscribed on the bus while at least one
// local socket wants it, and every event is rendered once per distinct frame (see rendered.ts).
import type { Bus, Subscription } from '../bus/bus.js';
import { isDeliveryEvent, type CoreEvent, type DeliveryEvent } from '../core/events.js';
import type { Connection } from './connection.js';
import { RenderedFrames } from './rendered.js';

export class Registry {
  private readonly topics = new Map<string, { connections: Set<Connection>; subscription: Subscription }>();
  private readonly rendered = new WeakMap<DeliveryEvent, RenderedFrames>();

  constructor(private readonly bus: Bus<CoreEvent>) {}

  /** Resolves once events published to the topic from now on reach the connection. */
  subscribe(connection: Connection, topic: string): Promise<void> {
    let entry = this.topics.get(topic);
    if (!entry) {
      const subscription = this.bus.subscribe(topic, (event) => {
        if (isDeliveryEvent(event)) this.dispatch(topic, event);
      });
      entry = { connections: new Set(), subscription };
      this.topics.set(topic, entry);
    }
    entry.connections.add(connection);
    return entry.subscription.ready;
  }

  unsubscribe(connection: Connection, topic: string): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    entry.connections.delete(connection);
    if (entry.connections.size === 0) {
      entry.subscription.unsubscribe();
      this.topics.delete(topic);
    }
  }

  private dispatch(topic: string, event: DeliveryEvent): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    let rendered = this.rendered.get(event);
    if (!rendered) {
      rendered = new RenderedFrames();
      this.rendered.set(event, rendered);
    }
    for (const connection of entry.connections) connection.deliver(event, rendered);
  }
}
