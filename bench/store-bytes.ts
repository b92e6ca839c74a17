// Bytes per stored point: a scalar point and a 549-bucket histogram (edges of its own, and edges of the
// default ladder as tensorboardX writes them, which a series keeps once) held in the store's compact
// series, against the previous layout (a Reservoir of { wallTime, buckets: [left, right, count][] }). Two measures each: the series'
// own accounting (typed arrays' byteLength, what --max-memory counts) and the process' heap + array
// buffers before/after (needs --expose-gc; run through npm run bench:store-bytes).
// Usage: npm run bench:store-bytes [-- --points 1000000 --histograms 5000]
import type { Bucket } from '../shared/types.ts';
import { HistogramSeries } from '../server/store/histogram-series.ts';
import { TF_BUCKET_LIMITS } from '../shared/histogram.ts';
import { Reservoir } from '../server/store/reservoir.ts';
import { ScalarSeries } from '../server/store/scalar-series.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const POINTS = arg('points', 1_000_000);
const HISTS = arg('histograms', 5_000);
const BUCKETS = 549;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc (npm run bench:store-bytes)');
  process.exit(1);
}
function used(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A tensorboardX-like histogram: contiguous buckets, exponential edges, whole counts. */
function histogram(seed: number): Bucket[] {
  const out: Bucket[] = [];
  let left = -1 - (seed % 7) * 0.01;
  for (let k = 0; k < BUCKETS; k++) {
    const right = left + 0.004 * 1.001 ** k;
    out.push([left, right, Math.floor(((k * 7919 + seed) % 1000) + 1)]);
    left = right;
  }
  return out;
}

/**
 * A histogram as tensorboardX writes one with its default bins: 549 buckets of TensorFlow's default edge
 * ladder (the run between the first and last non-empty bucket; where it starts drifts with the spread),
 * the outer edges at the sample's min and max, whole counts (10,000 values: mostly under 256).
 */
function tfHistogram(seed: number): Bucket[] {
  const from = (TF_BUCKET_LIMITS.length >> 1) - 275 + (seed % 11) - 5;
  const out: Bucket[] = [];
  let left = TF_BUCKET_LIMITS[from - 1] * 0.97;
  for (let k = 0; k < BUCKETS; k++) {
    const i = from + k;
    const right = k === BUCKETS - 1 ? TF_BUCKET_LIMITS[i - 1] * 1.03 : TF_BUCKET_LIMITS[i];
    out.push([left, right, Math.floor(((k * 7919 + seed) % 300) * Math.exp(-(((k - 274) / 120) ** 2)))]);
    left = right;
  }
  return out;
}

function measure<T>(label: string, count: number, unit: string, build: () => T, accounted?: (t: T) => number): void {
  const before = used();
  const kept = build();
  const after = used();
  const heap = (after - before) / count;
  const acc = accounted ? ` (own accounting ${(accounted(kept) / count).toFixed(1)} B)` : '';
  console.log(`${label.padEnd(44)} ${heap.toFixed(1).padStart(9)} B per ${unit}${acc}`);
  (globalThis as { keep?: unknown }).keep = kept; // alive until here
}

console.log(`${POINTS} scalar points in one series, ${HISTS} histograms of ${BUCKETS} buckets in one series`);
measure('scalars, ScalarSeries (typed columns)', POINTS, 'point', () => {
  const s = new ScalarSeries(Infinity);
  for (let i = 0; i < POINTS; i++) s.add(i, 1.7e9 + i, Math.fround(Math.sin(i)));
  return s;
}, (s) => s.bytes);
measure('scalars, Reservoir of objects (old layout)', POINTS, 'point', () => {
  const s = new Reservoir<{ wallTime: number; value: number }>(Infinity);
  for (let i = 0; i < POINTS; i++) s.add(i, { wallTime: 1.7e9 + i, value: Math.fround(Math.sin(i)) });
  return s;
});
// Each histogram arrives as decoded arrays that then die (as from the reader): only what is kept counts.
measure('histograms, HistogramSeries (own edges)', HISTS, 'histogram', () => {
  const s = new HistogramSeries(Infinity);
  for (let i = 0; i < HISTS; i++) s.add(i, 1.7e9 + i, histogram(i));
  return s;
}, (s) => s.bytes);
measure('histograms of the default ladder (tensorboardX)', HISTS, 'histogram', () => {
  const s = new HistogramSeries(Infinity);
  for (let i = 0; i < HISTS; i++) s.add(i, 1.7e9 + i, tfHistogram(i));
  return s;
}, (s) => s.bytes);
measure('histograms, Reservoir of bucket arrays (old)', HISTS, 'histogram', () => {
  const s = new Reservoir<{ wallTime: number; buckets: Bucket[] }>(Infinity);
  for (let i = 0; i < HISTS; i++) s.add(i, { wallTime: 1.7e9 + i, buckets: histogram(i) });
  return s;
});
