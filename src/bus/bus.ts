// Fan-out between processes: publish an event to a topic; every subscriber of that topic, on
// every process, receives it. Events must survive JSON (a remote bus serializes them).
import type { OneOrSet } from '../one-or-set.js';

export type BusHandler<E> = (event: E, topic: string) => void;

export interface Bus<E> {
  publish(topic: string, event: E): Promise<void>;
  /**
   * Resolves once every event published to the topic from now on will reach the handler. A
   * handler is told the topic, so one handler can serve many topics (no closure per topic).
   */
  subscribe(topic: string, handler: BusHandler<E>): Promise<void>;
  unsubscribe(topic: string, handler: BusHandler<E>): void;
  /** Resolves when the bus can carry events (for readiness checks). */
  ping(): Promise<void>;
  /**
   * Calls `listener` each time the bus comes back after losing its connection, once its
   * subscriptions are in effect again: events published meanwhile may never have arrived, so
   * whatever they would have invalidated must be checked again.
   */
  onResumed(listener: () => void): void;
  close(): Promise<void>;
}

export interface BusObserver {
  /** A handler threw; the other handlers still ran. */
  onHandlerError(error: unknown, topic: string): void;
  /** An event reached this process, this many seconds after it was published. */
  onDelivered?(seconds: number): void;
}

/** A topic's handlers: most topics (an account's, a room's) have one. */
export type Handlers<E> = OneOrSet<BusHandler<E>>;

/** Runs each handler (a copy of the set: a handler may unsubscribe), reporting the ones that throw. */
export function runHandlers<E>(handlers: Handlers<E>, event: E, topic: string, observer: BusObserver): void {
  for (const handler of handlers instanceof Set ? [...handlers] : [handlers]) {
    try {
      handler(event, topic);
    } catch (error) {
      observer.onHandlerError(error, topic);
    }
  }
}

/**
 * Runs the topic's handlers of this process on a later microtask, so that a publisher never
 * re-enters itself, and reports how long the hop took.
 */
export async function deliverHere<E>(handlers: ReadonlyMap<string, Handlers<E>>, topic: string, event: E, observer: BusObserver): Promise<void> {
  if (!handlers.has(topic)) return;
  const published = performance.now();
  await Promise.resolve();
  observer.onDelivered?.((performance.now() - published) / 1000);
  const current = handlers.get(topic);
  if (current) runHandlers(current, event, topic, observer);
}
