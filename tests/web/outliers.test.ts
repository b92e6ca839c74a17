import { describe, expect, it } from 'vitest';
import { outlierRange, quantileSorted } from '../../shared/outliers.ts';

describe('outlierRange', () => {
  it('interpolates quantiles linearly', () => {
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
  });

  it('returns the 5th..95th percentile over all series, ignoring spikes and non-finite values', () => {
    const a = Array.from({ length: 101 }, (_, i) => i); // 0..100
    a[100] = 1e9; // spike
    const r = outlierRange([{ values: a }, { values: [NaN, Infinity] }])!;
    // sorted 0..99, 1e9: 5% of 100 -> index 5 = 5; 95% -> index 95 = 95
    expect(r[0]).toBe(5);
    expect(r[1]).toBe(95);
  });

  it('honours a prefix length and returns null without finite values', () => {
    expect(outlierRange([{ values: [1, 2, 3, 1000], n: 3 }], 0, 1)).toEqual([1, 3]);
    expect(outlierRange([{ values: [NaN] }])).toBeNull();
    expect(outlierRange([])).toBeNull();
  });

  it('takes a slice [start, n) and can keep positive values only', () => {
    expect(outlierRange([{ values: [1000, -5, 0, 2, 3, 1000], start: 1, n: 5 }], 0, 1)).toEqual([-5, 3]);
    expect(outlierRange([{ values: [-5, 0, 2, 3] }], 0, 1, { positiveOnly: true })).toEqual([2, 3]);
  });

  it('samples large inputs evenly: quantiles stay close to the exact ones', () => {
    let seed = 11;
    const series = Array.from({ length: 20 }, (_, r) => ({
      values: Float64Array.from({ length: 10_000 }, (_, i) => {
        seed = (seed * 16807) % 2147483647;
        return Math.exp(-i / (1000 + r * 50)) + (seed / 2147483647 - 0.5) * 0.1 + (i % 997 === 0 ? 50 : 0);
      }),
    }));
    const exact = outlierRange(series)!;
    const sampled = outlierRange(series, 0.05, 0.95, { maxSamples: 5_000 })!;
    const span = exact[1] - exact[0];
    expect(Math.abs(sampled[0] - exact[0])).toBeLessThan(span * 0.02);
    expect(Math.abs(sampled[1] - exact[1])).toBeLessThan(span * 0.02);
    expect(sampled[1]).toBeLessThan(10); // the spikes (50) stay out
  });
});
