import { describe, expect, it } from 'vitest';
import { smooth } from '../../shared/smoothing.ts';
import { classifyGesture, selectionPixels } from '../../web/src/lib/charts/chart-gestures.ts';
import type { LineSpec } from '../../web/src/lib/charts/line-data.ts';
import { fitText, pngLayout, type Measure } from '../../web/src/lib/charts/png-export.ts';
import { axisXs, legendItems, scalarLines, type CardRun } from '../../web/src/lib/charts/scalar-lines.ts';
import { bandEdges, groupLabel, seedBand, seedGroups } from '../../web/src/lib/charts/seed-bands.ts';
import { rangeRows, snapSelection, stepRows } from '../../web/src/lib/charts/step-table.ts';
import { formatRelative, formatWall, nearestIndex, tooltipRows } from '../../web/src/lib/charts/tooltip-rows.ts';
import { ScalarSeries } from '../../web/src/lib/state/scalar-series.ts';

const line = (id: string, xs: number[], ys: number[], extra: Partial<LineSpec> = {}): LineSpec => ({ id, label: id, color: '#123456', xs, ys, n: xs.length, key: '1', ...extra });

function series(steps: number[], values: number[], walls = steps.map((s) => 1000 + s * 2)): ScalarSeries {
  const s = new ScalarSeries();
  s.append(walls, steps, values);
  return s;
}

describe('tooltip rows', () => {
  it('gives every non-faint line its nearest point: full name, smoothed, raw, step, wall and relative time; sorted by value', () => {
    const a = line('sweep/a-very-long-run-name/with/parts', [0, 10, 20], [1, 2, 3], { raw: [5, 6, 7], steps: [0, 10, 20], walls: [100, 160, 220] });
    const b = line('b', [0, 4, 8, 12], [9, 8, 7, 6], { walls: [50, 51, 52, 53.5] });
    const nan = line('c', [11], [NaN]);
    const faint = line('a#raw', [0, 10, 20], [5, 6, 7], { faint: true });
    expect(tooltipRows([faint, nan, a, b], 11)).toEqual([
      { run: 'b', color: '#123456', x: 12, smoothed: 6, value: 6, step: 12, wall: 53.5, relative: 3.5 },
      { run: 'sweep/a-very-long-run-name/with/parts', color: '#123456', x: 10, smoothed: 2, value: 6, step: 10, wall: 160, relative: 60 },
      { run: 'c', color: '#123456', x: 11, smoothed: NaN, value: NaN, step: 11, wall: null, relative: null },
    ]);
  });

  it('takes the logged step (not the x) on time axes, and the spread of mean lines', () => {
    const hours = line('m', [0, 0.5, 1], [1, 2, 3], { steps: [7, 8, 9], spread: [0.1, 0.2, 0.3], raw: [1.5, 2.5, 3.5] });
    const [r] = tooltipRows([hours], 0.6);
    expect(r).toMatchObject({ step: 8, smoothed: 2, value: 2.5, spread: 0.2 });
  });

  it('nearest index: ties to the earlier point, clamps at the ends', () => {
    expect(nearestIndex([0, 10, 20], 3, 5)).toBe(0);
    expect(nearestIndex([0, 10, 20], 3, 5.1)).toBe(1);
    expect(nearestIndex([0, 10, 20], 3, -4)).toBe(0);
    expect(nearestIndex([0, 10, 20], 3, 99)).toBe(2);
    expect(nearestIndex([], 0, 1)).toBe(-1);
  });

  it('formats relative and wall time', () => {
    expect(formatRelative(3.25)).toBe('3.25 s');
    expect(formatRelative(125)).toBe('2m 5s');
    expect(formatRelative(3 * 3600 + 120)).toBe('3h 2m');
    expect(formatRelative(50 * 3600)).toBe('2d 2h');
    expect(formatRelative(null)).toBe('–');
    const d = new Date(2024, 0, 2, 3, 4, 5);
    expect(formatWall(d.getTime() / 1000)).toBe('2024-01-02 03:04:05');
  });
});

