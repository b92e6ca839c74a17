import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, parseSamplesPerPlugin } from '../../server/store/series-store.ts';
import { limitFor } from '../../server/store/sample-limits.ts';

describe('parseSamplesPerPlugin', () => {
  it('overrides only the given plugins', () => {
    expect(parseSamplesPerPlugin('scalars=500')).toEqual({ ...DEFAULT_LIMITS, scalars: 500 });
    expect(parseSamplesPerPlugin(' images = 3 , histograms=20 ')).toEqual({ ...DEFAULT_LIMITS, histograms: 20, images: 3 });
    expect(parseSamplesPerPlugin('')).toEqual(DEFAULT_LIMITS);
  });
  it('accepts "all" and 0 as keep-everything', () => {
    expect(parseSamplesPerPlugin('scalars=all,histograms=0,images=ALL')).toEqual({
      ...DEFAULT_LIMITS,
      scalars: Infinity,
      histograms: Infinity,
      images: Infinity,
    });
  });
  it('takes the text, audio and pr_curves limits too', () => {
    expect(parseSamplesPerPlugin('text=5,audio=all,pr_curves=0')).toMatchObject({ text: 5, audio: Infinity, pr_curves: Infinity });
  });
  it('throws readable errors', () => {
    expect(() => parseSamplesPerPlugin('scalars')).toThrow(/plugin=N/);
    expect(() => parseSamplesPerPlugin('a b=5')).toThrow(/not a plugin name/);
    expect(() => parseSamplesPerPlugin('__proto__=5')).toThrow(/not a plugin name/);
    expect(() => parseSamplesPerPlugin('scalars=-1')).toThrow(/scalars=-1/);
    expect(() => parseSamplesPerPlugin('images=2.5')).toThrow(/non-negative integer/);
    expect(() => parseSamplesPerPlugin('images=lots')).toThrow(/images=lots/);
    expect(() => parseSamplesPerPlugin('images=1,images=2')).toThrow(/twice/);
    expect(() => parseSamplesPerPlugin('scalars=99999999999999999999')).toThrow(/too large/);
  });
  it('accepts every plugin name, with TensorBoard\'s defaults for the rest', () => {
    const l = parseSamplesPerPlugin('text=5,audio=all,pr_curves=7,tensors=3,mesh=2');
    expect(l).toMatchObject({ text: 5, audio: Infinity, pr_curves: 7, tensors: 3, other: { mesh: 2 } });
    expect(limitFor(l, 'mesh')).toBe(2);
    expect(limitFor(l, 'custom_scalars')).toBe(3);
    expect(limitFor(l, 'text')).toBe(5);
    // TensorBoard 2.21's defaults (data_ingester.DEFAULT_TENSOR_SIZE_GUIDANCE, and 10 for other tensors).
    expect(DEFAULT_LIMITS).toMatchObject({ histograms: 500, images: 10, audio: 10, pr_curves: 100, text: 100, tensors: 10 });
  });
  it('does not mutate the defaults', () => {
    parseSamplesPerPlugin('scalars=1');
    expect(DEFAULT_LIMITS.scalars).toBe(100_000);
  });
});
