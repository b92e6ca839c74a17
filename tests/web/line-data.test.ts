import { describe, expect, it } from 'vitest';
import { fmt, liveRange, niceRange, pointRadii, LONE_POINT_RADIUS, robustYRange, visiblePoints, xExtent, zoomAround, type LineSpec } from '../../web/src/lib/charts/line-data.ts';
import { parseLayers, validateTrainForm, DEFAULT_FORM } from '../../web/src/lib/train-form.ts';

const line = (id: string, xs: number[], ys: number[], extra: Partial<LineSpec> = {}): LineSpec => ({ id, label: id, color: '#000000', xs, ys, n: xs.length, key: '1', ...extra });

describe('line chart data', () => {
  it('x extent over every line', () => {
    const a = line('a', [0, 10, 20], [1, 2, 3], { raw: [5, 6, 7] });
    const b = line('b', [0, 4, 8, 12], [9, 8, 7, 6]);
    expect(xExtent([a, b])).toEqual([0, 20]);
  });

  it('live range: the data extent with its end rounded up to a tick-sized step', () => {
    expect(liveRange([0, 10_000])).toEqual([0, 10_000]);
    expect(liveRange([0, 10_274])).toEqual([0, 11_000]);
    expect(liveRange([0, 1990])).toEqual([0, 2000]);
    // stable while a run streams a few steps further
    expect(liveRange([0, 1995])).toEqual(liveRange([0, 1991]));
    // one point: a range around it
    expect(liveRange([5, 5])).toEqual([4.5, 5.5]);
  });

  it('zooms around the cursor and clamps to the data', () => {
    expect(zoomAround([0, 100], 50, 0.5, [0, 100])).toEqual([25, 75]);
    expect(zoomAround([0, 100], 0, 0.5, [0, 100])).toEqual([0, 50]);
    expect(zoomAround([20, 40], 30, 10, [0, 100])).toBeNull(); // zoomed all the way out
  });

  it('log scale turns non-positive values into gaps; robust range ignores spikes and rounds', () => {
    const l = line('a', [0, 1, 2], [0, -1, 10]);
    const pts = visiblePoints(l, 0, 2, 100, true);
    expect(pts.map((p) => Number.isNaN(p.y))).toEqual([true, true, false]);
    const ys = Array.from({ length: 100 }, (_, i) => (i === 50 ? 1e6 : i / 100));
    const r = robustYRange([line('b', ys.map((_, i) => i), ys)], 0, 99, false)!;
    expect(r[1]).toBeLessThan(2);
    // data in [0, 1] stays in [0, 1]
    expect(r[0]).toBeGreaterThanOrEqual(0);
    expect(r[0]).toBeLessThan(0.05);
    expect(r[1]).toBeLessThanOrEqual(1);
    expect(niceRange(0.0312, 0.987)).toEqual([0, 1]);
  });
});

describe('number format', () => {
  it('short labels; exponents without trailing zeros', () => {
    expect(fmt(-1e-4)).toBe('-1e-4');
    expect(fmt(1.23e-4)).toBe('1.23e-4');
    expect(fmt(2.5e6)).toBe('2.5e+6');
    expect(fmt(0.30000000000000004)).toBe('0.3');
    expect(fmt(3139.8712)).toBe('3139.9');
  });
});

describe('lone points', () => {
  it('a series of one point, or a point between gaps, gets a dot; lines do not', () => {
    const R = LONE_POINT_RADIUS;
    expect(R).toBeGreaterThan(0);
    expect(pointRadii([{ x: 3, y: 1 }])).toEqual([R]);
    expect(pointRadii([{ x: 0, y: 1 }, { x: 1, y: 2 }])).toBe(0);
    expect(pointRadii([{ x: 0, y: 1 }, { x: 1, y: NaN }, { x: 2, y: 2 }, { x: 3, y: 3 }])).toEqual([R, 0, 0, 0]);
    expect(pointRadii([])).toBe(0);
    expect(pointRadii(visiblePoints(line('one', [7], [0.5]), 6.5, 7.5, 100, false))).toEqual([R]);
  });
});

describe('TRAIN form', () => {
  it('parses layers and reports readable errors from the shared schema', () => {
    expect(parseLayers('16, 8')).toEqual([16, 8]);
    expect(parseLayers('16,x')).toBeNull();
    const bad = validateTrainForm({ ...DEFAULT_FORM, layers: '16,x', activations: [], epochs: 0, name: '../evil' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(Object.keys(bad.errors).sort()).toEqual(['activations', 'epochs', 'layers', 'name']);
      expect(bad.errors.activations).toBe('pick at least one activation');
    }
    const ok = validateTrainForm({ ...DEFAULT_FORM, name: 'sweep1' });
    expect(ok.ok && ok.request).toMatchObject({ name: 'sweep1', layers: [16, 16], activations: ['relu', 'tanh'], noise: 0.1, samples: 1000 });
  });
});
