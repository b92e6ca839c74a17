// Pure statistics behind the per-layer summaries. No tfjs: they take plain arrays read back
// from the device in one batch, so they are tested on hand-built inputs.
import type { Activation } from '../../shared/types.ts';

/** Activations whose output range is bounded, with the limits; null = unbounded. Softmax is the output layer's. */
export function activationLimits(act: Activation | 'softmax'): [number, number] | null {
  switch (act) {
    case 'sigmoid':
    case 'softmax':
      return [0, 1];
    case 'tanh':
    case 'softsign':
      return [-1, 1];
    default:
      return null;
  }
}

/** How close to a limit counts as saturated: 2% of the activation's range (e.g. tanh: |a| >= 0.96). */
export const SATURATION_TOLERANCE = 0.02;

/**
 * Share of units that are dead on the probe batch: a unit is dead when its activation is exactly 0
 * for every example. `acts` is row-major [examples, units].
 */
export function deadFraction(acts: ArrayLike<number>, units: number): number {
  if (units <= 0) return 0;
  const examples = Math.floor(acts.length / units);
  if (examples === 0) return 0;
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let allZero = true;
    for (let e = 0; e < examples; e++) {
      if (acts[e * units + u] !== 0) {
        allZero = false;
        break;
      }
    }
    if (allZero) dead++;
  }
  return dead / units;
}

/** Share of activation values within `tol` of the range of either limit; 0 for unbounded activations. */
export function saturationFraction(
  acts: ArrayLike<number>,
  limits: [number, number] | null,
  tol = SATURATION_TOLERANCE,
): number {
  if (!limits || acts.length === 0) return 0;
  const [below, above] = saturationBand(limits, tol);
  let sat = 0;
  // Branch-free: on real activations the test goes either way at random, and mispredictions cost 4x.
  for (let i = 0; i < acts.length; i++) {
    const a = acts[i];
    sat += ((a <= below) as unknown as number) | ((a >= above) as unknown as number);
  }
  return sat / acts.length;
}

/** What deadFraction and saturationFraction count, for a faster counter to return (wasm-histogram.ts). */
export interface ActivationCounts {
  /** Units whose activation is exactly 0 on every example. */
  deadUnits: number;
  /** Values <= below or >= above. */
  saturated: number;
}

/**
 * Counts on [examples, units] activations (below/above NaN, for an unbounded activation, count nothing);
 * null where the counter does not take these arrays (the JS functions then do).
 */
export type CountActivations = (acts: Float32Array, units: number, below: number, above: number) => ActivationCounts | null;

/** The saturation band's edges for an activation's limits (NaN for unbounded ones). */
export function saturationBand(limits: [number, number] | null, tol = SATURATION_TOLERANCE): [number, number] {
  if (!limits) return [NaN, NaN];
  const [lo, hi] = limits;
  const band = (hi - lo) * tol;
  return [lo + band, hi - band];
}

/** L2 norm over several arrays taken together (e.g. a layer's kernel and bias gradients). */
export function l2Norm(...arrays: ArrayLike<number>[]): number {
  let s = 0;
  for (const arr of arrays) for (let i = 0; i < arr.length; i++) s += arr[i] * arr[i];
  return Math.sqrt(s);
}

/** Slices of one flat buffer, in the order the tensors were concatenated. */
export function splitFlat(flat: Float32Array, sizes: readonly number[]): Float32Array[] {
  const out: Float32Array[] = [];
  let off = 0;
  for (const n of sizes) {
    if (off + n > flat.length) throw new Error(`splitFlat: need ${off + n} values, buffer has ${flat.length}`);
    out.push(flat.subarray(off, off + n));
    off += n;
  }
  return out;
}

/** The per-layer scalar summaries computed from one batched read. */
export interface LayerScalars {
  gradNorm: number;
  deadFraction: number;
  saturationFraction: number;
}

export function layerScalars(
  acts: ArrayLike<number>,
  units: number,
  act: Activation | 'softmax',
  kernelGrad: ArrayLike<number>,
  biasGrad: ArrayLike<number>,
  /** Sum of squares of kernelGrad when already known (its histogram computes it); spares a pass. */
  kernelGradSumSquares?: number,
  /** Counts dead units and saturated values in place of deadFraction/saturationFraction (same numbers). */
  count?: CountActivations,
): LayerScalars {
  const gradNorm = kernelGradSumSquares === undefined ? l2Norm(kernelGrad, biasGrad) : Math.sqrt(kernelGradSumSquares + l2Norm(biasGrad) ** 2);
  const limits = activationLimits(act);
  const fits = count && acts instanceof Float32Array && acts.length > 0 && units > 0 && acts.length % units === 0;
  const c = fits ? count(acts, units, ...saturationBand(limits)) : null;
  if (!c) return { gradNorm, deadFraction: deadFraction(acts, units), saturationFraction: saturationFraction(acts, limits) };
  return { gradNorm, deadFraction: c.deadUnits / units, saturationFraction: limits ? c.saturated / acts.length : 0 };
}