describe('step table', () => {
  const a = line('a', [0, 10, 20, 30], [1, 2, 3, 4], { raw: [4, NaN, 8, 2], steps: [0, 10, 20, 30] });
  const b = line('b', [5, 15], [7, 9]);

  it('a pinned step gives each run its value at the nearest logged step', () => {
    const rows = stepRows([a, b], 14);
    expect(rows.map((r) => [r.run, r.step, r.smoothed, r.value])).toEqual([
      ['b', 15, 9, 9],
      ['a', 10, 2, NaN],
    ]);
  });

  it('a range gives first / last value and min / max / mean of the finite logged values in it', () => {
    const [ra, rb] = rangeRows([a, b], 25, 5); // reversed bounds are accepted
    expect(ra).toEqual({ run: 'a', color: '#123456', count: 2, startStep: 10, endStep: 20, start: NaN, end: 8, min: 8, max: 8, mean: 8 });
    expect(rb).toMatchObject({ count: 2, start: 7, end: 9, min: 7, max: 9, mean: 8 });
    const [all] = rangeRows([a], 0, 30);
    expect(all).toMatchObject({ count: 4, min: 2, max: 8, mean: 14 / 3 });
    const [none] = rangeRows([b], 100, 200);
    expect(none).toMatchObject({ count: 0, start: null, min: null, mean: null });
  });

  it('a click between steps snaps to the nearest logged point of any line', () => {
    expect(snapSelection([a, b], { kind: 'step', x: 13.2 })).toEqual({ kind: 'step', x: 15 });
    expect(snapSelection([a, b], { kind: 'step', x: 11 })).toEqual({ kind: 'step', x: 10 });
    expect(snapSelection([], { kind: 'step', x: 3.5 })).toEqual({ kind: 'step', x: 3.5 });
    expect(snapSelection([a], { kind: 'range', lo: 1.5, hi: 2.5 })).toEqual({ kind: 'range', lo: 1.5, hi: 2.5 });
  });

  it('click vs drag vs shift-drag, and selection marks clipped to the plot', () => {
    expect(classifyGesture(3, true)).toBe('click');
    expect(classifyGesture(-40, false)).toBe('zoom');
    expect(classifyGesture(40, true)).toBe('range');
    const px = (x: number) => x * 2;
    expect(selectionPixels({ kind: 'step', x: 30 }, px, 10, 100)).toEqual({ pin: 60 });
    expect(selectionPixels({ kind: 'step', x: 80 }, px, 10, 100)).toBeNull();
    expect(selectionPixels({ kind: 'range', lo: 0, hi: 20 }, px, 10, 100)).toEqual({ range: [10, 40] });
    expect(selectionPixels(null, px, 10, 100)).toBeNull();
  });
});

