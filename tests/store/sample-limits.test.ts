import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, parseSamplesPerPlugin } from '../../server/store/series-store.ts';

describe('parseSamplesPerPlugin', () => {
  it('overrides only the given plugins', () => {
    expect(parseSamplesPerPlugin('scalars=500')).toEqual({ ...DEFAULT_LIMITS, scalars: 500 });
    expect(parseSamplesPerPlugin(' images = 3 , histograms=20 ')).toEqual({ scalars: DEFAULT_LIMITS.scalars, histograms: 20, images: 3 });
    expect(parseSamplesPerPlugin('')).toEqual(DEFAULT_LIMITS);
  });
  it('accepts "all" and 0 as keep-everything', () => {
    expect(parseSamplesPerPlugin('scalars=all,histograms=0,images=ALL')).toEqual({
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
    expect(() => parseSamplesPerPlugin('bogus=5')).toThrow(/unknown plugin "bogus"/);
    expect(() => parseSamplesPerPlugin('scalars=-1')).toThrow(/scalars=-1/);
    expect(() => parseSamplesPerPlugin('images=2.5')).toThrow(/non-negative integer/);
    expect(() => parseSamplesPerPlugin('images=lots')).toThrow(/images=lots/);
    expect(() => parseSamplesPerPlugin('images=1,images=2')).toThrow(/twice/);
    expect(() => parseSamplesPerPlugin('scalars=99999999999999999999')).toThrow(/too large/);
  });
  it('does not mutate the defaults', () => {
    parseSamplesPerPlugin('scalars=1');
    expect(DEFAULT_LIMITS.scalars).toBe(100_000);
  });
});
