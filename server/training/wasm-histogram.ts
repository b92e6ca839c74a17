// Histograms of float32 arrays that live on the tfjs-wasm heap (the trainer's heap views of weights,
// gradients and activations), bucketized by our wasm kernel (wasm/kernels.wat) in place: about 3x the JS
// float32 path on a 100k-value kernel, with the same numbers (tests compare the two). Arrays elsewhere go
// to summarizeHistogram.
import { float32BucketTables, KEY_SHIFT_32, summarizeHistogram, summaryFromCounts, type HistogramSummary } from '../../shared/histogram.ts';
import { wasmHeap } from './wasm-kernels.ts';

/** Byte offsets of the kernel's tables and buffers, allocated once per heap with tfjs-wasm's malloc. */
interface Scratch {
  limits: number;
  out: number;
  counts: number;
  /** (bucket index, count) Int32 pairs the kernel writes. */
  pairs: number;
  table: number;
  buckets: number;
  /** The bucket limits (the JS copy of what is at `limits`). */
  limitValues: Float64Array;
}

/** f64s the kernel writes: num, min, max, sum, sum of squares, and how many pairs. */
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
  const base = malloc(n * 8 + OUT_VALUES * 8 + n * 8 + n * 4 + table.byteLength);
  if (!base) throw new Error('wasm histogram: malloc failed');
  const out = base + n * 8;
  const pairs = out + OUT_VALUES * 8;
  const counts = pairs + n * 8;
  const s: Scratch = { limits: base, out, pairs, counts, table: counts + n * 4, buckets: n, limitValues: limits };
  const buf = memory.buffer; // after malloc: it may have grown the memory
  new Float64Array(buf, s.limits, n).set(limits);
  new Int32Array(buf, s.counts, n).fill(0);
  new Int16Array(buf, s.table, table.length).set(table);
  scratches.set(memory, s);
  return s;
}

/**
 * A summarizer bound to the current heap (resolved once: a summary step makes a dozen histograms):
 * arrays that are views of that heap go to the wasm kernel, others to summarizeHistogram.
 */
export function heapSummarizer(): (values: Float32Array) => HistogramSummary {
  const heap = wasmHeap();
  const s = heap ? scratches.get(heap.memory) : undefined;
  if (!heap || !s) return summarizeHistogram;
  const { memory, kernels } = heap;
  return (values) => {
    if (values.buffer !== memory.buffer) return summarizeHistogram(values);
    kernels.histogram(values.byteOffset, values.length, s.table, s.limits, s.counts, s.out, s.pairs, KEY_SHIFT_32);
    const buf = memory.buffer;
    const [num, min, max, sum, sumSquares, k] = new Float64Array(buf, s.out, OUT_VALUES);
    if (num === 0) return summaryFromCounts([], 0, min, max, sum, sumSquares);
    // The kernel compacted the buckets as summarizeHistogram does; only the limits' values are looked up here.
    const pairs = new Int32Array(buf, s.pairs, 2 * k);
    const bucketLimit: number[] = [];
    const bucket: number[] = [];
    for (let j = 0; j < 2 * k; j += 2) {
      bucketLimit.push(s.limitValues[pairs[j]]);
      bucket.push(pairs[j + 1]);
    }
    return { min, max, num, sum, sumSquares, bucketLimit, bucket };
  };
}
