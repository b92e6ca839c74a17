// Logdirs for benchmarks and size tests, written with our own EventWriter: runs shaped like tensorboardX's
// (a few scalars every step, histograms of ~550 buckets every few hundred steps), many small runs, or one
// run of millions of scalar points. Deterministic (no randomness), fast (precomputed histogram protos).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EventWriter } from '../server/logs/event-writer.ts';
import type { HistogramSummary } from '../shared/histogram.ts';

export interface RunShape {
  /** Steps written; every step logs `scalarTags` scalars. */
  steps: number;
  scalarTags: number;
  /** Histogram tags logged every `histEvery` steps (0: none). */
  histTags: number;
  histEvery: number;
  /** Buckets per histogram (tensorboardX's default edges give ~550 for typical weights). */
  buckets: number;
}

/** ~20 MB of events per run: 4 scalars x 50k steps, 2 histograms x 500 of 549 buckets. */
export const TBX_RUN: RunShape = { steps: 50_000, scalarTags: 4, histTags: 2, histEvery: 100, buckets: 549 };

/** A histogram proto of `n` buckets, shifted by `k` (so consecutive histograms differ). */
function histProto(n: number, k: number): HistogramSummary {
  const bucketLimit: number[] = [];
  const bucket: number[] = [];
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const right = -1 + (2 * (i + 1)) / n + k * 1e-4;
    const c = Math.round(1000 * Math.exp(-(((i - n / 2) / (n / 6)) ** 2))) + 1;
    bucketLimit.push(right);
    bucket.push(c);
    num += c;
    sum += c * right;
    sumSquares += c * right * right;
  }
  return { min: -1, max: bucketLimit[n - 1], num, sum, sumSquares, bucketLimit, bucket };
}

/** Writes one run directory; returns the bytes written. */
export async function writeRun(dir: string, shape: RunShape, seed = 0): Promise<number> {
  await mkdir(dir, { recursive: true });
  const w = await EventWriter.open(dir, { flushMs: 1000 });
  const protos = shape.histTags > 0 ? Array.from({ length: 16 }, (_, k) => histProto(shape.buckets, k + seed)) : [];
  const tags = Array.from({ length: shape.scalarTags }, (_, i) => `train/metric_${i}`);
  const wall0 = 1.7e9 + seed;
  for (let step = 0; step < shape.steps; step++) {
    const wt = wall0 + step * 0.01;
    for (let i = 0; i < tags.length; i++) w.scalar(tags[i], Math.sin(step * 1e-3 + i + seed) + step * 1e-6, step, wt);
    if (shape.histTags > 0 && step % shape.histEvery === 0) {
      for (let h = 0; h < shape.histTags; h++) w.histogramProto(`layer${h}/weights`, protos[(step / shape.histEvery + h) % 16], step, wt);
    }
    if (step % 5000 === 4999) await w.flush();
  }
  await w.close();
  return w.size;
}

/** `runs` runs named run_000... under `root`, each of `shape`. Returns the bytes written. */
export async function writeLogdir(root: string, runs: number, shape: RunShape, onRun?: (i: number) => void): Promise<number> {
  let bytes = 0;
  const width = Math.max(3, String(runs - 1).length);
  for (let i = 0; i < runs; i++) {
    bytes += await writeRun(join(root, `run_${String(i).padStart(width, '0')}`), shape, i);
    onRun?.(i);
  }
  return bytes;
}
