import { describe, expect, it } from 'vitest';
import { dataRange, linearTicks, logTicks, niceStep, scaleTicks, xAxisTicks, yAxisTicks, yExtent } from '../../web/src/lib/charts/nice-scale.ts';

describe('nice ticks', () => {
  it('linear: round multiples inside the range, never its raw ends', () => {
    // a zoomed x range
    expect(linearTicks(3139.87, 4521.3, 6)).toEqual([3200, 3400, 3600, 3800, 4000, 4200, 4400]);
    expect(linearTicks(0.11027, 0.93, 6)).toEqual([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(linearTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks(-0.25, 0.25, 4)).toEqual([-0.2, -0.1, 0, 0.1, 0.2]);
    expect(linearTicks(0, 10_274, 6)).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    // float noise is rounded away
    expect(linearTicks(0.1, 0.35, 6)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    expect(linearTicks(0.1, 0.35, 3)).toEqual([0.1, 0.2, 0.3]);
    expect(linearTicks(5, 5)).toEqual([5]);
    expect(linearTicks(NaN, 1)).toEqual([]);
  });

  it('about maxTicks ticks, each a multiple of a 1-2-5 step', () => {
    let seed = 3;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 200; i++) {
      const a = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 10 - 4);
      const b = a + rnd() * 10 ** Math.floor(rnd() * 10 - 4);
      const t = linearTicks(a, b, 6);
      const step = niceStep(b - a, 6);
      expect(Number((step / 10 ** Math.floor(Math.log10(step) + 1e-9)).toPrecision(6)).toString()).toMatch(/^(1|2|5)(\.0*)?$/);
      expect(t.length).toBeLessThanOrEqual(10);
      expect(t.length).toBeGreaterThanOrEqual(3);
      for (const v of t) {
        expect(v).toBeGreaterThanOrEqual(a - 1e-9 * step);
        expect(v).toBeLessThanOrEqual(b + 1e-9 * step);
        expect(Math.abs(v / step - Math.round(v / step))).toBeLessThan(1e-6);
      }
    }
  });

  it('time axes step by seconds, minutes and hours', () => {
    expect(niceStep(300, 6, 'seconds')).toBe(60);
    expect(niceStep(6 * 3600, 6, 'seconds')).toBe(3600);
    expect(niceStep(4 * 3600, 6, 'seconds')).toBe(1800);
    expect(niceStep(3 * 86400 * 10, 6, 'seconds')).toBe(5 * 86400);
    expect(linearTicks(0, 1, 4, 'hours').map((h) => Math.round(h * 60))).toEqual([0, 15, 30, 45, 60]);
    expect(linearTicks(1000, 1100, 4, 'seconds')).toEqual([1020, 1050, 1080]);
    // zoomed below a second: decimal fractions of it, not no ticks at all
    expect(scaleTicks(1515280094.15, 1515280094.6, { maxTicks: 5, unit: 'seconds' }).map((t) => t.value)).toEqual([1515280094.2, 1515280094.3, 1515280094.4, 1515280094.5, 1515280094.6]);
  });

  it('log: powers of ten, thinned when many; 1-2-5 inside a decade', () => {
    expect(logTicks(0.0037, 12.5)).toEqual([0.01, 0.1, 1, 10]);
    expect(logTicks(1e-8, 1e8, 6)).toEqual([1e-8, 1e-5, 1e-2, 1e1, 1e4, 1e7]);
    expect(logTicks(0.13, 0.9)).toEqual([0.2, 0.5]);
    expect(logTicks(0, 1)).toEqual([]);
    expect(scaleTicks(0.0037, 12.5, { log: true })).toEqual([{ value: 0.01 }, { value: 0.1 }, { value: 1 }, { value: 10 }]);
  });
});

describe('Chart.js scale ticks', () => {
  it('never more than maxTicks (Chart.js would skip every other label), still round', () => {
    // about-6 would be a 5-step here (8 ticks); at most 6 makes it a 10-step
    expect(scaleTicks(1, 39, { maxTicks: 6 }).map((t) => t.value)).toEqual([10, 20, 30]);
    expect(scaleTicks(0, 1, { maxTicks: 5 }).map((t) => t.value)).toEqual([0, 0.5, 1]);
    expect(scaleTicks(1000, 1400, { maxTicks: 3, unit: 'seconds' }).map((t) => t.value)).toEqual([1080, 1200, 1320]);
    expect(scaleTicks(0, 7200 * 10, { maxTicks: 4, unit: 'seconds' }).map((t) => t.value)).toEqual([0, 21600, 43200, 64800]);
    let seed = 5;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 300; i++) {
      const a = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 3);
      const b = a + rnd() * 10 ** Math.floor(rnd() * 8 - 3);
      const n = 2 + Math.floor(rnd() * 7);
      const t = scaleTicks(a, b, { maxTicks: n });
      expect(t.length).toBeLessThanOrEqual(n);
      expect(t.length).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('line chart axes', () => {
  it('x: as many ticks as fit the width, whole steps only, time steps on time axes', () => {
    const v = (t: { value: number }[]) => t.map((x) => x.value);
    expect(v(xAxisTicks(0, 10_000, 540, 'step'))).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    expect(v(xAxisTicks(6.5, 7.5, 540, 'step'))).toEqual([7]);
    expect(v(xAxisTicks(0, 2, 540, 'hours')).map((h) => Math.round(h * 60))).toEqual([0, 30, 60, 90, 120]);
    expect(v(xAxisTicks(3139.87, 4521.3, 270, 'step'))).toEqual([3500, 4000, 4500]);
    expect(v(yAxisTicks(0.1125, 0.7175, 180, false))).toEqual([0.2, 0.4, 0.6]);
    expect(v(yAxisTicks(0.001, 10, 180, true))).toEqual([0.001, 0.01, 0.1, 1, 10]);
  });
});

describe('data-driven ranges', () => {
  it('pads the data, not to the next round number; keeps >= 0 data above 0 and [0, 1] data inside [0, 1]', () => {
    const acc = dataRange(0.1, 0.98)!;
    expect(acc[1]).toBe(1);
    expect(acc[0]).toBeCloseTo(0.056, 9);
    expect(dataRange(0.02, 2.3)).toEqual([0, 2.3 + 0.05 * 2.28]);
    const signed = dataRange(-3, 1)!;
    expect(signed[0]).toBeCloseTo(-3.2, 9);
    expect(signed[1]).toBeCloseTo(1.2, 9);
    expect(dataRange(5, 5)).toEqual([4.5, 5.5]);
    expect(dataRange(0, 0)).toEqual([0, 1]);
    expect(dataRange(1, Infinity)).toBeNull();
    const log = dataRange(0.01, 100, true)!;
    expect(log[0]).toBeLessThan(0.01);
    expect(log[1]).toBeGreaterThan(100);
    expect(dataRange(0, 1, true)).toBeNull();
  });

  it('y extent skips gaps and, on a log axis, non-positive values', () => {
    const pts = [[{ y: 1 }, { y: NaN }, { y: -2 }], [{ y: 7 }, { y: Infinity }]];
    expect(yExtent(pts)).toEqual([-2, 7]);
    expect(yExtent(pts, true)).toEqual([1, 7]);
    expect(yExtent([[{ y: NaN }]])).toBeNull();
  });
});
