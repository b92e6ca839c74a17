// The bucket edges a histogram series' histograms share. Writers bin every histogram of a tag on one
// fixed ladder of edges (TensorFlow's and tensorboardX's default: ±1e-12 growing by 10 %) and keep the
// run of buckets between the first and last non-empty one, so a histogram's inner edges are a slice of
// that ladder: the series keeps the ladder once and each histogram only where its slice starts.
// The ladder is learnt from the histograms themselves (no writer's ladder is assumed): it starts as the
// first histogram's inner edges and grows at either end when a later histogram reaches further. A
// histogram whose edges are not a slice of it (other bins, -0 for 0, NaN) is refused; the caller keeps
// its edges itself. Values are compared with Object.is, so what is read back is exactly what was given.

/** Entries a ladder may hold (8 bytes each): TensorFlow's default ladder has 1,549. */
export const LADDER_MAX = 4096;

/** A ladder: plain data (a store snapshot copies it as it is); the functions below keep it. */
export interface Ladder {
  /** Entries, strictly increasing (v.length is the ladder's length). */
  v: Float64Array;
  /** Entries added below the ladder by the last ladderFind(): indexes given out before move up by this much. */
  shifted: number;
}

export function newLadder(): Ladder {
  return { v: new Float64Array(0), shifted: 0 };
}

/** The common case, quickly: the values are a slice of the ladder as it is (index, else -1). */
function within(v: Float64Array, src: Float64Array, from: number, m: number): number {
  const x = src[from];
  const p = lowerBound(v, v.length, x);
  if (p + m > v.length) return -1;
  // === refuses NaN; it takes -0 for 0, which Object.is on the first value and on zeros sorts out.
  if (!Object.is(v[p], x)) return -1;
  for (let k = 1; k < m; k++) {
    const y = src[from + k];
    if (v[p + k] !== y || (y === 0 && !Object.is(v[p + k], y))) return -1;
  }
  return p;
}

/**
 * Where src[from .. from+m) lies in the ladder (its index), growing the ladder at its ends when the
 * values run past them; -1 when they are not a slice of it (the ladder is then unchanged).
 * Sets `shifted` to the number of entries put below the previous first one.
 */
export function ladderFind(l: Ladder, src: Float64Array, from: number, m: number): number {
  l.shifted = 0;
  if (m === 0) return 0;
  const v = l.v;
  const L = v.length;
  if (L > 0) {
    const hit = within(v, src, from, m);
    if (hit >= 0) return hit;
  }
  for (let k = from + 1; k < from + m; k++) if (!(src[k - 1] < src[k])) return -1; // strictly increasing, no NaN
  if (L === 0) {
    if (m > LADDER_MAX || Number.isNaN(src[from])) return -1;
    l.v = src.slice(from, from + m);
    return 0;
  }
  const lo = v[0];
  const hi = v[L - 1];
  let q = 0; // values below the ladder
  while (q < m && src[from + q] < lo) q++;
  let r = q; // values up to the ladder's top
  while (r < m && !(src[from + r] > hi)) r++;
  const inside = r - q;
  let p = L; // ladder index of src[from + q] (L: above it)
  if (inside > 0) {
    p = lowerBound(v, L, src[from + q]);
    if (p + inside > L) return -1;
    for (let k = 0; k < inside; k++) if (!Object.is(v[p + k], src[from + q + k])) return -1;
    if (q > 0 && p !== 0) return -1; // values below the ladder, then a gap in it
    if (r < m && p + inside !== L) return -1; // a gap in it, then values above it
  } else if (q > 0 && r < m) {
    return -1; // values below and above, none of the ladder's in between
  }
  const above = m - r;
  if (L + q + above > LADDER_MAX) return -1;
  if (q > 0 || above > 0) {
    const next = new Float64Array(L + q + above);
    next.set(src.subarray(from, from + q), 0);
    next.set(v, q);
    next.set(src.subarray(from + r, from + m), q + L);
    l.v = next;
    l.shifted = q;
  }
  return q > 0 ? 0 : p;
}

/** First index in v[0, n) whose value is >= x. */
function lowerBound(v: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
