// "Ignore outliers in chart scaling": the y range that covers the 5th..95th percentile of the values,
// so a few spikes (a diverging first step, a NaN-adjacent blow-up) do not flatten the rest of the curve.

/** Linear-interpolated quantile of an ascending-sorted array (q in [0, 1]). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Range [low quantile, high quantile] over the finite values of all given series, or null when there
 * are none. Each series may be a prefix (length n) of a larger buffer.
 */
export function outlierRange(
  series: { values: ArrayLike<number>; n?: number }[],
  lowQ = 0.05,
  highQ = 0.95,
): [min: number, max: number] | null {
  let total = 0;
  for (const s of series) total += s.n ?? s.values.length;
  const all = new Float64Array(total);
  let k = 0;
  for (const s of series) {
    const n = s.n ?? s.values.length;
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (Number.isFinite(v)) all[k++] = v;
    }
  }
  if (k === 0) return null;
  const sorted = all.subarray(0, k).sort();
  return [quantileSorted(sorted, lowQ), quantileSorted(sorted, highQ)];
}
