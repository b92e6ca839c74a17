// Histograms of float32 arrays that live on the tfjs-wasm heap (the trainer's heap views of weights,
// gradients and activations), bucketized by our wasm kernel (wasm/kernels.wat) in place: about 3x the JS
// float32 path on a 100k-value kernel, with the same numbers (tests compare the two). Arrays elsewhere go
// to summarizeHistogram.
import { float32BucketTables, KEY_SHIFT_32, summarizeHistogram, summaryFromCounts, type HistogramSummary } from '../../shared/histogram.ts';
import type { ActivationCounts, CountActivations } from './summaries.ts';
import { wasmHeap } from './wasm-kernels.ts';

/** Byte offsets of the kernel's tables and buffers, allocated once per heap with tfjs-wasm's malloc. */
interface Scratch {
  limits: number;
  out: number;
  /** The k bucket limits and k counts the kernel writes (f64). */
  outLimits: number;
  outCounts: number;
  counts: number;
  table: number;
}

/** f64s the histogram kernel writes: num, min, max, sum, sum of squares, and how many buckets. */
const OUT_VALUES = 6;

const scratches = new WeakMap<WebAssembly.Memory, Scratch>();

/**
 * Allocates the kernel's tables on the current heap (once per heap). Call it before taking heap views:
 * the allocation may grow the memory, which detaches every view taken before. Returns false off wasm.
 */
export function prepareHeapHistograms(): boolean {
  const heap = wasmHeap();
  if (!heap) return false;
  if (!scratches.has(heap.memory)) allocate(heap.memory, heap.malloc);
  return true;
}

function allocate(memory: WebAssembly.Memory, malloc: (bytes: number) => number): Scratch {
  const { table, limits } = float32BucketTables();
  const n = limits.length;
  // 8-byte values first so everything stays aligned; malloc's block is 8-aligned.
  const base = malloc(3 * n * 8 + OUT_VALUES * 8 + n * 4 + table.byteLength);
  if (!base) throw new Error('wasm histogram: malloc failed');
  const out = base + n * 8;
  const outLimits = out + OUT_VALUES * 8;
  const outCounts = outLimits + n * 8;
  const counts = outCounts + n * 8;
  const s: Scratch = { limits: base, out, outLimits, outCounts, counts, table: counts + n * 4 };
  const buf = memory.buffer; // after malloc: it may have grown the memory
  new Float64Array(buf, s.limits, n).set(limits);
  new Int32Array(buf, s.counts, n).fill(0);
  new Int16Array(buf, s.table, table.length).set(table);
  scratches.set(memory, s);
  return s;
}

/** A typed array over all of `memory`, made again only when the memory has grown (a new buffer). */
function heapView<T extends Float64Array | Int32Array>(memory: WebAssembly.Memory, make: (buffer: ArrayBuffer) => T): () => T {
  let view = make(memory.buffer);
  return () => (view.buffer === memory.buffer ? view : (view = make(memory.buffer)));
}

/**
 * A summarizer bound to the current heap (the trainer makes one per run): arrays that are views of that
 * heap go to the wasm kernel, others to summarizeHistogram.
 */
export function heapSummarizer(): (values: Float32Array) => HistogramSummary {
  const heap = wasmHeap();
  const s = heap ? scratches.get(heap.memory) : undefined;
  if (!heap || !s) return summarizeHistogram;
  const { memory, kernels } = heap;
  const f64 = heapView(memory, (b) => new Float64Array(b));
  const out = s.out / 8, outLimits = s.outLimits / 8, outCounts = s.outCounts / 8;
  return (values) => {
    if (values.buffer !== memory.buffer) return summarizeHistogram(values);
    kernels.histogram(values.byteOffset, values.length, s.table, s.limits, s.counts, s.out, s.outLimits, s.outCounts, KEY_SHIFT_32);
    const h = f64();
    const num = h[out], min = h[out + 1], max = h[out + 2], sum = h[out + 3], sumSquares = h[out + 4], k = h[out + 5];
    if (num === 0) return summaryFromCounts([], 0, min, max, sum, sumSquares);
    // Plain arrays: Float64Arrays (one backing store per histogram) were measured slower, by their GC cost.
    const bucketLimit = new Array<number>(k);
    const bucket = new Array<number>(k);
    for (let j = 0; j < k; j++) {
      bucketLimit[j] = h[outLimits + j];
      bucket[j] = h[outCounts + j];
    }
    return { min, max, num, sum, sumSquares, bucketLimit, bucket };
  };
}

/** The largest float32 <= x and the smallest float32 >= x: float32 comparisons that decide as float64 ones. */
const F32 = new Float32Array(1);
const F32_BITS = new Int32Array(F32.buffer);
function float32Step(x: number, down: boolean): number {
  F32[0] = x;
  const f = F32[0];
  if (Number.isNaN(x) || f === x || (f < x) === down) return f;
  // One float32 further, towards x: from a zero to the smallest subnormal of x's sign; otherwise the bits
  // step by one (down for a positive f going down or a negative one going up; infinities step to the largest finite).
  if (f === 0) F32_BITS[0] = down ? 0x80000001 | 0 : 1;
  else F32_BITS[0] += (f > 0) === down ? -1 : 1;
  return F32[0];
}
export const float32AtMost = (x: number) => float32Step(x, true);
export const float32AtLeast = (x: number) => float32Step(x, false);

/**
 * summaries.ts' activation counts by our wasm kernel, for arrays on the current heap (null for others): the
 * layer scalars' dead units and saturated values in one pass, four units at a time.
 */
export function heapActivationCounts(): CountActivations | undefined {
  // (bound to the current heap like heapSummarizer: one per run)
  const heap = wasmHeap();
  const s = heap ? scratches.get(heap.memory) : undefined;
  if (!heap || !s) return undefined;
  const { memory, kernels } = heap;
  const i32 = heapView(memory, (b) => new Int32Array(b));
  return (acts, units, below, above): ActivationCounts | null => {
    if (acts.buffer !== memory.buffer) return null;
    kernels.act_stats(acts.byteOffset, acts.length / units, units, float32AtMost(below), float32AtLeast(above), s.out);
    const out = i32();
    return { deadUnits: out[s.out / 4], saturated: out[s.out / 4 + 1] };
  };
}
