import { describe, expect, it } from 'vitest';
import type { Bucket, HistogramTuple } from '../../shared/types.ts';
import {
  bucketAt,
  histogramGeometry,
  hoverAt,
  niceTicks,
  pathData,
  sampleEvenly,
  sliceOutline,
} from '../../web/src/lib/histogram-view.ts';

// Uneven, non-contiguous edges as TF1 logs them (exponential widths, an empty range dropped).
const bucketsA: Bucket[] = [
  [-2, -1, 4],
  [-1, -0.25, 10],
  [-0.25, 0.5, 20],
  [1, 2, 6],
];
const bucketsB: Bucket[] = [
  [-1, 0, 5],
  [0, 1.5, 40],
  [1.5, 3, 10],
];
const hists: HistogramTuple[] = [
  [100, 20, bucketsB],
  [90, 0, bucketsA],
  [95, 10, bucketsA.map(([l, r, c]): Bucket => [l, r, c * 2])],
];
const size = { width: 400, height: 200, margin: { top: 10, right: 10, bottom: 10, left: 10 } };
// With 5 bins over [-2, 3] (width 1), the counts spread by overlap are
// step 0:  [4, 10 + 20/3, 40/3, 6, 0]; step 10: twice that; step 20: [0, 5, 80/3, 40/3 + 10/3, 20/3].
const five = { ...size, bins: 5 };

