import { describe, expect, it } from 'vitest';
import {
  BASIS_POINTS,
  TF_BUCKET_LIMITS,
  bucketize,
  bucketsToHistogramProto,
  compressHistogram,
  histogramProtoToBuckets,
  summarizeHistogram,
} from '../../shared/histogram.ts';
import type { Bucket } from '../../shared/types.ts';

describe('TF1 bucket limits', () => {
  it('are ±1e-12 * 1.1^k below 1e20, then ±DBL_MAX, symmetric around 0', () => {
    const pos = TF_BUCKET_LIMITS.filter((x) => x > 0);
    expect(pos[0]).toBe(1e-12);
    expect(pos[1]).toBe(1e-12 * 1.1);
    expect(pos[pos.length - 1]).toBe(Number.MAX_VALUE);
    expect(pos[pos.length - 2]).toBeLessThan(1e20);
    expect(pos[pos.length - 2] * 1.1).toBeGreaterThanOrEqual(1e20);
    const neg = TF_BUCKET_LIMITS.filter((x) => x < 0);
    expect(neg.map((x) => -x).reverse()).toEqual(pos);
    expect(TF_BUCKET_LIMITS.filter((x) => x === 0).length).toBe(1);
  });
});

describe('bucketize', () => {
  it('counts every finite value once, edges ascend, empty ends dropped, outer edges = min/max', () => {
    const values = [0.5, 0.51, 2, 3, -7, 100, NaN, Infinity];
    const b = bucketize(values);
    expect(b.reduce((a, x) => a + x[2], 0)).toBe(6);
    expect(b[0][0]).toBe(-7);
    expect(b[b.length - 1][1]).toBe(100);
    expect(b[0][2]).toBeGreaterThan(0);
    expect(b[b.length - 1][2]).toBeGreaterThan(0);
    for (let i = 1; i < b.length; i++) expect(b[i][0]).toBe(b[i - 1][1]);
  });

  it('puts each value in the TF bucket [limit[i-1], limit[i]) (upper_bound)', () => {
    const k = TF_BUCKET_LIMITS.findIndex((x) => x > 1);
    const lo = TF_BUCKET_LIMITS[k - 1];
    const hi = TF_BUCKET_LIMITS[k];
    // a value equal to a limit belongs to the bucket above it
    const b = bucketize([lo, (lo + hi) / 2, hi]);
    expect(b).toEqual([
      [lo, hi, 2],
      [hi, hi, 1],
    ]);
  });

  it('matches a naive linear-scan reference on random data', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const values = Array.from({ length: 2000 }, () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4));
    const counts = new Map<number, number>();
    for (const v of values) {
      let i = 0;
      while (!(TF_BUCKET_LIMITS[i] > v)) i++;
      counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const idx = [...counts.keys()].sort((a, b) => a - b);
    const limits: number[] = [];
    const bucket: number[] = [];
    for (let i = idx[0]; i <= idx[idx.length - 1]; i++) {
      limits.push(TF_BUCKET_LIMITS[i]);
      bucket.push(counts.get(i) ?? 0);
    }
    const ref = histogramProtoToBuckets({ min: Math.min(...values), max: Math.max(...values), bucketLimit: limits, bucket })
      .reduce<Bucket[]>((acc, b) => {
        // merge runs of empty buckets as TF does
        const last = acc[acc.length - 1];
        if (last && last[2] === 0 && b[2] === 0) last[1] = b[1];
        else acc.push([...b] as Bucket);
        return acc;
      }, []);
    expect(bucketize(values)).toEqual(ref);
  });

  it('empty input gives no buckets; one value gives one bucket [v, v]', () => {
    expect(bucketize([])).toEqual([]);
    expect(bucketize([3, 3])).toEqual([[3, 3, 2]]);
  });

  it('summarizeHistogram keeps TF stats', () => {
    const s = summarizeHistogram([1, 2, 3]);
    expect([s.min, s.max, s.num, s.sum, s.sumSquares]).toEqual([1, 3, 3, 6, 14]);
  });
});

describe('histogramProtoToBuckets', () => {
  it('drops empty ends; lefts = [min] + inner limits, rights = inner limits + [max]', () => {
    const b = histogramProtoToBuckets({ min: -1.5, max: 2.5, bucketLimit: [-2, -1, 0, 1, 2, 3, 4], bucket: [0, 3, 0, 4, 5, 0, 0] });
    expect(b).toEqual([
      [-1.5, -1, 3],
      [-1, 0, 0],
      [0, 1, 4],
      [1, 2.5, 5],
    ]);
    expect(histogramProtoToBuckets({ min: 0, max: 0, bucketLimit: [1, 2], bucket: [0, 0] })).toEqual([]);
  });

  it('bucketsToHistogramProto round-trips contiguous buckets and fills gaps with empty buckets', () => {
    const b: Bucket[] = [[0, 1, 2], [1, 3, 4], [3, 4.5, 1]];
    const p = bucketsToHistogramProto(b);
    expect(histogramProtoToBuckets(p)).toEqual(b);
    const gap: Bucket[] = [[0, 1, 2], [2, 3, 1]];
    expect(histogramProtoToBuckets(bucketsToHistogramProto(gap))).toEqual([[0, 1, 2], [1, 2, 0], [2, 3, 1]]);
  });
});

describe('compressHistogram', () => {
  it('one uniform bucket: basis points interpolate linearly between its edges', () => {
    const c = compressHistogram([[0, 10, 5]]);
    expect(c.map(([bp]) => bp)).toEqual(BASIS_POINTS);
    for (const [bp, v] of c) expect(v).toBeCloseTo(bp / 1000, 10);
  });

  it('two buckets: lower half maps into the first, upper into the second; ends are min and max', () => {
    const c = new Map(compressHistogram([[-4, 0, 1], [0, 2, 1]]));
    expect(c.get(0)).toBe(-4);
    expect(c.get(10000)).toBe(2);
    expect(c.get(5000)).toBeCloseTo(0, 10); // at the boundary: interpolation in bucket 2 starts at its left edge
    expect(c.get(3085)).toBeCloseTo(-4 + (3085 / 5000) * 4, 10);
    expect(c.get(6915)).toBeCloseTo(((6915 - 5000) / 5000) * 2, 10);
  });

  it('skips empty buckets and returns zeros for no data', () => {
    const c = new Map(compressHistogram([[0, 1, 1], [1, 5, 0], [5, 6, 1]]));
    expect(c.get(6915)).toBeCloseTo(5 + (6915 - 5000) / 5000, 10);
    expect(compressHistogram([])).toEqual(BASIS_POINTS.map((bp) => [bp, 0]));
  });

  it('values are monotone in the basis point', () => {
    const b = bucketize(Array.from({ length: 500 }, (_, i) => Math.sin(i) * 10));
    const vals = compressHistogram(b).map(([, v]) => v);
    for (let i = 1; i < vals.length; i++) expect(vals[i]).toBeGreaterThanOrEqual(vals[i - 1]);
    expect(vals[0]).toBe(b[0][0]);
    expect(vals[vals.length - 1]).toBe(b[b.length - 1][1]);
  });
});
