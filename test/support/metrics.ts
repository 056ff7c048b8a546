// Reads a /metrics scrape with parse-prometheus-text-format. That parser folds a histogram
// with labels into one unlabelled series and drops its _count and _sum (its open issue #13), so
// the samples come from a second parse in which histograms are left untyped: their _bucket,
// _sum and _count series then come out as plain samples, labels and all.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Endpoint } from './server.js';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** Each family by name: its TYPE (lower case, as written) and HELP. */
  families: Map<string, { type: string; help: string }>;
  /** Every sample of one series name (e.g. parley_store_seconds_count). */
  samples(name: string): Sample[];
  /** The value of the sample with exactly these labels, if there is one. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

export function parseScrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, { type: f.type.toLowerCase(), help: f.help }]));
  const untyped = text.replace(/^# TYPE \S+ histogram$/gm, '');
  const series = new Map<string, Sample[]>();
  for (const family of parsePrometheusTextFormat(untyped)) {
    const samples = series.get(family.name) ?? [];
    for (const sample of family.metrics) samples.push({ labels: sample.labels ?? {}, value: Number(sample.value) });
    series.set(family.name, samples);
  }
  const samples = (name: string): Sample[] => series.get(name) ?? [];
  const sameLabels = (a: Record<string, string>, b: Record<string, string>): boolean =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);
  return {
    families,
    samples,
    value: (name, labels = {}) => samples(name).find((s) => sameLabels(s.labels, labels))?.value,
  };
}

/** Scrapes the server's /metrics with the scraper's bearer token (PARLEY_METRICS_TOKEN). */
export async function scrape(server: Endpoint, token: string): Promise<{ contentType: string | null; metrics: Scrape }> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return { contentType: response.headers.get('content-type'), metrics: parseScrape(await response.text()) };
}
