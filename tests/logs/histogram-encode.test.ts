// The in-place histogram encoder (EventWriter's hot path) must write exactly what protobufjs writes.
import { describe, expect, it } from 'vitest';
import { encodeHistogramEvent, histogramEventSize, writeHistogramEvent } from '../../server/logs/event-encode.ts';
import { summarizeHistogram, type HistogramSummary } from '../../shared/histogram.ts';
import { mulberry32 } from '../../server/training/rng.ts';

function inPlace(tag: string, h: HistogramSummary, step: number, wallTime: number): Uint8Array {
  const t = new TextEncoder().encode(tag);
  const len = histogramEventSize(t, h, step, wallTime);
  const b = new Uint8Array(len + 7); // slack after the end proves the returned end position
  const end = writeHistogramEvent(b, new DataView(b.buffer), 3, t, h, step, wallTime);
  expect(end).toBe(3 + len);
  return b.subarray(3, end);
}

describe('writeHistogramEvent', () => {
  it('is byte-identical to the protobufjs encoding across tags, steps, sizes and empty histograms', () => {
    const rnd = mulberry32(5);
    const summaries: HistogramSummary[] = [
      summarizeHistogram([]), // num 0: one DBL_MAX limit, zero fields
      summarizeHistogram([0]),
      summarizeHistogram([1, -2.5, 3e-7]),
      summarizeHistogram(Float32Array.from({ length: 5000 }, () => (rnd() - 0.5) * 10 ** (rnd() * 10 - 5))), // > 16 buckets
      { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] },
      { min: -0, max: NaN, num: 2, sum: -0, sumSquares: 0, bucketLimit: [-0, 0], bucket: [1, 1] },
    ];
    expect(summaries[3].bucket.length).toBeGreaterThan(100);
    const tags = ['', 'h', 'dense_1/kernel_grad', 'x'.repeat(200), 'ünïcode/活性化'];
    for (const h of summaries) {
      for (const tag of tags) {
        for (const step of [0, 1, 127, 128, 300_000, 2 ** 40]) {
          for (const wallTime of [1_700_000_000.123, 0]) {
            expect(Array.from(inPlace(tag, h, step, wallTime))).toEqual(Array.from(encodeHistogramEvent(tag, h, step, wallTime)));
          }
        }
      }
    }
  });
});
