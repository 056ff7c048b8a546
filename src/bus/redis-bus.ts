// The Redis bus: events cross processes over Redis pub/sub. A process subscribes to a topic on
// Redis while at least one local handler wants it. A process's own publications reach its own
// handlers directly, as on the in-process bus, without the round trip through Redis: Redis
// echoes them back too, marked with the process's origin, and the echo is dropped unread.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { withItem, withoutItem } from '../one-or-set.js';
import { deliverHere, runHandlers, type Bus, type BusHandler, type BusObserver, type Handlers } from './bus.js';

export interface RedisBusOptions extends BusObserver {
  url: string;
  /** Channels are named prefix + topic; each deployment sharing a Redis has its own prefix. */
  prefix: string;
  /** Reports a lost or regained Redis connection. */
  onConnectionChange?: (connected: boolean) => void;
}

/** How long closing waits for publications Redis has not yet taken (a command line's last events). */
const CLOSE_FLUSH_MS = 2000;

/**
 * What travels on a channel: the publishing process, the event and when it was published (for
 * the latency metric). The origin comes first, so that a process knows its own echo from the
 * first bytes.
 */
interface Envelope<E> {
  o?: string;
  t: number;
  e: E;
}

export class RedisBus<E> implements Bus<E> {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, Handlers<E>>();
  /** Per topic, the SUBSCRIBE that Redis has yet to confirm. */
  private readonly confirmed = new Map<string, Promise<void>>();
  /**
   * Topics first subscribed in this tick, each with what confirms it: a burst of sockets opening
   * together sends one SUBSCRIBE for all their topics, not one each.
   */
  private subscribing: Map<string, () => void> | undefined;
  private readonly resumed: Array<() => void> = [];
  private readonly unsent = new Set<Promise<void>>();
  private subscriberWasReady = false;
  /** This process's origin, and how its envelopes begin. */
  private readonly origin = randomBytes(8).toString('hex');
  private readonly ownPrefix = Buffer.from(`{"o":"${this.origin}"`);
  /** Both connections ready, as last reported: only a change is reported (not one client's start). */
  private reportedConnected = false;

