// The benchmark's SVG chart, drawn for a known small ladder and read back as XML.
import { DOMParser, type Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { latencyChart, niceStep } from '../../bench/chart.js';

const svg = latencyChart({
  title: 'Fan-out <small> & "quick"',
  xLabel: 'offered messages/s',
  limitMs: 100,
  series: [
    { label: 'bare <ws> & co', color: '#555555', dash: '6 4', points: [{ x: 100, y: 1, ok: true }, { x: 200, y: 10, ok: true }] },
    {
      label: 'Parley on "SQLite"',
      color: '#1f66b4',
      // The last step received nothing: no latency, so no point.
      points: [{ x: 100, y: 5, ok: true }, { x: 200, y: 500, ok: false }, { x: 300, y: 0, ok: false }],
    },
  ],
});

function parse(text: string): Element[] {
  const errors: string[] = [];
  const document = new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) }).parseFromString(text, 'image/svg+xml');
  expect(errors).toEqual([]);
  return [...document.getElementsByTagName('*')];
}

const elements = parse(svg);
const byClass = (name: string): Element[] => elements.filter((e) => (e.getAttribute('class') ?? '').split(' ').includes(name));
const textOf = (list: Element[]): string[] => list.map((e) => e.textContent ?? '');

describe('bench latency chart', () => {
  it('is well-formed SVG with both axes and round ticks: rates from 0, latency by decades', () => {
    expect(elements[0]?.tagName).toBe('svg');
    expect(byClass('axis')).toHaveLength(2);
    expect(textOf(byClass('tick').filter((e) => e.getAttribute('class') === 'tick x'))).toEqual(['0', '50', '100', '150', '200']);
    expect(textOf(byClass('tick').filter((e) => e.getAttribute('class') === 'tick y'))).toEqual(['1 ms', '10 ms', '100 ms', '1 s']);
  });

  it('draws one polyline per contender through its steps, on a log latency scale', () => {
    const lines = byClass('series');
    expect(lines).toHaveLength(2);
    // Plot: x 88..576 for 0..200/s; y 356..48 for 1 ms..1 s, a decade every 102.7 px.
    expect(lines[0]?.getAttribute('points')).toBe('332,356 576,253.3');
    expect(lines[0]?.getAttribute('stroke-dasharray')).toBe('6 4');
    expect(lines[1]?.getAttribute('points')).toBe('332,284.2 576,78.9');
    expect(byClass('passed')).toHaveLength(3);
    expect(byClass('failed')).toHaveLength(1);
  });

  it('draws the latency limit as a horizontal line at its height', () => {
    const [limit] = byClass('limit');
    expect(limit?.getAttribute('y1')).toBe('150.7');
    expect(limit?.getAttribute('y2')).toBe('150.7');
    expect([limit?.getAttribute('x1'), limit?.getAttribute('x2')]).toEqual(['88', '576']);
  });

  it('escapes the title and labels', () => {
    expect(svg).toContain('bare &lt;ws&gt; &amp; co');
    expect(svg).not.toContain('<ws>');
    expect(svg).not.toContain('<small>');
    expect(textOf(byClass('legend'))).toEqual(['bare <ws> & co', 'Parley on "SQLite"']);
    expect(textOf(elements.filter((e) => e.tagName === 'title'))[0]).toBe('Fan-out <small> & "quick"');
  });

  it('picks round tick steps', () => {
    expect(niceStep(200, 5)).toBe(50);
    expect(niceStep(25_000, 5)).toBe(5000);
    expect(niceStep(7, 5)).toBe(2);
  });
});
