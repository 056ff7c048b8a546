// Fan-out between processes: publish an event to a topic; every subscriber of that topic, on
// every process, receives it. Events must survive JSON (a remote bus serializes them).

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

/**
 * A topic's handlers: most topics (an account's, a room's) have one, held as it is; a set only
 * from the second on, because a set costs far more than its one entry.
 */
export type Handlers<E> = BusHandler<E> | Set<BusHandler<E>>;

export function withHandler<E>(handlers: Handlers<E> | undefined, handler: BusHandler<E>): Handlers<E> {
  if (handlers === undefined || handlers === handler) return handler;
  if (handlers instanceof Set) return handlers.add(handler);
  return new Set([handlers, handler]);
}

/** The handlers left once this one is gone; undefined when none is. */
export function withoutHandler<E>(handlers: Handlers<E>, handler: BusHandler<E>): Handlers<E> | undefined {
  if (!(handlers instanceof Set)) return handlers === handler ? undefined : handlers;
  handlers.delete(handler);
  if (handlers.size > 1) return handlers;
  const [lone] = handlers;
  return lone;
}

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
