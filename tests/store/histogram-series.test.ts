import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { Bucket, HistogramTuple } from '../../shared/types.ts';
import { HistogramSeries } from '../../server/store/histogram-series.ts';
import { Reservoir } from '../../server/store/reservoir.ts';
import { TF_BUCKET_LIMITS } from '../../shared/histogram.ts';
import { seededRng } from './seeded-rng.ts';

interface Item {
  wallTime: number;
  buckets: Bucket[];
}
const asTuples = (r: Reservoir<Item>, after?: number): HistogramTuple[] => r.items(after).map(({ step, item }) => [item.wallTime, step, item.buckets]);

/**
 * A histogram as TensorFlow / tensorboardX write it: a run of buckets of the default ladder, the first
 * starting at the minimum, the last ending at the maximum; counts below `maxCount`.
 */
function ladderBuckets(rand: () => number, maxCount: number): Bucket[] {
  const mid = TF_BUCKET_LIMITS.length >> 1;
  const from = mid - 1 - Math.floor(rand() * 300);
  const to = mid + 1 + Math.floor(rand() * 300);
  const out: Bucket[] = [];
  let left = TF_BUCKET_LIMITS[from - 1] * (1 - rand() * 0.05);
  for (let i = from; i <= to; i++) {
    const right = i === to ? TF_BUCKET_LIMITS[to - 1] * 1.01 : TF_BUCKET_LIMITS[i];
    out.push([left, right, Math.floor(rand() * maxCount)]);
    left = right;
  }
  return out;
}

/** Buckets of several shapes: contiguous (as writers make them), gapped, fractional/huge counts, -0, NaN, empty, ladder slices. */
function makeBuckets(rand: () => number, i: number): Bucket[] {
  const shape = i % 8;
  if (shape === 5) return [];
  if (shape === 6) return ladderBuckets(rand, 200);
  if (shape === 7) return ladderBuckets(rand, 70_000);
  const n = 1 + Math.floor(rand() * 40);
  const out: Bucket[] = [];
  let left = shape === 3 ? -0 : rand() * -10;
  for (let k = 0; k < n; k++) {
    const right = left + rand() * 0.37 + 1e-9;
    const count = shape === 1 ? rand() * 3 : shape === 2 ? 2 ** 40 + k : shape === 4 && k === 0 ? NaN : Math.floor(rand() * 1000);
    // shape 1 also has gaps between buckets
    out.push([left, right, count]);
    left = shape === 1 ? right + 0.5 : right;
  }
  return out;
}

function drive(seed: number, capacity: number, count: number, rewindEvery: number) {
  const rand = seededRng(seed + 1000);
  const oldRes = new Reservoir<Item>(capacity, seededRng(seed));
  const neu = new HistogramSeries(capacity, seededRng(seed));
  let step = 0;
  for (let i = 0; i < count; i++) {
    step = rewindEvery > 0 && i > 0 && i % rewindEvery === 0 ? Math.max(0, step - Math.floor(rand() * 50)) : step + 1;
    const wall = 1_700_000_000 + i * 0.25;
    const b = makeBuckets(rand, i);
    const a1 = oldRes.add(step, { wallTime: wall, buckets: b });
    const a2 = neu.add(step, wall, b);
    expect(a2).toEqual(a1);
    expect(neu.tupleAt(a2.slot)).toEqual([wall, step, b]);
  }
  return { oldRes, neu };
}

