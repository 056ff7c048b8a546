// A line chart as a standalone SVG, for BENCHMARKS.md: offered rate against p99 latency, one
// polyline per contender, the latency limit as a horizontal line. Latency is on a log scale: a
// ladder spans a fraction of a millisecond to seconds once a server falls behind. No chart
// library: a few dozen elements, written here.

export interface ChartPoint {
  x: number;
  /** Milliseconds. A point without a latency (nothing arrived) is left out. */
  y: number;
  /** Whether the step passed; a failed step is drawn as a cross. */
  ok: boolean;
}

export interface ChartSeries {
  label: string;
  color: string;
  /** An SVG stroke-dasharray, e.g. "6 3"; none for a solid line. */
  dash?: string;
  points: readonly ChartPoint[];
}

export interface LatencyChart {
  title: string;
  xLabel: string;
  series: readonly ChartSeries[];
  limitMs: number;
}

const WIDTH = 916;
const HEIGHT = 420;
const PLOT = { left: 88, right: 576, top: 48, bottom: 356 };
const LEGEND_X = 600;
const LIMIT_COLOR = '#b00020';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c] ?? ''};`);
}

const fixed = (value: number): string => String(Math.round(value * 10) / 10);
const count = (value: number): string => value.toLocaleString('en-US');

/** A round step (1, 2 or 5 times a power of ten) that cuts `range` into about `parts`. */
export function niceStep(range: number, parts: number): number {
  const raw = range / parts;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const multiple = [1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10;
  return multiple * magnitude;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${count(ms / 1000)} s` : `${count(ms)} ms`;
}

/** The SVG text of the chart. */
export function latencyChart(chart: LatencyChart): string {
  const series = chart.series.map((s) => ({ ...s, points: s.points.filter((p) => p.y > 0) }));
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = [...series.flatMap((s) => s.points.map((p) => p.y)), chart.limitMs];
  const xStep = niceStep(Math.max(...xs, 1), 5);
  const xMax = Math.ceil(Math.max(...xs, 1) / xStep) * xStep;
  const low = Math.floor(Math.log10(Math.min(...ys)));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...ys))));
  const px = (x: number): number => PLOT.left + (x / xMax) * (PLOT.right - PLOT.left);
  const py = (ms: number): number => PLOT.bottom - ((Math.log10(ms) - low) / (high - low)) * (PLOT.bottom - PLOT.top);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="26" font-size="15" font-weight="bold" fill="#222">${escapeXml(chart.title)}</text>`,
  ];
  for (let i = 0; i * xStep <= xMax; i++) {
    const x = i * xStep;
    out.push(
      `<line class="grid x" x1="${fixed(px(x))}" y1="${PLOT.top}" x2="${fixed(px(x))}" y2="${PLOT.bottom}" stroke="#e4e4e4"/>`,
      `<text class="tick x" x="${fixed(px(x))}" y="${PLOT.bottom + 18}" text-anchor="middle" fill="#444">${count(x)}</text>`,
    );
  }
  for (let decade = low; decade <= high; decade++) {
    const ms = 10 ** decade;
    out.push(
      `<line class="grid y" x1="${PLOT.left}" y1="${fixed(py(ms))}" x2="${PLOT.right}" y2="${fixed(py(ms))}" stroke="#e4e4e4"/>`,
      `<text class="tick y" x="${PLOT.left - 8}" y="${fixed(py(ms) + 4)}" text-anchor="end" fill="#444">${formatMs(Number(ms.toPrecision(1)))}</text>`,
    );
  }
  out.push(
    `<line class="axis x" x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="#222"/>`,
    `<line class="axis y" x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="#222"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 42}" text-anchor="middle" fill="#222">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#222">p99 latency (log scale)</text>`,
    `<line class="limit" x1="${PLOT.left}" y1="${fixed(py(chart.limitMs))}" x2="${PLOT.right}" y2="${fixed(py(chart.limitMs))}" stroke="${LIMIT_COLOR}" stroke-width="1.5" stroke-dasharray="8 4"/>`,
    `<text x="${PLOT.right - 4}" y="${fixed(py(chart.limitMs) - 6)}" text-anchor="end" fill="${LIMIT_COLOR}">limit: p99 ${formatMs(chart.limitMs)}</text>`,
  );
  for (const s of series) {
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    const points = s.points.map((p) => `${fixed(px(p.x))},${fixed(py(p.y))}`).join(' ');
    out.push(`<polyline class="series" points="${points}" fill="none" stroke="${s.color}" stroke-width="2"${dash}><title>${escapeXml(s.label)}</title></polyline>`);
    for (const p of s.points) {
      const [x, y] = [px(p.x), py(p.y)];
      out.push(
        p.ok
          ? `<circle class="step passed" cx="${fixed(x)}" cy="${fixed(y)}" r="3.5" fill="${s.color}"/>`
          : `<path class="step failed" d="M${fixed(x - 4)},${fixed(y - 4)}L${fixed(x + 4)},${fixed(y + 4)}M${fixed(x - 4)},${fixed(y + 4)}L${fixed(x + 4)},${fixed(y - 4)}" stroke="${s.color}" stroke-width="2"/>`,
      );
    }
  }
  series.forEach((s, i) => {
    const y = PLOT.top + 10 + i * 22;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(
      `<line x1="${LEGEND_X}" y1="${y}" x2="${LEGEND_X + 26}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text class="legend" x="${LEGEND_X + 34}" y="${y + 4}" fill="#222">${escapeXml(s.label)}</text>`,
    );
  });
  const noteY = PLOT.top + 10 + series.length * 22 + 12;
  out.push(
    `<circle cx="${LEGEND_X + 13}" cy="${noteY}" r="3.5" fill="#555"/>`,
    `<text x="${LEGEND_X + 34}" y="${noteY + 4}" fill="#444">step passed</text>`,
    `<path d="M${LEGEND_X + 9},${noteY + 18}L${LEGEND_X + 17},${noteY + 26}M${LEGEND_X + 9},${noteY + 26}L${LEGEND_X + 17},${noteY + 18}" stroke="#555" stroke-width="2"/>`,
    `<text x="${LEGEND_X + 34}" y="${noteY + 26}" fill="#444">step failed (over the limit or lost)</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
