import { describe, expect, it } from 'vitest';
import { extendSmoothed, newSmoothState, smooth, smoothInto, type SmoothState } from '../../shared/smoothing.ts';

describe('smooth (debiased EMA)', () => {
  it('matches hand-computed debiased EMA', () => {
    // w = 0.5: last = 0.5, 1.25, 2.125; debias = 0.5, 0.75, 0.875
    const out = smooth([1, 2, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(1.25 / 0.75, 12);
    expect(out[2]).toBeCloseTo(2.125 / 0.875, 12);
  });

  it('uses the 0.6 default weight like TensorBoard', () => {
    // last = 0.4*10 = 4 (debias 0.4 -> 10); last = 2.4 + 0.4*20 = 10.4 (debias 0.64 -> 16.25)
    const out = smooth([10, 20], 0.6);
    expect(out[0]).toBeCloseTo(10, 12);
    expect(out[1]).toBeCloseTo(16.25, 12);
  });

  it('passes non-finite values through without poisoning the average', () => {
    const out = smooth([1, NaN, 3, Infinity, -Infinity, 5], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(Number.isNaN(out[1])).toBe(true);
    // second accumulated value: last = 0.25 + 1.5 = 1.75, debias 0.75
    expect(out[2]).toBeCloseTo(1.75 / 0.75, 12);
    expect(out[3]).toBe(Infinity);
    expect(out[4]).toBe(-Infinity);
    // third: last = 0.875 + 2.5 = 3.375, debias 0.875
    expect(out[5]).toBeCloseTo(3.375 / 0.875, 12);
  });

  it('keeps a constant series exactly constant', () => {
    const vals = new Array(50).fill(0.1);
    const out = smooth(vals, 0.95);
    for (const v of out) expect(v).toBe(0.1);
  });

  it('is the identity at weight 0', () => {
    expect([...smooth([3, -1, 7.5], 0)]).toEqual([3, -1, 7.5]);
  });

  it('resumes incrementally with the same result as a full pass', () => {
    const vals = Array.from({ length: 200 }, (_, i) => Math.sin(i / 7) + (i % 13 === 0 ? NaN : 0));
    const full = smooth(vals, 0.8);
    const out = new Float64Array(vals.length);
    let st: SmoothState | null = null;
    for (const n of [1, 5, 60, 61, 200]) st = extendSmoothed(vals, n, out, st, 0.8);
    expect(st!.done).toBe(200);
    for (let i = 0; i < vals.length; i++) expect(Object.is(out[i], full[i]) || Math.abs(out[i] - full[i]) < 1e-12).toBe(true);
  });

  it('asks for a restart when a constant prefix stops being constant', () => {
    const out = new Float64Array(3);
    const st = newSmoothState(0.5);
    expect(smoothInto([2, 2], 2, out, st)).toBe(true);
    expect(smoothInto([2, 2, 4], 3, out, st)).toBe(false);
    const full = smooth([2, 2, 4], 0.5);
    // last = 1, 1.5, 2.75; debias 0.5, 0.75, 0.875
    expect(full[2]).toBeCloseTo(2.75 / 0.875, 12);
    const st2 = extendSmoothed([2, 2, 4], 3, out, newSmoothState(0.5), 0.5);
    expect(st2.constant).toBe(false);
    expect([...out]).toEqual([...full]);
  });
});
