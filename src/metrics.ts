// A small Prometheus registry: counters, gauges read at scrape time, and histograms, rendered in
// the text exposition format. Labels are fixed per series at first use.

type Labels = Record<string, string>;

const labelText = (labels: Labels): string => {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
};

interface Metric {
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [labels, value] of this.values) lines.push(`${this.name}${labels} ${value}`);
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    return lines;
  }
}

/** A gauge whose values are read when scraped. */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Array<[Labels, number]>,
  ) {}

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [labels, value] of this.read()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines;
  }
}

/** Seconds, from 0.5 ms to 5 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number; labels: Labels }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[] = LATENCY_BUCKETS,
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let series = this.series.get(key);
    if (!series) {
      series = { counts: this.buckets.map(() => 0), sum: 0, count: 0, labels };
      this.series.set(key, series);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] ?? Infinity)) series.counts[i] = (series.counts[i] ?? 0) + 1;
    }
    series.sum += value;
    series.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { counts, sum, count, labels } of this.series.values()) {
      this.buckets.forEach((le, i) => {
        lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(le) })} ${counts[i] ?? 0}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines;
  }
}

/** Everything Parley reports at /metrics. */
export class Metrics {
  readonly framesIn = new Counter('parley_frames_in_total', 'WebSocket frames received, by dialect.');
  readonly framesOut = new Counter('parley_frames_out_total', 'WebSocket frames sent, by dialect.');
  readonly messagesStored = new Counter('parley_messages_stored_total', 'Messages committed to the store.');
  readonly deliveries = new Counter('parley_deliveries_total', 'Deliveries created (one per recipient of a stored message).');
  readonly storeLatency = new Histogram('parley_store_seconds', 'Store call latency, by operation.');
  readonly busLatency = new Histogram('parley_bus_seconds', 'Time from publishing an event to its delivery on this process.');
  private readonly metrics: Metric[] = [
    this.framesIn,
    this.framesOut,
    this.messagesStored,
    this.deliveries,
    this.storeLatency,
    this.busLatency,
  ];

  add(metric: Metric): void {
    this.metrics.push(metric);
  }

  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
