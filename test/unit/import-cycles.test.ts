// No module under src/ reaches itself through its imports: the layers point one way
// (dialects -> core -> store/bus), and the store's aggregates do not lean on each other.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
/** Static imports and re-exports (type-only ones too: they tie modules together as much) and import(). */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = match[1] ?? match[2] ?? '';
    return path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
  });
}

/** Every cycle found by a depth-first walk, each as the chain of files that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('imports under src/', () => {
  it('finds a cycle when there is one (the walk itself works)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('form no cycle', () => {
    const files = sources(SRC);
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    for (const targets of graph.values()) for (const target of targets) expect(fs.existsSync(target), target).toBe(true);
    expect(graph.size).toBeGreaterThan(50);
    const relative = cycles(graph).map((cycle) => cycle.map((file) => path.relative(SRC, file)).join(' -> '));
    expect(relative).toEqual([]);
  });
});
