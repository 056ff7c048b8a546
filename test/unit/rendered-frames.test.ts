import { describe, expect, it } from 'vitest';
import { RenderedFrames } from '../../src/gateway/rendered.js';

describe('RenderedFrames', () => {
  it('renders each (dialect, variant) once, and keeps dialects apart', () => {
    const rendered = new RenderedFrames();
    let renders = 0;
    const render = (frame: string | undefined) => () => {
      renders++;
      return frame;
    };
    expect(rendered.of('phone').once('1111111111', render('a'))).toBe('a');
    expect(rendered.of('phone').once('1111111111', render('other'))).toBe('a');
    expect(rendered.of('rooms').once('1111111111', render('b'))).toBe('b');
    expect(rendered.of('phone').once('2222222222', render(undefined))).toBeUndefined();
    expect(rendered.of('phone').once('2222222222', render('late'))).toBeUndefined();
    expect(renders).toBe(3);
  });
});
