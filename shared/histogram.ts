// Histogram math shared by server and web: TF1-style bucketing, HistogramProto -> buckets, and
// TensorBoard's "distribution" compression. Pure; no Node or DOM APIs.
import type { BasisPointValue, Bucket } from './types.ts';

/** Basis points (1/100 of a percent) of TensorBoard's distribution bands. */
export const BASIS_POINTS: readonly number[] = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000];

const DBL_MAX = Number.MAX_VALUE;

/**
 * TF1's default bucket limits: ±1e-12 growing by 10% (computed by repeated multiplication, as TF does,
 * so edges match bit for bit) up to 1e20, then ±DBL_MAX, with 0 in the middle. Ascending.
 */
export const TF_BUCKET_LIMITS: readonly number[] = (() => {
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  pos.push(DBL_MAX);
  const neg = pos.map((v) => -v).reverse();
  return [...neg, 0, ...pos];
})();
const LIMITS = Float64Array.from(TF_BUCKET_LIMITS);

/** Index of the first limit strictly greater than v (TF's upper_bound), by binary search; unclamped. */
function upperBound(v: number): number {
  let lo = 0;
  let hi = LIMITS.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (LIMITS[mid] > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// Fast path: the top 16 bits of a double (sign, exponent, 4 mantissa bits) split the line into
// ranges at most 1/16 = 6.25% wide, narrower than a bucket (10%), so a table of upperBound() at each
// range's smallest value lands at most a step or two below the exact answer; a short forward scan
// against the exact limits then gives exactly what the binary search gives.
const F64 = new Float64Array(1);
const HI = new Uint32Array(F64.buffer, 4 * (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0), 1);
let table: Int16Array | null = null;

function rangeStart(top16: number): number {
  // smallest double whose high 16 bits are top16 (for negatives: the most negative one)
  const neg = top16 >= 0x8000;
  const mag = top16 & 0x7fff;
  const bits = neg ? mag + 1 : mag; // the next magnitude range's start bounds a negative range from below
  if (bits >= 0x7ff0) return neg ? -Infinity : Infinity;
  const dv = new DataView(new ArrayBuffer(8));
  dv.setUint32(0, bits << 16);
  dv.setUint32(4, 0);
  const x = dv.getFloat64(0);
  return neg ? -x : x;
}

function buildTable(): Int16Array {
  const t = new Int16Array(0x10000);
  for (let h = 0; h < 0x10000; h++) t[h] = Math.min(upperBound(rangeStart(h)), LIMITS.length - 1);
  return t;
}

/** Index of the first limit strictly greater than v (TF's upper_bound), clamped to the last bucket. v finite. */
function bucketIndex(v: number): number {
  const t = table ?? (table = buildTable());
  F64[0] = v;
  let i = t[HI[0] >>> 16];
  const last = LIMITS.length - 1;
  while (i < last && LIMITS[i] <= v) i++;
  return i;
}

/** The binary-search reference for bucketIndex (tests compare both). */
export function bucketIndexReference(v: number): number {
  const i = upperBound(v);
  return i < LIMITS.length ? i : LIMITS.length - 1;
}

/** Fast bucket index of a finite value, identical to bucketIndexReference (exported for tests). */
export const bucketIndexFast = bucketIndex;

// Float32 input (what the trainer reads back) skips the double conversion: the top 13 bits of a
// float32 (sign, exponent, 4 mantissa bits) give ranges at most 6.25% wide, narrower than a bucket (10%),
// so the scan is at most one step (the key width is a constant so the test can check that claim over
// every key). 16 bits would give a 128 KB table: no faster when hot, and a summary step, coming after
// training has flushed the caches, would miss in it on nearly every small histogram's value; 16 KB stays in cache.
export const KEY_SHIFT_32 = 19;
let table32: Int16Array | null = null;

const SCRATCH32 = new Float32Array(1);
const SCRATCH32_BITS = new Uint32Array(SCRATCH32.buffer);

function rangeStart32(key: number): number {
  const signKey = 1 << (31 - KEY_SHIFT_32);
  const neg = key >= signKey;
  const mag = key & (signKey - 1);
  const bits = neg ? mag + 1 : mag;
  if (bits >= 0x7f800000 >>> KEY_SHIFT_32) return neg ? -Infinity : Infinity;
  SCRATCH32_BITS[0] = bits << KEY_SHIFT_32;
  const x = SCRATCH32[0];
  return neg ? -x : x;
}

function buildTable32(): Int16Array {
  const t = new Int16Array(1 << (32 - KEY_SHIFT_32));
  for (let h = 0; h < t.length; h++) t[h] = Math.min(upperBound(rangeStart32(h)), LIMITS.length - 1);
  return t;
}

/** Bucket counts of float32 values, reading their bits; same contract as the loop in summarizeHistogram. */
function accumulate32(values: Float32Array, counts: Float64Array, acc: Acc): void {
  const t = table32 ?? (table32 = buildTable32());
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let { min, max, num, sum, sumSquares } = acc;
  const n = values.length;
  // Two values per step into two count arrays: consecutive values often share a bucket, and one array
  // would chain each increment on the previous one's store (~1.8x faster on 100k values). Sums keep the
  // one-at-a-time order, so results are bit-identical. A non-finite pair leaves the rest to the plain loop.
  let k = 0;
  for (; k + 1 < n; k += 2) {
    const v = values[k];
    const w = values[k + 1];
    if (v - v !== 0 || w - w !== 0) break;
    // sequential compares (not Math.min) so ±0 ties resolve as in the one-at-a-time loop
    if (v < min) min = v;
    if (v > max) max = v;
    if (w < min) min = w;
    if (w > max) max = w;
    sum += v;
    sumSquares += v * v;
    sum += w;
    sumSquares += w * w;
    let b = t[bits[k] >>> KEY_SHIFT_32];
    let c = t[bits[k + 1] >>> KEY_SHIFT_32];
    b += (LIMITS[b] <= v) as unknown as number;
    c += (LIMITS[c] <= w) as unknown as number;
    counts[b]++;
    COUNTS2[c]++;
  }
  num += k;
  for (; k < n; k++) {
    const v = values[k];
    if (v - v !== 0) continue; // NaN or ±Infinity
    if (v < min) min = v;
    if (v > max) max = v;
    num++;
    sum += v;
    sumSquares += v * v;
    let b = t[bits[k] >>> KEY_SHIFT_32];
    b += (LIMITS[b] <= v) as unknown as number;
    counts[b]++;
  }
  // The bucket index is monotone in the value, so the occupied span follows from min and max (cheaper
  // than tracking it per value).
  if (num > 0) {
    acc.lo = bucketIndexReference(min); // (not bucketIndex: that would build its 64k-entry table)
    acc.hi = bucketIndexReference(max);
    for (let i = acc.lo; i <= acc.hi; i++) {
      counts[i] += COUNTS2[i];
      COUNTS2[i] = 0;
    }
  }
  acc.min = min;
  acc.max = max;
  acc.num = num;
  acc.sum = sum;
  acc.sumSquares = sumSquares;
}

interface Acc {
  lo: number;
  hi: number;
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
}

/** TF1-style summary of values: what a HistogramProto holds. Non-finite values are ignored. */
export interface HistogramSummary {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edge of each bucket, ascending; empty runs collapsed (as TF's EncodeToProto does). */
  bucketLimit: number[];
  bucket: number[];
}

// One counts buffer reused by every call (calls are synchronous); only [lo, hi] is ever non-zero and it
// is cleared before returning, which spares a 12 KB allocation and fill per histogram.
const COUNTS = new Float64Array(LIMITS.length);
const COUNTS2 = new Float64Array(LIMITS.length);

export function summarizeHistogram(values: ArrayLike<number>): HistogramSummary {
  const counts = COUNTS;
  const acc: Acc = { lo: LIMITS.length, hi: -1, min: Infinity, max: -Infinity, num: 0, sum: 0, sumSquares: 0 };
  if (values instanceof Float32Array) accumulate32(values, counts, acc);
  else {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      if (v < acc.min) acc.min = v;
      if (v > acc.max) acc.max = v;
      acc.num++;
      acc.sum += v;
      acc.sumSquares += v * v;
      const b = bucketIndex(v);
      counts[b]++;
      if (b < acc.lo) acc.lo = b;
      if (b > acc.hi) acc.hi = b;
    }
  }
  const { lo, hi, min, max, num, sum, sumSquares } = acc;
  try {
    return compact(counts, lo, hi, min, max, num, sum, sumSquares);
  } finally {
    if (num > 0) counts.fill(0, lo, hi + 1);
  }
}

function compact(counts: ArrayLike<number>, lo: number, hi: number, min: number, max: number, num: number, sum: number, sumSquares: number): HistogramSummary {
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [DBL_MAX], bucket: [0] };
  // Only the span between the first and last non-empty bucket is kept; inner empty runs collapse into
  // one empty bucket whose limit is the run's last limit (as TF's EncodeToProto does).
  const bucketLimit: number[] = [];
  const bucket: number[] = [];
  for (let i = lo; i <= hi; i++) {
    if (counts[i] === 0) {
      while (counts[i + 1] === 0) i++;
      bucketLimit.push(LIMITS[i]);
      bucket.push(0);
      continue;
    }
    bucketLimit.push(LIMITS[i]);
    bucket.push(counts[i]);
  }
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
}

/** The float32 path's tables, for a kernel that bucketizes elsewhere (server/training/wasm-histogram.ts). */
export function float32BucketTables(): { table: Int16Array; limits: Float64Array } {
  return { table: table32 ?? (table32 = buildTable32()), limits: LIMITS };
}

/**
 * The summary of values already counted into TF_BUCKET_LIMITS' buckets (counts indexed like the limits),
 * given their count, extremes and sums; what summarizeHistogram returns for them.
 */
export function summaryFromCounts(counts: ArrayLike<number>, num: number, min: number, max: number, sum: number, sumSquares: number): HistogramSummary {
  if (num === 0) return compact(counts, 0, -1, min, max, 0, sum, sumSquares);
  return compact(counts, bucketIndexReference(min), bucketIndexReference(max), min, max, num, sum, sumSquares);
}

/** The first and last non-empty bucket of a HistogramProto's counts ([0, -1] when all are empty). */
function occupiedSpan(counts: ArrayLike<number>): [number, number] {
  const n = counts.length;
  let start = 0;
  while (start < n && !(counts[start] > 0)) start++;
  let end = n - 1;
  while (end >= 0 && !(counts[end] > 0)) end--;
  return start > end ? [0, -1] : [start, end];
}

/**
 * TensorBoard's reading of a HistogramProto: drop empty buckets at both ends; lefts are [min] + inner
 * limits, rights are inner limits + [max]. All empty -> [].
 */
export function histogramProtoToBuckets(p: {
  min: number;
  max: number;
  bucketLimit: ArrayLike<number>;
  bucket: ArrayLike<number>;
}): Bucket[] {
  const [start, end] = occupiedSpan(p.bucket);
  const out: Bucket[] = [];
  for (let i = start; i <= end; i++) {
    const left = i === start ? p.min : p.bucketLimit[i - 1];
    const right = i === end ? p.max : p.bucketLimit[i];
    out.push([left, right, p.bucket[i]]);
  }
  return out;
}

/** histogramProtoToBuckets' buckets flattened [left, right, count, left, right, count, ...], without the tuples. */
export function histogramProtoToFlatBuckets(p: {
  min: number;
  max: number;
  bucketLimit: ArrayLike<number>;
  bucket: ArrayLike<number>;
}): Float64Array {
  const [start, end] = occupiedSpan(p.bucket);
  const out = new Float64Array((end - start + 1) * 3);
  for (let i = start, o = 0; i <= end; i++, o += 3) {
    out[o] = i === start ? p.min : p.bucketLimit[i - 1];
    out[o + 1] = i === end ? p.max : p.bucketLimit[i];
    out[o + 2] = p.bucket[i];
  }
  return out;
}

/** Values -> buckets with TF1's exponential edges, empty ends dropped (what our reader gets back). */
export function bucketize(values: ArrayLike<number>): Bucket[] {
  const s = summarizeHistogram(values);
  return histogramProtoToBuckets(s);
}

/**
 * Buckets -> HistogramProto fields. Gaps between consecutive buckets become empty buckets so that
 * histogramProtoToBuckets() gives the same edges back. min/max are the outer edges.
 */
export function bucketsToHistogramProto(buckets: readonly Bucket[]): HistogramSummary {
  if (buckets.length === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [DBL_MAX], bucket: [0] };
  const bucketLimit: number[] = [];
  const bucket: number[] = [];
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < buckets.length; i++) {
    const [l, r, c] = buckets[i];
    if (i > 0 && l !== buckets[i - 1][1]) {
      bucketLimit.push(l);
      bucket.push(0);
    }
    bucketLimit.push(r);
    bucket.push(c);
    num += c;
    const mid = (l + r) / 2;
    sum += mid * c;
    sumSquares += mid * mid * c;
  }
  return { min: buckets[0][0], max: buckets[buckets.length - 1][1], num, sum, sumSquares, bucketLimit, bucket };
}

