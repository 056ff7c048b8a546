// The benchmark's latency histogram: percentiles within its 1% bucket precision, merging, and
// the round trip through plain counts that carries it between processes.
import { describe, expect, it } from 'vitest';
import { Histogram } from '../../bench/stats.js';

describe('bench latency histogram', () => {
  it('reads percentiles of 1..1000 ms within 1%', () => {
    const histogram = new Histogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    expect(histogram.count).toBe(1000);
    expect(histogram.percentile(0.5)).toBeGreaterThanOrEqual(500);
    expect(histogram.percentile(0.5)).toBeLessThanOrEqual(505);
    expect(histogram.percentile(0.99)).toBeGreaterThanOrEqual(990);
    expect(histogram.percentile(0.99)).toBeLessThanOrEqual(1000);
    expect(histogram.summary().max).toBe(1000);
  });

  it('never reports a percentile above the largest sample', () => {
    const histogram = new Histogram();
    histogram.record(3.2);
    expect(histogram.percentile(0.99)).toBe(3.2);
    expect(new Histogram().percentile(0.99)).toBe(0);
  });

  it('merges histograms from several processes through their counts', () => {
    const fast = new Histogram();
    const slow = new Histogram();
    for (let i = 0; i < 98; i++) fast.record(1);
    for (let i = 0; i < 2; i++) slow.record(200);
    const total = new Histogram(fast.counts);
    total.merge(new Histogram(slow.counts));
    expect(total.count).toBe(100);
    expect(total.percentile(0.98)).toBeLessThan(1.02);
    expect(total.percentile(0.99)).toBeGreaterThan(198);
    expect(total.max).toBeGreaterThan(198);
  });

  it('puts sub-microsecond and very late samples in the end buckets', () => {
    const histogram = new Histogram();
    histogram.record(0);
    histogram.record(1e9);
    expect(histogram.count).toBe(2);
    expect(histogram.percentile(0.5)).toBeLessThanOrEqual(0.001);
    expect(histogram.percentile(1)).toBeGreaterThan(1e6);
  });
});
