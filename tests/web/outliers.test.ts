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
});