describe('HistogramSeries', () => {
  it('keeps the same histograms as the reservoir of bucket arrays, value for value', () => {
    for (const [seed, cap, count, rewind] of [
      [1, 10, 500, 0],
      [2, 50, 2000, 97],
      [3, Infinity, 300, 41],
      [4, 3, 100, 7],
    ] as const) {
      const { oldRes, neu } = drive(seed, cap, count, rewind);
      expect(neu.size).toBe(oldRes.size);
      expect(neu.seenCount).toBe(oldRes.seenCount);
      expect(neu.lastStep).toBe(oldRes.lastStep);
      expect(neu.tuples()).toEqual(asTuples(oldRes));
      const mid = oldRes.stepList()[Math.floor(oldRes.size / 2)];
      expect(neu.tuples(mid)).toEqual(asTuples(oldRes, mid));
      for (let i = 0; i < neu.size; i++) {
        const want = oldRes.orderedItem(i)!;
        expect(neu.orderedItem(i)).toEqual(want);
        expect(neu.orderedWallTime(i)).toBe(want.wallTime);
        expect(neu.orderedBucketCount(i)).toBe(want.buckets.length);
      }
    }
  });

  it('keeps -0, NaN and counts past float32 exactly', () => {
    const s = new HistogramSeries(10);
    const b: Bucket[] = [
      [-0, 1, NaN],
      [1, 2.5, 2 ** 40 + 1],
      [3, 4, 0.1],
    ];
    s.add(1, 5, b);
    const [[, , got]] = s.tuples();
    expect(Object.is(got[0][0], -0)).toBe(true);
    expect(got).toEqual(b);
  });

  it('keeps every count exactly whatever width it fits (u8, u16, f32, f64; -0 and NaN counts)', () => {
    const s = new HistogramSeries(Infinity);
    const counts = [
      [0, 1, 255],
      [0, 256, 3],
      [65_535, 2, 0],
      [65_536, 1, 1],
      [-1, 1, 1],
      [0.5, 2, 3],
      [2 ** 24, 1, 2],
      [2 ** 24 + 1, 1, 2],
      [-0, 1, 2],
      [1, 2, -0],
      [NaN, 1, 2],
      [Infinity, 0, 1],
      [0.1, 1, 1],
    ];
    for (const [i, c] of counts.entries()) s.add(i, i, c.map((x, k): Bucket => [k, k + 1, x]));
    const back = s.tuples().map((t) => t[2].map((b) => b[2]));
    expect(back).toEqual(counts);
    for (const [i, c] of counts.entries()) c.forEach((x, k) => expect(Object.is(back[i][k], x)).toBe(true));
  });

  it('evicts on a rewind and on SessionLog START, as the reservoir does', () => {
    const s = new HistogramSeries(100);
    for (let i = 0; i < 20; i++) s.add(i, i, [[0, 1, i]]);
    expect(s.add(10, 99, [[0, 2, 7]]).rewound).toBe(true);
    expect(s.tuples().map((t) => t[1])).toEqual([...Array(11).keys()]);
    expect(s.tuples().at(-1)).toEqual([99, 10, [[0, 2, 7]]]);
    expect(s.truncateFrom(0)).toBe(true);
    expect(s.size).toBe(0);
    s.add(3, 1, [[1, 2, 3]]);
    expect(s.tuples()).toEqual([[1, 3, [[1, 2, 3]]]]);
  });

  it('stays compact under constant replacement (dead bucket space is reclaimed)', () => {
    const s = new HistogramSeries(20, seededRng(9));
    const b: Bucket[] = Array.from({ length: 500 }, (_, k) => [k, k + 1, k]);
    for (let i = 0; i < 5000; i++) s.add(i, i, b);
    // 20 kept histograms of 501 edges (8 bytes) and 500 float32 counts, at most ~4x that with slack.
    const live = 20 * (501 * 8 + 500 * 4);
    expect(s.bytes).toBeLessThan(live * 4 + 4096);
    expect(s.tuples()).toHaveLength(20);
    for (const t of s.tuples()) expect(t[2]).toEqual(b);
  });

  it('keeps the default ladder once per series: ~the counts per histogram, read back exactly', () => {
    const rand = seededRng(11);
    for (const [maxCount, perBucket] of [
      [200, 1], // u8 counts
      [60_000, 2], // u16
      [2 ** 30, 4], // f32 (whole numbers past 2^24 round: those go f64)
    ] as const) {
      const s = new HistogramSeries(Infinity);
      const want: HistogramTuple[] = [];
      let buckets = 0;
      for (let i = 0; i < 300; i++) {
        const b = ladderBuckets(rand, maxCount).map(([l, r, c]): Bucket => [l, r, maxCount > 2 ** 24 ? c - (c % 256) : c]);
        buckets += b.length;
        s.add(i, i * 2, b);
        want.push([i * 2, i, b]);
      }
      expect(s.tuples()).toEqual(want);
      // counts, two edges and the columns per histogram; the pool's growth slack (up to 2x) on top
      const perHist = (buckets / 300) * perBucket + 16 + 33;
      expect(s.bytes / 300).toBeLessThan(perHist * 2 + 100);
      if (perBucket < 4) expect(s.bytes / 300).toBeLessThan(((buckets / 300) * 8) / 2); // under half of the edges alone
    }
  });

  it('reuses replaced blocks in place once full, and reads back mixed layouts after compaction', () => {
    const rand = seededRng(12);
    const s = new HistogramSeries(30, seededRng(13));
    const ref = new Reservoir<Item>(30, seededRng(13));
    for (let i = 0; i < 3000; i++) {
      const b = makeBuckets(rand, i);
      s.add(i, i, b);
      ref.add(i, { wallTime: i, buckets: b });
    }
    expect(s.tuples()).toEqual(asTuples(ref));
    const live = s.tuples().reduce((sum, t) => sum + t[2].length * 24, 0);
    expect(s.bytes).toBeLessThan(live * 4 + 8192);
  });

  it('is plain typed arrays: a v8 round trip of its fields (arrays back as views into one buffer) reads and adds right', () => {
    const rand = seededRng(21);
    const s = new HistogramSeries(40, seededRng(22));
    const ref = new Reservoir<Item>(40, seededRng(22));
    for (let i = 0; i < 400; i++) {
      const b = makeBuckets(rand, i);
      s.add(i, i, b);
      ref.add(i, { wallTime: i, buckets: b });
    }
    const { rng, ...fields } = s as unknown as Record<string, unknown>;
    const copy = Object.assign(Object.create(HistogramSeries.prototype) as HistogramSeries, deserialize(serialize(fields)), { rng });
    expect(copy.tuples()).toEqual(asTuples(ref));
    for (let i = 400; i < 800; i++) {
      const b = makeBuckets(rand, i);
      copy.add(i, i, b);
      ref.add(i, { wallTime: i, buckets: b });
    }
    expect(copy.tuples()).toEqual(asTuples(ref));
  });
});
