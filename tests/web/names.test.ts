import { describe, expect, it } from 'vitest';
import { ELLIPSIS, fitMiddle, truncateMiddle } from '../../web/src/lib/names.ts';

describe('middle truncation', () => {
  it('keeps the start and the end, where runs of one sweep differ', () => {
    const runs = ['janosh__tensorboard-reducer/tests/runs/strict/run_1', 'janosh__tensorboard-reducer/tests/runs/strict/run_2'];
    const cut = runs.map((r) => truncateMiddle(r, 24));
    expect(cut[0]).toBe(`janosh__ten${ELLIPSIS}strict/run_1`);
    expect(cut[0]).not.toBe(cut[1]);
    expect(Array.from(cut[0]).length).toBe(24);
  });

  it('leaves names that fit alone, and copes with tiny budgets and astral characters', () => {
    expect(truncateMiddle('loss', 4)).toBe('loss');
    expect(truncateMiddle('accuracy', 1)).toBe(ELLIPSIS);
    expect(truncateMiddle('abcdef', 4)).toBe(`a${ELLIPSIS}ef`);
    // code points, not UTF-16 units: an emoji is never split in half
    expect(truncateMiddle('🙂🙂🙂🙂🙂🙂', 4)).toBe(`🙂${ELLIPSIS}🙂🙂`);
  });

  it('fits the longest truncation into a width, per the measure given', () => {
    const measure = (s: string): number => Array.from(s).reduce((w, c) => w + (c === 'W' ? 10 : 5), 0);
    const name = 'input_reshape/input/image/0';
    expect(fitMiddle(name, 1000, measure)).toBe(name);
    const fitted = fitMiddle(name, 60, measure);
    expect(measure(fitted)).toBeLessThanOrEqual(60);
    expect(fitted).toBe(truncateMiddle(name, 12));
    expect(measure(truncateMiddle(name, 13))).toBeGreaterThan(60);
    expect(fitted.endsWith('age/0')).toBe(true);
    expect(fitMiddle(name, 1, measure)).toBe(ELLIPSIS);
  });
});
