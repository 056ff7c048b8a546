// Which local sockets listen to which topic. A topic is subscribed on the bus while at least one
// local socket wants it, and every event is rendered once per distinct frame (see rendered.ts).
// Most topics (an account's) have one socket: it is held as it is, a set only from the second on,
// and one handler serves every topic, so an idle socket's topic costs one map entry.
import type { Bus } from '../bus/bus.js';
import { withItem, withoutItem, type OneOrSet } from '../one-or-set.js';
import { isDeliveryEvent, type CoreEvent, type DeliveryEvent } from '../core/events.js';
import type { Connection } from './connection.js';
import { RenderedFrames } from './rendered.js';

export class Registry {
  private readonly topics = new Map<string, OneOrSet<Connection>>();
  private readonly rendered = new WeakMap<DeliveryEvent, RenderedFrames>();
  private readonly onEvent = (event: CoreEvent, topic: string): void => {
    if (isDeliveryEvent(event)) this.dispatch(topic, event);
  };

  constructor(private readonly bus: Bus<CoreEvent>) {}

  /** Resolves once events published to the topic from now on reach the connection. */
  subscribe(connection: Connection, topic: string): Promise<void> {
    this.topics.set(topic, withItem(this.topics.get(topic), connection));
    // Once the bus is subscribed (or being so), asking again waits for the same confirmation.
    return this.bus.subscribe(topic, this.onEvent);
  }

  unsubscribe(connection: Connection, topic: string): void {
    const listeners = this.topics.get(topic);
    if (listeners === undefined) return;
    const left = withoutItem(listeners, connection);
    if (left !== undefined) {
      this.topics.set(topic, left);
      return;
    }
    this.topics.delete(topic);
    this.bus.unsubscribe(topic, this.onEvent);
  }

  private dispatch(topic: string, event: DeliveryEvent): void {
    const listeners = this.topics.get(topic);
    if (listeners === undefined) return;
    let rendered = this.rendered.get(event);
    if (!rendered) {
      rendered = new RenderedFrames();
      this.rendered.set(event, rendered);
    }
    if (listeners instanceof Set) for (const connection of listeners) connection.deliver(event, rendered);
    else listeners.deliver(event, rendered);
  }
}
