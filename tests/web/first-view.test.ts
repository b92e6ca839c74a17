// The first view a newcomer gets: dense per-iteration series smoothed enough to read, faint raw lines
// fainter when dense, and the newest run drawn under the older ones.
import { describe, expect, it } from 'vitest';
import { adaptiveSmoothing, expectedLines, scalarLines, type CardRun } from '../../web/src/lib/charts/scalar-lines.ts';
import { ScalarSeries } from '../../web/src/lib/state/scalar-series.ts';
import { DEFAULT_VIEW, parseView, writeView } from '../../web/src/lib/url-state.ts';

function run(name: string, n: number, start: number): CardRun {
  const s = new ScalarSeries();
  const steps = Array.from({ length: n }, (_, i) => i);
  s.append(steps.map((i) => start + i), steps, steps.map((i) => Math.sin(i) + 1 / (i + 1)));
  return { name, color: '#1f77b4', series: s };
}
const opts = { tag: 't', smoothing: 0.6, axis: 'step' as const, seedBands: false };

describe('adaptive smoothing', () => {
  it('keeps the user weight for short series and raises it for dense ones, never turning smoothing on', () => {
    expect(adaptiveSmoothing(0.6, 200)).toBe(0.6);
    expect(adaptiveSmoothing(0.6, 10_000)).toBeCloseTo(0.99, 10);
    expect(adaptiveSmoothing(0.999, 10_000)).toBe(0.995);
    expect(adaptiveSmoothing(0, 10_000)).toBe(0);
  });

  it('makes a dense noisy series much smoother than the user weight alone', () => {
    const dense = run('a', 10_000, 0);
    const rough = (ys: ArrayLike<number>) => {
      let sum = 0;
      for (let i = 1; i < 10_000; i++) sum += Math.abs(ys[i] - ys[i - 1]);
      return sum;
    };
    const plain = scalarLines([dense], opts).find((l) => !l.faint)!;
    const plainRough = rough(plain.ys);
    const adapted = scalarLines([dense], { ...opts, adaptive: true }).find((l) => !l.faint)!;
    expect(rough(adapted.ys)).toBeLessThan(plainRough / 10);
    // a dense series' raw line: left out with adaptive smoothing (raw values stay in the tooltip), fainter without
    expect(scalarLines([dense], { ...opts, adaptive: true }).some((l) => l.faint)).toBe(false);
    expect(adapted.raw).toBe(dense.series.values);
    expect(scalarLines([dense], opts).find((l) => l.faint)!.color).toContain('0.12');
    expect(scalarLines([run('b', 100, 0)], { ...opts, adaptive: true }).find((l) => l.faint)!.color).toContain('0.22');
  });
});

describe('draw order', () => {
  it('draws faint lines first, then smoothed lines newest run first (under the older ones)', () => {
    const lines = scalarLines([run('old', 50, 100), run('new', 50, 900), run('mid', 50, 500)], opts);
    const main = lines.filter((l) => !l.faint).map((l) => l.id);
    expect(main).toEqual(['new', 'mid', 'old']);
    expect(lines.slice(0, 3).every((l) => l.faint)).toBe(true);
  });
});

describe('adaptive smoothing in the URL', () => {
  it('is on by default and only written when off', () => {
    expect(writeView(DEFAULT_VIEW, new URLSearchParams()).toString()).toBe('');
    const off = writeView({ ...DEFAULT_VIEW, adaptiveSmoothing: false }, new URLSearchParams());
    expect(off.get('adapt')).toBe('0');
    expect(parseView(off).adaptiveSmoothing).toBe(false);
  });
});

describe('a card still loading is drawn as it will be', () => {
  it('scales its line count by the runs still to come, and leaves out the raw lines it will drop', () => {
    const some = [run('a', 500, 0), run('b', 500, 10)];
    const partial = scalarLines(some, { ...opts, expectRuns: 50 });
    expect(partial.filter((l) => l.faint)).toHaveLength(0);
    expect(partial).toHaveLength(2);
    expect(expectedLines(partial.length, 2, 50)).toBe(50);
    const alone = scalarLines(some, opts);
    expect(alone.filter((l) => l.faint)).toHaveLength(2);
    expect(expectedLines(alone.length, 2, 2)).toBe(4);
    expect(expectedLines(0, 0, 50)).toBe(0);
  });
});
