// Fan-out between processes: publish an event to a topic; every subscriber of that topic, on
// every process, receives it. Events must survive JSON (a remote bus serializes them).

export type BusHandler<E> = (event: E, topic: string) => void;

export interface Bus<E> {
  publish(topic: string, event: E): Promise<void>;
  /** Returns the function that ends this subscription. */
  subscribe(topic: string, handler: BusHandler<E>): () => void;
  /** Resolves when the bus can carry events (for readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface BusObserver {
  /** A handler threw; the other handlers still ran. */
  onHandlerError(error: unknown, topic: string): void;
  /** An event reached this process, this many seconds after it was published. */
  onDelivered?(seconds: number): void;
}
