// UMAP (umap-js) stepped epoch by epoch so the caller can report progress, show the layout as it forms,
// and stop between chunks. Seeded, so the same data gives the same layout.
import { UMAP } from 'umap-js';

export interface UmapOptions {
  dim: 2 | 3;
  /** Epochs of optimisation (umap-js picks 200-500 from n when unset). */
  epochs?: number;
  neighbors?: number;
  seed?: number;
}

export interface UmapHooks {
  /** After the neighbour graph is built (done 1 of 1), then every chunk of epochs. */
  progress?: (phase: 'neighbours' | 'epochs', done: number, total: number) => void;
  /** The layout so far, every `snapshotEvery` epochs. */
  snapshot?: (coords: Float32Array) => void;
  /** True = stop now (checked between chunks). */
  cancelled?: () => boolean;
  /** Awaited between chunks (the worker yields to its message loop there). */
  pause?: () => Promise<void>;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function toRows(data: Float32Array, n: number, d: number): number[][] {
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(data.subarray(i * d, i * d + d));
  return rows;
}

export function flatten(rows: number[][], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    for (let c = 0; c < dim; c++) out[i * dim + c] = r[c];
  });
  return out;
}

/** Epochs between progress messages / snapshots. */
export const CHUNK_EPOCHS = 10;

/** The layout (n x dim), or null when cancelled. */
export async function runUmap(data: Float32Array, n: number, d: number, opts: UmapOptions, hooks: UmapHooks = {}): Promise<Float32Array | null> {
  if (n < 3) throw new Error(`UMAP needs at least 3 points (this embedding has ${n})`);
  const umap = new UMAP({
    nComponents: opts.dim,
    nEpochs: opts.epochs,
    nNeighbors: Math.max(2, Math.min(opts.neighbors ?? 15, n - 1)),
    random: mulberry32(opts.seed ?? 42),
  });
  const total = umap.initializeFit(toRows(data, n, d));
  hooks.progress?.('neighbours', 1, 1);
  for (let e = 0; e < total; ) {
    if (hooks.cancelled?.()) return null;
    const until = Math.min(total, e + CHUNK_EPOCHS);
    while (e < until) (umap.step(), e++);
    hooks.progress?.('epochs', e, total);
    if (e < total) hooks.snapshot?.(flatten(umap.getEmbedding(), opts.dim));
    await hooks.pause?.();
  }
  if (hooks.cancelled?.()) return null;
  return flatten(umap.getEmbedding(), opts.dim);
}