/**
 * TensorBoard's distribution: the value at each basis point of the cumulative bucket weight (scaled to
 * 10000), interpolated linearly inside the bucket it falls in, clamped to [first left, last right].
 */
export function compressHistogram(buckets: readonly Bucket[], bps: readonly number[] = BASIS_POINTS): BasisPointValue[] {
  if (buckets.length === 0) return bps.map((bp) => [bp, 0]);
  const lo = buckets[0][0];
  const hi = buckets[buckets.length - 1][1];
  const total = bps[bps.length - 1];
  let countSum = 0;
  for (const b of buckets) countSum += b[2];
  const denom = countSum || 1;
  const cum: number[] = [];
  let acc = 0;
  for (const b of buckets) {
    // count * 10000 / total, in that order (TensorBoard's compressor): count * (10000 / total) rounds
    // differently and moves the interpolated values in the last place.
    acc += (b[2] * total) / denom;
    cum.push(acc);
  }
  const out: BasisPointValue[] = [];
  let k = 0;
  for (; k < bps.length; k++) {
    const bp = bps[k];
    // first bucket whose cumulative weight exceeds bp, skipping empty ones
    let i = 0;
    while (i < cum.length && cum[i] <= bp) i++;
    while (i < cum.length && cum[i] === (i > 0 ? cum[i - 1] : 0)) i++;
    if (i >= cum.length) break;
    const prev = i > 0 ? cum[i - 1] : 0;
    const left = i === 0 || prev === 0 ? lo : Math.max(buckets[i - 1][1], lo);
    const right = Math.min(buckets[i][1], hi);
    out.push([bp, left + ((bp - prev) * (right - left)) / (cum[i] - prev)]);
  }
  for (; k < bps.length; k++) out.push([bps[k], hi]);
  return out;
}

// Re-binning onto uniform bins (what the HISTOGRAMS tab draws) lives in its own module.
export { rebinHistograms, type RebinStep, type Rebinned } from './histogram-rebin.ts';
