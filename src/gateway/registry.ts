// Which local sockets listen to which topic. A topic is subscribed on the bus while at least one
// local socket wants it, and every event is rendered once per distinct frame (see SocketSession).
import type { Bus } from '../bus/bus.js';
import type { CoreEvent, DeliveryEvent } from '../core/events.js';
import type { Connection } from './connection.js';

export class Registry {
  private readonly topics = new Map<string, { connections: Set<Connection>; unsubscribe: () => void }>();
  private readonly rendered = new WeakMap<DeliveryEvent, Map<string, string>>();

  constructor(private readonly bus: Bus<CoreEvent>) {}

  subscribe(connection: Connection, topic: string): void {
    let entry = this.topics.get(topic);
    if (!entry) {
      const unsubscribe = this.bus.subscribe(topic, (event) => {
        if (event.type.startsWith('invalidate.')) return;
        this.dispatch(topic, event as DeliveryEvent);
      });
      entry = { connections: new Set(), unsubscribe };
      this.topics.set(topic, entry);
    }
    entry.connections.add(connection);
  }

  unsubscribe(connection: Connection, topic: string): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    entry.connections.delete(connection);
    if (entry.connections.size === 0) {
      entry.unsubscribe();
      this.topics.delete(topic);
    }
  }

  private dispatch(topic: string, event: DeliveryEvent): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    let rendered = this.rendered.get(event);
    if (!rendered) {
      rendered = new Map();
      this.rendered.set(event, rendered);
    }
    for (const connection of entry.connections) connection.session?.onEvent?.(event, rendered);
  }
}
