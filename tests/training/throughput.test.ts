import { describe, expect, it } from 'vitest';
import { iterationAt, steadyThroughput, type ProgressSeries } from '../../server/training/throughput.ts';

/** A run progressing at `rate` it/s from t0 for `n` iterations, reported every 0.1 s. */
function run(t0: number, rate: number, n: number): ProgressSeries {
  const out: ProgressSeries = [];
  for (let t = 0; ; t += 0.1) {
    const it = Math.min(n, Math.round(t * rate));
    out.push([t0 + t, it]);
    if (it >= n) return out;
  }
}

describe('iterationAt', () => {
  const s: ProgressSeries = [[1, 10], [2, 30], [4, 50]];
  it('interpolates between reports, 0 before the first, the last after', () => {
    expect(iterationAt(s, 0.5)).toBe(0);
    expect(iterationAt(s, 1)).toBe(10);
    expect(iterationAt(s, 1.5)).toBe(20);
    expect(iterationAt(s, 3)).toBe(40);
    expect(iterationAt(s, 9)).toBe(50);
    expect(iterationAt([], 1)).toBe(0);
  });
});

describe('steadyThroughput', () => {
  it('one run: its own rate between its first and last report', () => {
    const r = steadyThroughput([run(0.5, 1000, 5000)], 1);
    expect(r.from).toBeCloseTo(0.5);
    expect(r.to).toBeCloseTo(5.5);
    expect(r.itPerSec).toBeCloseTo(1000, 0);
  });

  it('two waves on two slots: counts only while both slots are busy (start-up and idle tail excluded)', () => {
    // Wave 1 starts late (worker start-up) and unevenly; wave 2 starts as wave 1 ends; one run is shorter.
    const series = [run(0.5, 800, 4000), run(0.9, 800, 4000), run(5.5, 800, 2400), run(5.9, 800, 4000)];
    const r = steadyThroughput(series, 2);
    expect(r.from).toBeCloseTo(0.9); // the 2nd run's first report
    expect(r.to).toBeCloseTo(8.5, 1); // the shorter last-wave run's end: after it one slot idles
    // Inside the window two runs progress at once, except the 0.4 s gap between the first wave's ends.
    expect(r.itPerSec).toBeGreaterThan(1500);
    expect(r.itPerSec).toBeLessThanOrEqual(1600 + 1e-6);
    // The amortized figure (start to the last end) is lower: start-up and the tail count.
    const total = 4000 + 4000 + 2400 + 4000;
    expect(total / 10.9).toBeLessThan(r.itPerSec);
  });

  it('fewer runs than slots: the window spans the runs that exist', () => {
    const r = steadyThroughput([run(0, 500, 1000)], 2);
    expect(r.itPerSec).toBeCloseTo(500, 0);
    expect(steadyThroughput([], 2).itPerSec).toBe(0);
  });
});
