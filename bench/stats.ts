// Latency histograms that merge across processes: log buckets 1% wide from 1 µs, so a
// percentile is exact to 1% and a histogram travels over IPC as one array of counts.

const MIN_MS = 0.001;
const GROWTH = 1.01;
const BUCKETS = 2400; // 1 µs · 1.01^2400 ≈ 6.6 hours: anything later lands in the last bucket.
const LOG_GROWTH = Math.log(GROWTH);

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export class Histogram {
  readonly counts: number[];
  count = 0;
  max = 0;

  constructor(counts?: readonly number[]) {
    this.counts = counts ? [...counts] : new Array<number>(BUCKETS).fill(0);
    for (const n of this.counts) this.count += n;
    if (counts) this.max = this.count === 0 ? 0 : bucketUpper(lastNonZero(this.counts));
  }

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count += 1;
    if (ms > this.max) this.max = ms;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.count += other.count;
    this.max = Math.max(this.max, other.max);
  }

  /** The latency below which the fraction `q` (0..1) of the samples fall, in ms (bucket upper bound). */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(bucketUpper(i), this.max);
    }
    return this.max;
  }

  summary(): LatencySummary {
    return { count: this.count, p50: this.percentile(0.5), p90: this.percentile(0.9), p99: this.percentile(0.99), max: this.max };
  }
}

function bucketUpper(index: number): number {
  return MIN_MS * GROWTH ** index;
}

function lastNonZero(counts: readonly number[]): number {
  for (let i = counts.length - 1; i >= 0; i--) if ((counts[i] ?? 0) > 0) return i;
  return 0;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes on one machine. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
