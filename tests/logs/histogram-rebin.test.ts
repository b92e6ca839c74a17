// Re-binning logged histograms onto uniform bins (what the HISTOGRAMS tab draws): mass is kept, edge
// cases are placed sensibly, and a real TF1 log of a bell-shaped weight distribution comes out bell-shaped.
import { describe, expect, it } from 'vitest';
import { bucketize, rebinHistograms, TF_BUCKET_LIMITS } from '../../shared/histogram.ts';
import type { Bucket } from '../../shared/types.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { corpusFile } from './corpus-files.ts';

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Index of the largest value and whether the values rise to it and fall after it (within `slack` of the peak). */
function shape(a: ArrayLike<number>, slack: number): { peak: number; unimodal: boolean } {
  let peak = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[peak]) peak = i;
  let unimodal = true;
  for (let i = 1; i <= peak; i++) if (a[i] < a[i - 1] - slack * a[peak]) unimodal = false;
  for (let i = peak + 1; i < a.length; i++) if (a[i] > a[i - 1] + slack * a[peak]) unimodal = false;
  return { peak, unimodal };
}

describe('rebinHistograms', () => {
  it('spreads each bucket over the bins it overlaps, in proportion, and keeps every count', () => {
    const r = rebinHistograms([{ buckets: [[0, 1, 10], [1, 4, 30]] }, { buckets: [[2, 3, 6]] }], 4);
    expect([r.min, r.max, r.binWidth]).toEqual([0, 4, 1]);
    expect(Array.from(r.counts[0])).toEqual([10, 10, 10, 10]);
    expect(Array.from(r.counts[1])).toEqual([0, 0, 6, 0]);
    // a bucket straddling a bin edge: [0.5, 2) with 3 values -> 1 in bin [0, 1), 2 in bin [1, 2)
    const s = rebinHistograms([{ buckets: [[0, 0.5, 1], [0.5, 2, 3]] }], 2);
    expect(s.counts[0][0]).toBeCloseTo(2, 12);
    expect(s.counts[0][1]).toBeCloseTo(2, 12);
  });

  it('conserves mass for random data in TF buckets, over a range shared by all steps', () => {
    let seed = 11;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const steps = [1, 3, 0.2].map((scale) => ({ buckets: bucketize(Array.from({ length: 5000 }, () => (rnd() - 0.3) * scale)) }));
    const r = rebinHistograms(steps, 30);
    expect(r.counts.length).toBe(3);
    for (const c of r.counts) {
      expect(c.length).toBe(30);
      expect(sum(c)).toBeCloseTo(5000, 6);
      expect(Math.min(...c)).toBeGreaterThanOrEqual(0);
    }
    const lefts = steps.flatMap((s) => s.buckets.map((b) => b[0]));
    const rights = steps.flatMap((s) => s.buckets.map((b) => b[1]));
    expect(r.min).toBe(Math.min(...lefts));
    expect(r.max).toBe(Math.max(...rights));
  });

  it('puts zero-width buckets whole into the bin holding them; the top edge belongs to the last bin', () => {
    const r = rebinHistograms([{ buckets: [[0, 0, 5], [1, 1, 2], [2, 2, 7]] }], 4);
    expect(Array.from(r.counts[0])).toEqual([5, 0, 2, 7]);
  });

  it('widens a one-value range (biases all 0) and gives empty histograms empty bins', () => {
    const r = rebinHistograms([{ buckets: [[0, 0, 64]] }, { buckets: [] }], 10);
    expect(r.min).toBeLessThan(0);
    expect(r.max).toBeGreaterThan(0);
    expect(sum(r.counts[0])).toBe(64);
    expect(r.counts[0][5]).toBe(64); // 0 is the range's middle
    expect(sum(r.counts[1])).toBe(0);
    const none = rebinHistograms([], 30);
    expect([none.min, none.max, none.counts]).toEqual([0, 1, []]);
  });

  it("clips TF's ±DBL_MAX / ±Inf outer edges to the histogram's min/max, or to the bucket's finite edge", () => {
    const DBL_MAX = TF_BUCKET_LIMITS[TF_BUCKET_LIMITS.length - 1];
    const raw: Bucket[] = [[-DBL_MAX, -1, 4], [-1, 1, 8], [1, Infinity, 4]];
    const withExtremes = rebinHistograms([{ buckets: raw, min: -3, max: 3 }], 6);
    expect([withExtremes.min, withExtremes.max]).toEqual([-3, 3]);
    expect(Array.from(withExtremes.counts[0])).toEqual([2, 2, 4, 4, 2, 2]);
    const without = rebinHistograms([{ buckets: raw }], 2);
    expect([without.min, without.max]).toEqual([-1, 1]);
    expect(Array.from(without.counts[0])).toEqual([8, 8]);
    // nothing finite to place: dropped rather than stretching the range to infinity
    const hopeless = rebinHistograms([{ buckets: [[-Infinity, Infinity, 3], [NaN, 1, 2], [0, 1, 5]] }], 2);
    expect([hopeless.min, hopeless.max]).toEqual([0, 1]);
    expect(sum(hopeless.counts[0])).toBe(5);
  });

  it('turns the V of a real TF1 log (exponential buckets around 0) back into one peak at 0', async () => {
    const file = corpusFile('log_tayo', 'train', 'events.out.tfevents');
    const { records } = await readEventFile(file);
    const hists = records.filter((r) => r.kind === 'histogram' && r.tag === 'layer1/weights/summaries/histogram');
    expect(hists.length).toBeGreaterThan(1);
    const steps = hists.map((h) => ({ buckets: (h as { buckets: Bucket[] }).buckets }));
    const last = steps[steps.length - 1].buckets;
    // Drawn as logged, the bucket holding 0 is one of the lowest: the false dip.
    const atZero = last.find(([l, r]) => l <= 0 && 0 < r)!;
    expect(atZero[2]).toBeLessThan(Math.max(...last.map((b) => b[2])) / 100);
    const r = rebinHistograms(steps, 30);
    r.counts.forEach((c, i) => {
      expect(sum(c)).toBeCloseTo(sum(steps[i].buckets.map((b) => b[2])), 3);
      const { peak, unimodal } = shape(c, 0.02);
      expect(unimodal).toBe(true);
      const centre = r.min + (peak + 0.5) * r.binWidth;
      expect(Math.abs(centre)).toBeLessThanOrEqual(r.binWidth);
    });
  });
});
