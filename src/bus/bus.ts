// Fan-out between processes: publish an event to a topic; every subscriber of that topic, on
// every process, receives it. Events must survive JSON (a remote bus serializes them).

export type BusHandler<E> = (event: E, topic: string) => void;

export interface Subscription {
  /** Resolves once every event published from now on will reach the handler. */
  ready: Promise<void>;
  unsubscribe(): void;
}

export interface Bus<E> {
  publish(topic: string, event: E): Promise<void>;
  subscribe(topic: string, handler: BusHandler<E>): Subscription;
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
