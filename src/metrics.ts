// What /metrics serves, built on prom-client: this server's own metrics in a registry of its
// own (a process may run several servers, as the tests do), plus the process's CPU, memory,
// heap, GC and event-loop lag.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConversationKind } from './store/records.js';

/** Seconds, from 0.5 ms to 5 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

let processRegistry: Registry | undefined;

/**
 * The process's metrics, collected once per process: prom-client watches GC and event-loop
 * delay with observers it never stops, so one set per server would pile up in a process that
 * starts many.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A dialect's frames so far, counted as plain numbers: a frame is too frequent for a labelled inc. */
interface FrameCount {
  in: number;
  out: number;
}

export class Metrics {
  private readonly own = new Registry();
  private openSocketsByDialect: () => Iterable<[string, number]> = () => [];
  private readonly frames = new Map<string, FrameCount>();

  private readonly framesIn: Counter<'dialect'> = new Counter({
    name: 'parley_frames_in_total',
    help: 'WebSocket frames received, by dialect.',
    labelNames: ['dialect'] as const,
    registers: [this.own],
    collect: (): void => this.collectFrames(this.framesIn, 'in'),
  });
  private readonly framesOut: Counter<'dialect'> = new Counter({
    name: 'parley_frames_out_total',
    help: 'WebSocket frames sent, by dialect.',
    labelNames: ['dialect'] as const,
    registers: [this.own],
    collect: (): void => this.collectFrames(this.framesOut, 'out'),
  });
  readonly messagesStored = new Counter({
    name: 'parley_messages_stored_total',
    help: 'Messages committed to the store, by kind of conversation (dialogue, group, match, room).',
    labelNames: ['kind'] as const,
    registers: [this.own],
  });
  readonly deliveries = new Counter({
    name: 'parley_deliveries_total',
    help: 'Deliveries created (one per recipient of a stored phone message).',
    registers: [this.own],
  });
  readonly storeLatency = new Histogram({
    name: 'parley_store_seconds',
    help: 'Store call latency, by operation (by aggregate, as "messages.history").',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.own],
  });
  readonly busLatency = new Histogram({
    name: 'parley_bus_seconds',
    help: 'Time from publishing an event to its delivery on this process.',
    buckets: LATENCY_BUCKETS,
    registers: [this.own],
  });
  readonly openSockets = new Gauge({
    name: 'parley_open_sockets',
    help: 'Open WebSocket connections, by dialect.',
    labelNames: ['dialect'] as const,
    registers: [this.own],
    collect: () => {
      this.openSockets.reset();
      for (const [dialect, count] of this.openSocketsByDialect()) this.openSockets.set({ dialect }, count);
    },
  });

  /** Everything /metrics serves. */
  readonly registry = Registry.merge([processMetrics(), this.own]);

  /** Where the open-sockets gauge reads its values at scrape time. */
  countOpenSockets(read: () => Iterable<[string, number]>): void {
    this.openSocketsByDialect = read;
  }

  /** A dialect's frame counters start at 0, so that each dialect served has its series. */
  serveDialect(dialect: string): void {
    this.frameCount(dialect);
  }

  frameIn(dialect: string): void {
    this.frameCount(dialect).in += 1;
  }

  frameOut(dialect: string): void {
    this.frameCount(dialect).out += 1;
  }

  private frameCount(dialect: string): FrameCount {
    let count = this.frames.get(dialect);
    if (!count) {
      count = { in: 0, out: 0 };
      this.frames.set(dialect, count);
    }
    return count;
  }

  private collectFrames(counter: Counter<'dialect'>, direction: keyof FrameCount): void {
    counter.reset();
    for (const [dialect, count] of this.frames) counter.inc({ dialect }, count[direction]);
  }

  messageStored(kind: ConversationKind, deliveries: number): void {
    this.messagesStored.inc({ kind });
    this.deliveries.inc(deliveries);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
