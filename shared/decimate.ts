// Min-max decimation for line charts: split the visible x range into one bucket per pixel column and
// keep, per column, the first, min, max and last point (in x order). The drawn line then looks exactly
// like the full-resolution one (every spike stays) while Chart.js draws at most ~4 points per pixel.
// The 2-per-column mode keeps only min and max (plus the range's first / last point and any gap): the
// column's vertical extent is the same, only the sub-pixel joins between columns differ, at half the points.

/** First index i in [0, n) with xs[i] >= x (xs ascending), n if none. */
export function lowerBound(xs: ArrayLike<number>, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Indices to draw for the points with x in [xMin, xMax] (plus the nearest point outside on each side,
 * so the line reaches the chart edges). xs must be ascending; ys may hold NaN/±Inf (kept as first/last
 * only, so gaps still show). `columns` = plot width in pixels. `perColumn` 4 = first, min, max, last of
 * each column; 2 = min and max of each column, the first non-finite point of a column (so gaps show),
 * and the first / last point of the range.
 */
export function decimateMinMax(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  n: number,
  xMin: number,
  xMax: number,
  columns: number,
  perColumn: 2 | 4 = 4,
): number[] {
  if (n === 0) return [];
  let start = lowerBound(xs, n, xMin);
  let end = lowerBound(xs, n, xMax);
  while (end < n && xs[end] <= xMax) end++; // include points equal to xMax
  if (start > 0) start--;
  if (end < n) end++;
  const count = end - start;
  const cols = Math.max(1, Math.floor(columns));
  const out: number[] = [];
  if (count <= cols * perColumn) {
    for (let i = start; i < end; i++) out.push(i);
    return out;
  }
  const span = xMax - xMin || 1;
  let i = start;
  // Points before xMin / after xMax (the edge extensions) go to the first / last column.
  const colOf = (x: number) => Math.min(cols - 1, Math.max(0, Math.floor(((x - xMin) / span) * cols)));
  while (i < end) {
    const col = colOf(xs[i]);
    const first = i;
    let minI = -1;
    let maxI = -1;
    let gapI = -1;
    let j = i;
    for (; j < end && colOf(xs[j]) === col; j++) {
      const y = ys[j];
      if (!Number.isFinite(y)) {
        if (gapI < 0) gapI = j;
        continue;
      }
      if (minI < 0 || y < ys[minI]) minI = j;
      if (maxI < 0 || y > ys[maxI]) maxI = j;
    }
    const last = j - 1;
    const picks = (perColumn === 4 ? [first, minI, maxI, last] : [minI, maxI, gapI])
      .concat(first === start ? [first] : [], last === end - 1 ? [last] : [])
      .filter((p) => p >= 0)
      .sort((a, b) => a - b);
    for (const p of picks) if (out[out.length - 1] !== p) out.push(p);
    i = j;
  }
  return out;
}

/**
 * Indices of a series (steps ascending) to send when a client asks for about `points` points: the
 * step range split into points / 2 buckets of equal step width, each keeping its min and max value (in
 * step order, so no spike is lost) and its first non-finite value (a gap stays a gap), plus the first
 * and last point. A series of at most `points` points is kept whole. Indices come out ascending.
 */
export function downsampleIndices(steps: ArrayLike<number>, values: ArrayLike<number>, n: number, points: number): number[] {
  if (n === 0) return [];
  return decimateMinMax(steps, values, n, steps[0], steps[n - 1], Math.max(1, Math.floor(points / 2)), 2);
}

/** The index range [start, end) of the points with minStep <= step <= maxStep (steps ascending). */
export function stepWindow(steps: ArrayLike<number>, n: number, minStep = -Infinity, maxStep = Infinity): [number, number] {
  const start = lowerBound(steps, n, minStep);
  let end = lowerBound(steps, n, maxStep);
  while (end < n && steps[end] <= maxStep) end++;
  return [start, Math.max(start, end)];
}