describe('seed bands', () => {
  const hp = (seed: number, lr = 0.1) => ({ lr, activation: 'relu', seed });

  it('groups runs whose hparams differ only by seed', () => {
    const groups = seedGroups([
      { name: 's1', hparams: hp(1) },
      { name: 'other', hparams: hp(1, 0.01) },
      { name: 's2', hparams: hp(2) },
      { name: 'disk' },
      { name: 's3', hparams: hp(3) },
    ]);
    expect(groups).toEqual([['s1', 's2', 's3'], ['other'], ['disk']]);
  });

  it('mean and sample std per step over the union of steps; NaN ignored', () => {
    const b = seedBand([
      { steps: [0, 1, 2], values: [1, 2, 3], walls: [10, 11, 12], n: 3 },
      { steps: [0, 1, 3], values: [3, NaN, 5], walls: [20, 21, 23], n: 3 },
      { steps: [0, 2], values: [5, 6], walls: [30, 32], n: 2 },
    ]);
    expect([...b.steps.subarray(0, b.n)]).toEqual([0, 1, 2, 3]);
    expect([...b.mean.subarray(0, b.n)]).toEqual([3, 2, 4.5, 5]);
    expect(b.std[0]).toBeCloseTo(2, 12); // values 1, 3, 5
    expect(b.std[1]).toBe(0); // one finite value
    expect(b.std[2]).toBeCloseTo(Math.SQRT2 * 1.5, 12); // values 3, 6
    expect([...b.count.subarray(0, b.n)]).toEqual([3, 1, 2, 1]);
    expect([...b.walls.subarray(0, b.n)]).toEqual([20, 16, 22, 23]);
    const { lo, hi } = bandEdges(b);
    expect(lo[0]).toBeCloseTo(1, 12);
    expect(hi[0]).toBeCloseTo(5, 12);
  });

  it('grows past the longest series when steps do not line up', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    const b = seedBand([
      { steps: xs.map((i) => 2 * i), values: xs, walls: xs, n: 20 },
      { steps: xs.map((i) => 2 * i + 1), values: xs, walls: xs, n: 20 },
    ]);
    expect(b.n).toBe(40);
    expect(b.steps[39]).toBe(39);
  });

  it('scalar lines: one mean line over a band for the seed group, other runs unchanged', () => {
    const mk = (name: string, seed: number, off: number, lr = 0.1): CardRun => ({
      name, color: '#1f77b4', hparams: hp(seed, lr), series: series([0, 1, 2, 3], [1 + off, 2 + off, 3 + off, 4 + off]),
    });
    const runs = [mk('s1', 1, 0), mk('s2', 2, 1), mk('s3', 3, 2), mk('solo', 1, 0, 0.5)];
    const off = scalarLines(runs, { tag: 't', smoothing: 0, axis: 'step', seedBands: false });
    expect(legendItems(off).map((l) => l.label)).toEqual(['s1', 's2', 's3', 'solo']);
    const on = scalarLines(runs, { tag: 't', smoothing: 0.5, axis: 'step', seedBands: true });
    const main = on.filter((l) => !l.faint);
    expect(main.map((l) => l.label)).toEqual([groupLabel(['s1', 's2', 's3']), 'solo']);
    const mean = main[0];
    expect(Array.from(mean.raw!).slice(0, 4)).toEqual([2, 3, 4, 5]);
    expect(Array.from(mean.ys).slice(0, 4)).toEqual([...smooth([2, 3, 4, 5], 0.5)]);
    expect(mean.spread![0]).toBeCloseTo(1, 12);
    const hi = on.find((l) => l.fill === '-1')!;
    expect(on[on.indexOf(hi) - 1].id.endsWith('#lo')).toBe(true); // the band fills to its lower edge
    // cached while no member changes; recomputed after an append
    expect(scalarLines(runs, { tag: 't', smoothing: 0.5, axis: 'step', seedBands: true }).find((l) => l.id === mean.id)).toBe(mean);
    runs[0].series.append([1010], [4], [9]);
    const after = scalarLines(runs, { tag: 't', smoothing: 0.5, axis: 'step', seedBands: true }).find((l) => l.id === mean.id)!;
    expect(after.n).toBe(5);
    expect(after.raw![4]).toBe(9);
  });

  it('scalar lines: a run shown or hidden among others leaves the others\' line objects as they were', () => {
    const runs: CardRun[] = Array.from({ length: 30 }, (_, i) => ({ name: `r${i}`, color: '#1f77b4', series: series([0, 1, 2], [i, i + 1, i + 2]) }));
    const o = { tag: 't', smoothing: 0.6, axis: 'step' as const, seedBands: false };
    const all = scalarLines(runs, o);
    const less = scalarLines(runs.filter((r) => r.name !== 'r7'), o);
    expect(less).toHaveLength(all.length - 1);
    for (const l of less) expect(all).toContain(l);
    // A change to one series rebuilds that run's line only; smoothing recomputes its values.
    runs[3].series.append([2000], [3], [50]);
    const next = scalarLines(runs, o);
    expect(next.filter((l) => !all.includes(l)).map((l) => l.id)).toEqual(['r3']);
    const other = scalarLines(runs, { ...o, smoothing: 0 });
    expect(other.find((l) => l.id === 'r3')!.ys[3]).toBe(50);
  });

  it('x values for time axes from (mean) wall times', () => {
    const steps = Float64Array.from([0, 1]);
    const walls = Float64Array.from([3600, 7200]);
    expect([...axisXs(steps, walls, 2, 'relative')]).toEqual([0, 1]);
    expect([...axisXs(steps, walls, 2, 'wall')]).toEqual([3600, 7200]);
    expect(axisXs(steps, walls, 2, 'step')).toBe(steps);
  });

  it('labels a group with its members, the first four by name', () => {
    expect(groupLabel(['a', 'b'])).toBe('a, b (mean ± std of 2 seeds)');
    expect(groupLabel(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a, b, c, d +2 more (mean ± std of 6 seeds)');
  });
});

describe('PNG composition', () => {
  const measure: Measure = (t) => t.length * 7;

  it('puts the title above the chart and a wrapping legend below it', () => {
    const items = [{ label: 'run-one', color: '#ff0000' }, { label: 'run-two', color: '#00ff00' }, { label: 'x'.repeat(40), color: '#0000ff' }];
    const l = pngLayout(400, 220, 'train/loss', items, measure);
    expect(l.width).toBe(420);
    expect(l.title).toMatchObject({ text: 'train/loss', y: 10 });
    expect(l.chart.y).toBeGreaterThan(l.title.y + 14);
    expect(l.legend.map((e) => e.text)).toEqual(['run-one', 'run-two', 'x'.repeat(40)]);
    const [a, b, c] = l.legend;
    expect(a.y).toBeGreaterThanOrEqual(l.chart.y + 220);
    expect(b.y).toBe(a.y); // same row
    expect(b.x).toBeGreaterThan(a.x + 7 * 7);
    expect(c.y).toBeGreaterThan(a.y); // wrapped
    expect(l.height).toBeGreaterThan(c.y + 12);
    expect(l.height).toBeGreaterThan(220 + 14 + 18);
  });

  it('scales with the device pixel ratio and truncates names wider than the image', () => {
    const l1 = pngLayout(400, 200, 't', [{ label: 'a', color: '#000' }], measure, 1);
    const l2 = pngLayout(800, 400, 't', [{ label: 'a', color: '#000' }], measure, 2);
    expect(l2.height - 400).toBe(2 * (l1.height - 200));
    const long = pngLayout(100, 50, 't', [{ label: 'y'.repeat(100), color: '#000' }], measure);
    expect(long.legend[0].text.endsWith('…')).toBe(true);
    expect(measure(long.legend[0].text, '')).toBeLessThanOrEqual(100 - 10 - 6);
    expect(fitText('short', 100, '', measure)).toBe('short');
    expect(pngLayout(10, 10, 't', [], measure).legend).toEqual([]);
  });
});
