import { describe, expect, it } from 'vitest';
import { decimateMinMax, downsampleIndices, lowerBound, stepWindow } from '../../shared/decimate.ts';

function noisy(n: number) {
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let seed = 7;
  for (let i = 0; i < n; i++) {
    xs[i] = i;
    seed = (seed * 16807) % 2147483647;
    ys[i] = Math.sin(i / 500) + (seed / 2147483647 - 0.5);
  }
  return { xs, ys };
}

describe('decimateMinMax', () => {
  it('keeps every point when they fit', () => {
    const xs = [0, 1, 2, 3];
    expect(decimateMinMax(xs, [5, 6, 7, 8], 4, 0, 3, 100)).toEqual([0, 1, 2, 3]);
  });

  it('keeps the first, min, max and last point of every pixel column, in x order', () => {
    const n = 100_000;
    const { xs, ys } = noisy(n);
    const cols = 200;
    const idx = decimateMinMax(xs, ys, n, 0, n - 1, cols);
    expect(idx.length).toBeLessThanOrEqual(cols * 4);
    for (let k = 1; k < idx.length; k++) expect(idx[k]).toBeGreaterThan(idx[k - 1]);
    const kept = new Set(idx);
    const span = n - 1;
    for (let c = 0; c < cols; c++) {
      // Same bucket rule as the implementation: column = floor((x - xMin) / span * cols), clamped.
      const members: number[] = [];
      for (let i = 0; i < n; i++) if (Math.min(cols - 1, Math.floor((xs[i] / span) * cols)) === c) members.push(i);
      let minI = members[0];
      let maxI = members[0];
      for (const i of members) {
        if (ys[i] < ys[minI]) minI = i;
        if (ys[i] > ys[maxI]) maxI = i;
      }
      expect(kept.has(members[0])).toBe(true);
      expect(kept.has(members[members.length - 1])).toBe(true);
      expect(kept.has(minI)).toBe(true);
      expect(kept.has(maxI)).toBe(true);
    }
  });

  it('works on the visible range only, plus one point beyond each edge', () => {
    const n = 10_000;
    const { xs, ys } = noisy(n);
    const idx = decimateMinMax(xs, ys, n, 4000, 5000, 50);
    expect(idx[0]).toBe(3999);
    expect(idx[idx.length - 1]).toBe(5001);
    // global extremes inside [4000, 5000] survive
    let maxI = 4000;
    for (let i = 4000; i <= 5000; i++) if (ys[i] > ys[maxI]) maxI = i;
    expect(idx).toContain(maxI);
    // zooming in gives full resolution
    expect(decimateMinMax(xs, ys, n, 4000, 4100, 50)).toEqual(Array.from({ length: 103 }, (_, i) => 3999 + i));
  });

  it('never picks a non-finite value as min or max', () => {
    const n = 1000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => (i === 503 ? NaN : i % 2));
    const idx = decimateMinMax(xs, ys, n, 0, n - 1, 10);
    expect(idx).not.toContain(503);
  });

  it('2 per column: each pixel column keeps exactly its min and max (x order), plus the range ends', () => {
    const n = 50_000;
    const { xs, ys } = noisy(n);
    const cols = 300;
    const idx = decimateMinMax(xs, ys, n, 0, n - 1, cols, 2);
    expect(idx.length).toBeLessThanOrEqual(cols * 2 + 2);
    for (let k = 1; k < idx.length; k++) expect(idx[k]).toBeGreaterThan(idx[k - 1]);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
    const kept = new Set(idx);
    const perCol = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const c = Math.min(cols - 1, Math.floor((xs[i] / (n - 1)) * cols));
      const m = perCol.get(c) ?? [];
      m.push(i);
      perCol.set(c, m);
    }
    for (const members of perCol.values()) {
      let minI = members[0];
      let maxI = members[0];
      for (const i of members) {
        if (ys[i] < ys[minI]) minI = i;
        if (ys[i] > ys[maxI]) maxI = i;
      }
      expect(kept.has(minI)).toBe(true);
      expect(kept.has(maxI)).toBe(true);
      // nothing else from the column, except the very first / last point of the range
      const extra = members.filter((i) => kept.has(i) && i !== minI && i !== maxI && i !== 0 && i !== n - 1);
      expect(extra).toEqual([]);
    }
  });

  it('2 per column keeps a gap (non-finite value) visible but never as min or max', () => {
    const n = 1000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => (i >= 503 && i < 520 ? NaN : Math.sin(i)));
    const idx = decimateMinMax(xs, ys, n, 0, n - 1, 10, 2);
    expect(idx).toContain(503);
    expect(idx.filter((i) => Number.isNaN(ys[i]))).toEqual([503]);
    // few points: nothing dropped
    expect(decimateMinMax(xs, ys, 20, 0, 19, 10, 2)).toHaveLength(20);
  });

  it('lowerBound finds the insertion point', () => {
    expect(lowerBound([1, 3, 5], 3, 3)).toBe(1);
    expect(lowerBound([1, 3, 5], 3, 6)).toBe(3);
    expect(lowerBound([1, 3, 5], 3, 0)).toBe(0);
  });
});

