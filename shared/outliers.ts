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

export interface OutlierOptions {
  /** Above this many values, an evenly strided sample of about this size is used (bounded cost per redraw). */
  maxSamples?: number;
  /** Only values > 0 count (log scale). */
  positiveOnly?: boolean;
}

/**
 * Range [low quantile, high quantile] over the finite values of all given series, or null when there
 * are none. Each series may be a slice [start, n) of a larger buffer. With many values, the quantiles
 * come from an evenly strided sample (opts.maxSamples): sorting every point of 50 overlaid 10k-point
 * runs on each live redraw would cost far more than drawing them.
 */
export function outlierRange(
  series: { values: ArrayLike<number>; n?: number; start?: number }[],
  lowQ = 0.05,
  highQ = 0.95,
  opts: OutlierOptions = {},
): [min: number, max: number] | null {
  let total = 0;
  for (const s of series) total += Math.max(0, (s.n ?? s.values.length) - (s.start ?? 0));
  const max = opts.maxSamples ?? Infinity;
  const stride = total > max ? Math.ceil(total / max) : 1;
  const all = new Float64Array(Math.ceil(total / stride) + series.length);
  let k = 0;
  for (const s of series) {
    const n = s.n ?? s.values.length;
    for (let i = s.start ?? 0; i < n; i += stride) {
      const v = s.values[i];
      if (Number.isFinite(v) && (!opts.positiveOnly || v > 0)) all[k++] = v;
    }
  }
  if (k === 0) return null;
  const sorted = all.subarray(0, k).sort();
  return [quantileSorted(sorted, lowQ), quantileSorted(sorted, highQ)];
}