describe('histogram geometry', () => {
  it('keeps the logged bucket edges in the outline', () => {
    const x = (v: number): number => 100 + v * 10;
    const y = (c: number): number => 50 - c;
    const pts = sliceOutline(bucketsA, x, y, 50);
    expect(pts[0]).toEqual([80, 50]);
    // every bucket edge appears as an x coordinate at the bucket's height
    for (const [l, r, c] of bucketsA) {
      expect(pts).toContainEqual([x(l), y(c)]);
      expect(pts).toContainEqual([x(r), y(c)]);
    }
    // the gap [0.5, 1) drops to the baseline
    expect(pts).toContainEqual([x(0.5), 50]);
    expect(pts).toContainEqual([x(1), 50]);
    expect(pts[pts.length - 1]).toEqual([x(2), 50]);
    expect(pathData(pts)).toMatch(/^M80\.0,50\.0L.*Z$/);
  });

  it('re-bins every slice onto the same uniform bins, keeping each count (30 by default)', () => {
    const g = histogramGeometry(hists, 'offset', five);
    expect(g.xDomain).toEqual([-2, 3]);
    expect(g.binCount).toBe(5);
    for (const s of g.slices) {
      expect(s.bins.map((b) => [b[0], b[1]])).toEqual([[-2, -1], [-1, 0], [0, 1], [1, 2], [2, 3]]);
      const logged = s.buckets.reduce((a, b) => a + b[2], 0);
      expect(s.bins.reduce((a, b) => a + b[2], 0)).toBeCloseTo(logged, 9);
    }
    const counts = g.slices.map((s) => s.bins.map((b) => b[2]));
    [4, 10 + 20 / 3, 40 / 3, 6, 0].forEach((c, i) => expect(counts[0][i]).toBeCloseTo(c, 9));
    [0, 5, 80 / 3, 50 / 3, 20 / 3].forEach((c, i) => expect(counts[2][i]).toBeCloseTo(c, 9));
    expect(g.countMax).toBeCloseTo(2 * (10 + 20 / 3), 9);
    // logged buckets stay on the slice, untouched
    expect(g.slices[0].buckets).toBe(bucketsA);
    expect(histogramGeometry(hists, 'overlay', size).slices[0].bins.length).toBe(30);
  });

  it('offset mode: oldest slice at the back (top), newest at the bottom, steps in order', () => {
    const g = histogramGeometry(hists, 'offset', five);
    expect(g.slices.map((s) => s.step)).toEqual([0, 10, 20]);
    expect(g.stepDomain).toEqual([0, 20]);
    const [s0, s1, s2] = g.slices;
    const bottom = 10 + 180;
    expect(s2.baseline).toBeCloseTo(bottom);
    expect(s0.baseline).toBeCloseTo(10 + g.sliceHeight);
    // baselines are linear in step
    expect(s1.baseline - s0.baseline).toBeCloseTo(s2.baseline - s1.baseline);
    expect(s0.t).toBe(0);
    expect(s2.t).toBe(1);
    // the tallest bin (step 10, bin [-1, 0)) reaches exactly sliceHeight above its baseline, between its edges
    const top = Math.min(...s1.points.map((p) => p[1]));
    expect(top).toBeCloseTo(s1.baseline - g.sliceHeight);
    const xs = s1.points.filter((p) => Math.abs(p[1] - top) < 1e-9).map((p) => p[0]);
    expect(xs.map((v) => Number(v.toFixed(6)))).toEqual([10 + (1 / 5) * 380, 10 + (2 / 5) * 380]);
    expect(g.yTicks.map((t) => t.value)).toContain(10);
    expect(g.yTicks.find((t) => t.value === 10)!.px).toBeCloseTo(s1.baseline);
  });

  it('overlay mode: every slice on the bottom baseline, heights relative to the global max', () => {
    const g = histogramGeometry(hists, 'overlay', five);
    expect(g.slices.every((s) => s.baseline === 190)).toBe(true);
    expect(g.sliceHeight).toBe(180);
    expect(Math.min(...g.slices[1].points.map((p) => p[1]))).toBeCloseTo(10);
    expect(Math.min(...g.slices[2].points.map((p) => p[1]))).toBeCloseTo(190 - (80 / 3 / g.countMax) * 180);
    expect(g.yTicks[0]).toEqual({ value: 0, px: 190 });
  });

  it('samples evenly to maxSlices, keeping the first and last step', () => {
    const many: HistogramTuple[] = Array.from({ length: 101 }, (_, i) => [i, i * 5, bucketsA]);
    const g = histogramGeometry(many, 'offset', { ...size, maxSlices: 11 });
    expect(g.totalSteps).toBe(101);
    expect(g.slices.map((s) => s.step)).toEqual([0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    expect(sampleEvenly([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  it('handles a single-value histogram and no data', () => {
    const g = histogramGeometry([[0, 3, [[2, 2, 7]]]], 'offset', size);
    expect(g.xDomain[0]).toBeLessThan(2);
    expect(g.slices[0].bins.reduce((a, b) => a + b[2], 0)).toBe(7);
    expect(g.xDomain[1]).toBeGreaterThan(2);
    expect(g.slices[0].baseline).toBe(190);
    expect(g.slices[0].points.every(([px, py]) => Number.isFinite(px) && Number.isFinite(py))).toBe(true);
    expect(histogramGeometry([], 'overlay', size).slices).toEqual([]);
  });
});

describe('histogram hover', () => {
  it('finds buckets as [left, right)', () => {
    expect(bucketAt(bucketsA, -1)).toEqual([-1, -0.25, 10]);
    expect(bucketAt(bucketsA, -0.2500001)).toEqual([-1, -0.25, 10]);
    expect(bucketAt(bucketsA, 0.7)).toBeUndefined();
    expect(bucketAt(bucketsA, 2)).toEqual([1, 2, 6]);
    expect(bucketAt(bucketsA, 2.1)).toBeUndefined();
  });

  it('offset: reports the drawn bin and the logged bucket under the pointer', () => {
    const g = histogramGeometry(hists, 'offset', five);
    const px = 10 + ((0.7 - -2) / 5) * 380; // value 0.7: bin [0, 1), logged bucket [0, 1.5) of step 20
    const s2 = g.slices[2];
    const h = hoverAt(g, px, s2.baseline - 5)!;
    expect(h).toMatchObject({ step: 20, left: 0, right: 1, logged: [0, 1.5, 40], slice: 2 });
    expect(h.count).toBeCloseTo(80 / 3, 9);
    // value 1.5 just above step 0's baseline, where no newer slice covers it
    const px2 = 10 + ((1.5 - -2) / 5) * 380;
    expect(hoverAt(g, px2, g.slices[0].baseline - 1)).toMatchObject({ step: 0, left: 1, right: 2, count: 6, logged: [1, 2, 6] });
    // over a gap between step 0's logged buckets ([0.5, 1)): a bin, but no logged bucket
    const gap = hoverAt(g, px, 60)!;
    expect(gap.step).toBe(0);
    expect(gap.logged).toBeUndefined();
    expect(hoverAt(g, 5, 100)).toBeNull();
  });

  it('overlay: picks the slice whose top is closest to the pointer', () => {
    const g = histogramGeometry(hists, 'overlay', five);
    const px = 10 + ((-0.5 - -2) / 5) * 380; // bin [-1, 0): step0 50/3, step10 100/3, step20 5
    const yFor = (c: number): number => 190 - (c / g.countMax) * 180;
    expect(hoverAt(g, px, yFor(100 / 3))!.step).toBe(10);
    expect(hoverAt(g, px, yFor(50 / 3))).toMatchObject({ step: 0, left: -1, right: 0, logged: [-1, -0.25, 10], slice: 0 });
    expect(hoverAt(g, px, 189)!.step).toBe(20);
  });

  it('nice ticks cover the range with round values', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-2, 3, 5)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(niceTicks(0.1, 0.35, 3)).toEqual([0.1, 0.2, 0.3]);
  });
});