describe('downsampleIndices (the wire: about `points` points per series)', () => {
  /** Irregular ascending steps with noise, one spike up and one down. */
  function series(n: number) {
    const steps = new Float64Array(n);
    const values = new Float64Array(n);
    let seed = 11;
    let s = 0;
    for (let i = 0; i < n; i++) {
      seed = (seed * 16807) % 2147483647;
      s += 1 + (seed % 3); // gaps of 1-3 steps
      steps[i] = s;
      values[i] = Math.cos(i / 900) + 0.1 * (seed / 2147483647);
    }
    values[12_345] = 50;
    values[54_321] = -50;
    return { steps, values };
  }

  it('keeps every bucket’s min and max, the first and last point, ascending, about `points` in all', () => {
    const n = 100_000;
    const points = 800;
    const { steps, values } = series(n);
    const idx = downsampleIndices(steps, values, n, points);
    expect(idx.length).toBeLessThanOrEqual(points + 2);
    expect(idx.length).toBeGreaterThan(points * 0.9);
    expect(idx[0]).toBe(0);
    expect(idx.at(-1)).toBe(n - 1);
    for (let k = 1; k < idx.length; k++) expect(steps[idx[k]]).toBeGreaterThan(steps[idx[k - 1]]);
    const kept = new Set(idx);
    // Buckets recomputed here from the definition: points / 2 buckets of equal step width.
    const buckets = points / 2;
    const lo = steps[0];
    const span = steps[n - 1] - lo;
    const min = new Map<number, number>();
    const max = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const b = Math.min(buckets - 1, Math.floor(((steps[i] - lo) / span) * buckets));
      if (!min.has(b) || values[i] < values[min.get(b)!]) min.set(b, i);
      if (!max.has(b) || values[i] > values[max.get(b)!]) max.set(b, i);
    }
    for (const i of [...min.values(), ...max.values()]) expect(kept.has(i)).toBe(true);
    expect(kept.has(12_345) && kept.has(54_321)).toBe(true); // both spikes
  });

  it('keeps short series whole and gaps (non-finite values) visible', () => {
    expect(downsampleIndices([1, 2, 3], [1, 2, 3], 3, 10)).toEqual([0, 1, 2]);
    expect(downsampleIndices([], [], 0, 10)).toEqual([]);
    const n = 10_000;
    const steps = Float64Array.from({ length: n }, (_, i) => i);
    const values = Float64Array.from({ length: n }, (_, i) => (i === 5000 ? NaN : i % 7));
    expect(downsampleIndices(steps, values, n, 100)).toContain(5000);
  });

  it('step window: the index range of the steps within [min, max]', () => {
    const steps = [0, 10, 20, 30, 40];
    expect(stepWindow(steps, 5, 10, 30)).toEqual([1, 4]);
    expect(stepWindow(steps, 5, 11, 29)).toEqual([2, 3]);
    expect(stepWindow(steps, 5)).toEqual([0, 5]);
    expect(stepWindow(steps, 5, 50, 60)).toEqual([5, 5]);
    expect(stepWindow(steps, 5, 30, 10)).toEqual([3, 3]); // empty, never negative
  });
});
