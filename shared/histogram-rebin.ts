// Logged histogram buckets -> counts on uniform bins over one range, so that drawn heights are
// proportional to density. Pure; no Node or DOM APIs.
import type { Bucket } from './types.ts';

const DBL_MAX = Number.MAX_VALUE;

/** One step's logged buckets for rebinHistograms, with the histogram's min/max fields when known. */
export interface RebinStep {
  buckets: readonly Bucket[];
  /** The data's extremes (HistogramProto.min/max): unbounded or huge outer edges are clipped to them. */
  min?: number;
  max?: number;
}

export interface Rebinned {
  /** Common range of the uniform bins, over every step given. */
  min: number;
  max: number;
  binWidth: number;
  /** Per step (input order): the count in each of the N uniform bins. */
  counts: Float64Array[];
}

/** TF's outermost limits are ±DBL_MAX and other writers may log ±Inf: such an edge says nothing about where values are. */
function unbounded(v: number): boolean {
  return !Number.isFinite(v) || Math.abs(v) >= DBL_MAX;
}

/**
 * A bucket's edges clipped to where its values can be: to the step's min/max when known; an unbounded
 * edge without them collapses onto the bucket's other edge. null when neither edge says anything.
 */
function clippedEdges(l: number, r: number, min: number | undefined, max: number | undefined): [number, number] | null {
  if (Number.isNaN(l) || Number.isNaN(r)) return null;
  if (r < l) [l, r] = [r, l];
  if (min !== undefined && Number.isFinite(min)) l = Math.min(Math.max(l, min), r);
  if (max !== undefined && Number.isFinite(max)) r = Math.max(Math.min(r, max), l);
  const ul = unbounded(l);
  const ur = unbounded(r);
  if (ul && ur) return null;
  if (ul) l = r;
  if (ur) r = l;
  return [l, r];
}

/**
 * Re-bins logged histograms (TF's exponential buckets, or any others) onto N uniform bins over one
 * range common to all the steps, so that bar heights are proportional to density: drawing the logged
 * counts as heights shows a dip wherever buckets are narrow (near 0 for TF's default edges). Each
 * bucket's count is spread over the bins it overlaps in proportion to the overlap; a zero-width bucket
 * (a single value) goes whole into the bin holding it. Counts are conserved, except for buckets that
 * have no finite edge at all (nowhere to put them). Empty input or no placeable bucket: range [0, 1].
 * A range of one value (e.g. biases all 0) is widened around it so the bins have a width.
 */
export function rebinHistograms(steps: readonly RebinStep[], bins = 30): Rebinned {
  const n = Math.max(1, Math.floor(bins));
  const clipped: ([number, number, number] | null)[][] = steps.map((s) =>
    s.buckets.map(([l, r, c]) => {
      const e = clippedEdges(l, r, s.min, s.max);
      return e && c > 0 ? [e[0], e[1], c] : null;
    }),
  );
  let lo = Infinity;
  let hi = -Infinity;
  for (const step of clipped) {
    for (const b of step) {
      if (!b) continue;
      if (b[0] < lo) lo = b[0];
      if (b[1] > hi) hi = b[1];
    }
  }
  if (!(lo <= hi)) [lo, hi] = [0, 1];
  else if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 0.5;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const width = (hi - lo) / n;
  const binOf = (v: number): number => Math.min(n - 1, Math.max(0, Math.floor((v - lo) / width)));
  const counts = clipped.map((step) => {
    const out = new Float64Array(n);
    for (const b of step) {
      if (!b) continue;
      const [l, r, c] = b;
      const first = binOf(l);
      const last = binOf(r);
      if (first === last || !(r > l)) {
        out[first] += c;
        continue;
      }
      // Whole-bin shares in proportion to overlap; the last bin gets the remainder, so the count is kept exactly.
      let left = c;
      for (let i = first; i < last; i++) {
        const overlap = Math.min(r, lo + (i + 1) * width) - Math.max(l, lo + i * width);
        const share = overlap > 0 ? (c * overlap) / (r - l) : 0;
        out[i] += share;
        left -= share;
      }
      out[last] += Math.max(0, left);
    }
    return out;
  });
  return { min: lo, max: hi, binWidth: width, counts };
}
