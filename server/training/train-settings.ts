// The trainer's summary cadence and sizes, and its spec check: plain values with no tfjs import, so the
// log-size estimate (log-estimate.ts) and the manager can use them without loading a backend.
import type { TrainSpec } from '../../shared/types.ts';

/** Examples in the fixed validation probe batch used for activation summaries. */
export const PROBE_SIZE = 64;
/**
 * Images are rendered every IMAGE_EVERY summary steps (and at the first and last iteration): one costs
 * several iterations of a small model (grid forward pass + PNG), so they stay rare (every 200 iterations by default).
 */
export const IMAGE_EVERY = 20;
/**
 * ...and at most one per IMAGE_MIN_SECONDS of training: a 2-16-16-2 net runs 200 iterations in ~50 ms, and
 * 20 decision boundaries a second would cost it ~8% of its speed for frames nobody can follow.
 */
export const IMAGE_MIN_SECONDS = 1;
/**
 * ...and images take at most this share of training time: after one that took t ms, the next waits
 * t / IMAGE_TIME_SHARE ms if that is longer (an MNIST weight grid, ~5 ms, then waits ~1.7 s; a decision
 * boundary, ~1-2 ms, the minimum second).
 */
export const IMAGE_TIME_SHARE = 0.003;

/** Least time (ms) from one image to the next, given the minimum gap and what the last image took. */
export function imageGapMs(minGapMs: number, lastImageMs: number): number {
  return Math.max(minGapMs, lastImageMs / IMAGE_TIME_SHARE);
}
/** Decision-boundary image side in pixels. */
export const BOUNDARY_SIZE = 96;
/** The model is evaluated on a BOUNDARY_GRID^2 grid, upsampled to the image (a quarter of the forward work). */
export const BOUNDARY_GRID = 48;
export const DEFAULT_SUMMARY_EVERY = 10;
export const HPARAM_METRICS = ['val/accuracy', 'val/loss', 'train/loss'];
/**
 * Validation uses a fixed subset of at most this many examples (the first ones of the seeded split):
 * on MNIST the full 2000 cost ~3% of the run for a figure that moves in the 3rd digit.
 */
export const VAL_MAX_EXAMPLES = 1000;

export function checkSpec(spec: TrainSpec): void {
  const bad = (what: string) => {
    throw new Error(`invalid TrainSpec: ${what}`);
  };
  if (!Array.isArray(spec.layers) || spec.layers.some((u) => !Number.isInteger(u) || u < 1)) bad(`layers ${JSON.stringify(spec.layers)}`);
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1) bad(`batchSize ${spec.batchSize}`);
  if (!Number.isInteger(spec.epochs) || spec.epochs < 1) bad(`epochs ${spec.epochs}`);
  if (!(spec.learningRate > 0)) bad(`learningRate ${spec.learningRate}`);
  if (!(spec.dropout >= 0 && spec.dropout < 1)) bad(`dropout ${spec.dropout}`);
  if (spec.maxItersPerSec !== undefined && !(spec.maxItersPerSec > 0)) bad(`maxItersPerSec ${spec.maxItersPerSec}`);
}