  constructor(private readonly options: RedisBusOptions) {
    const common = {
      // Reconnect forever, backing off up to two seconds; pub/sub channels are re-subscribed.
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
      maxRetriesPerRequest: null,
      lazyConnect: true,
    };
    // The publications of one tick (a group commit's messages) leave in one write to Redis.
    this.publisher = new Redis(options.url, { ...common, connectionName: 'parley-publish', enableAutoPipelining: true });
    this.subscriber = new Redis(options.url, { ...common, connectionName: 'parley-subscribe' });
    this.subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) => this.deliver(channel, payload));
    this.subscriber.on('ready', () => {
      if (this.subscriberWasReady) void this.resume();
      this.subscriberWasReady = true;
    });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', () => undefined);
      connection.on('ready', () => this.reportConnection());
      connection.on('close', () => this.reportConnection());
    }
  }

  /** Connects both clients; rejects if Redis does not answer at start. */
  async connect(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
  }

  get connected(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Round trip to Redis, for readiness checks. */
  async ping(): Promise<void> {
    await this.publisher.ping();
  }

  /**
   * Hands the event to Redis without waiting for its reply: a live delivery must never hold up
   * the acknowledgement of a stored message. While Redis is away, ioredis queues the publication
   * and sends it on reconnection; what is stored stays fetchable either way. This process's own
   * handlers run on a later microtask, as on the in-process bus.
   */
  async publish(topic: string, event: E): Promise<void> {
    const envelope: Envelope<E> = { o: this.origin, t: Date.now(), e: event };
    const sent = this.publisher.publish(this.options.prefix + topic, JSON.stringify(envelope)).then(
      () => undefined,
      () => undefined,
    );
    this.unsent.add(sent);
    void sent.finally(() => this.unsent.delete(sent));
    await deliverHere(this.handlers, topic, event, this.options);
  }

  subscribe(topic: string, handler: BusHandler<E>): Promise<void> {
    const handlers = this.handlers.get(topic);
    this.handlers.set(topic, withItem(handlers, handler));
    if (!handlers) {
      // Kept only until Redis confirms: an idle subscription holds no promise.
      const confirmed: Promise<void> = new Promise<void>((confirm) => this.queueSubscribe(topic, confirm)).then(() => this.settled(topic, confirmed));
      this.confirmed.set(topic, confirmed);
    }
    return this.confirmed.get(topic) ?? Promise.resolve();
  }

  private queueSubscribe(topic: string, confirm: () => void): void {
    if (!this.subscribing) {
      const batch = new Map<string, () => void>();
      this.subscribing = batch;
      process.nextTick(() => this.sendSubscribes(batch));
    }
    this.subscribing.set(topic, confirm);
  }

  private sendSubscribes(batch: Map<string, () => void>): void {
    if (this.subscribing === batch) this.subscribing = undefined;
    if (batch.size === 0) return;
    const confirmAll = (): void => {
      for (const confirm of batch.values()) confirm();
    };
    this.subscriber.subscribe(...[...batch.keys()].map((topic) => this.options.prefix + topic)).then(confirmAll, confirmAll);
  }

  private settled(topic: string, confirmed: Promise<void>): void {
    if (this.confirmed.get(topic) === confirmed) this.confirmed.delete(topic);
  }

  unsubscribe(topic: string, handler: BusHandler<E>): void {
    const current = this.handlers.get(topic);
    if (!current) return;
    const left = withoutItem(current, handler);
    if (left) {
      this.handlers.set(topic, left);
      return;
    }
    this.handlers.delete(topic);
    this.confirmed.delete(topic);
    // A SUBSCRIBE not yet sent is dropped instead: sent after this UNSUBSCRIBE, it would stay.
    const unsent = this.subscribing?.get(topic);
    if (unsent) {
      this.subscribing?.delete(topic);
      unsent();
      return;
    }
    this.subscriber.unsubscribe(this.options.prefix + topic).catch(() => undefined);
  }

  private reportConnection(): void {
    const connected = this.connected;
    if (connected === this.reportedConnected) return;
    this.reportedConnected = connected;
    this.options.onConnectionChange?.(connected);
  }

  onResumed(listener: () => void): void {
    this.resumed.push(listener);
  }

  /**
   * ioredis sends the SUBSCRIBEs of a reconnected client right after 'ready'; a PING behind
   * them on the same connection answers once Redis has applied them all.
   */
  private async resume(): Promise<void> {
    try {
      await this.subscriber.ping();
    } catch {
      return; // lost again before resubscribing: the next 'ready' resumes
    }
    for (const listener of this.resumed) {
      try {
        listener();
      } catch (error) {
        this.options.onHandlerError(error, 'resumed');
      }
    }
  }

  /** Hands Redis what is still queued (for up to CLOSE_FLUSH_MS), then disconnects. */
  async close(): Promise<void> {
    this.handlers.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.unsent), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_FLUSH_MS)))]);
    clearTimeout(timer);
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private deliver(channel: Buffer, payload: Buffer): void {
    if (payload.length > this.ownPrefix.length && payload.compare(this.ownPrefix, 0, this.ownPrefix.length, 0, this.ownPrefix.length) === 0) return;
    const topic = channel.toString().slice(this.options.prefix.length);
    const handlers = this.handlers.get(topic);
    if (!handlers) return;
    let envelope: Envelope<E>;
    try {
      envelope = JSON.parse(payload.toString()) as Envelope<E>;
    } catch (error) {
      this.options.onHandlerError(error, topic);
      return;
    }
    this.options.onDelivered?.(Math.max(0, Date.now() - envelope.t) / 1000);
    runHandlers(handlers, envelope.e, topic, this.options);
  }
}
