// Pure helpers for LineChart: what to hand Chart.js for a visible x range (decimated), the y range
// when ignoring outliers (the hover tooltip's rows are in tooltip-rows.ts).
import { decimateMinMax, lowerBound } from '../../../../shared/decimate.ts';
import { outlierRange } from '../../../../shared/outliers.ts';
import { dataRange } from './nice-scale.ts';

export interface LineSpec {
  id: string;
  label: string;
  color: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  n: number;
  /** Changes whenever xs/ys content changes (series version + settings): unchanged lines are not recomputed. */
  key: string;
  /** Faint raw line behind a smoothed one: drawn thin, not in tooltips or outlier ranges. */
  faint?: boolean;
  /** Raw values to show next to the (smoothed) value in the tooltip. */
  raw?: ArrayLike<number>;
  /** Chart.js fill target (e.g. '-1' for a band to the previous dataset). */
  fill?: string | number | false;
  fillColor?: string;
  dashed?: boolean;
  // Tooltip and step table (tooltip-rows.ts, step-table.ts): the logged step and wall time (s) of each
  // point, and for a seed group's mean line the standard deviation over its runs.
  steps?: ArrayLike<number>;
  walls?: ArrayLike<number>;
  spread?: ArrayLike<number>;
}

export interface Pt {
  x: number;
  y: number;
}

/** Full x extent over all lines, or null when empty. */
export function xExtent(lines: readonly LineSpec[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) {
    if (l.n === 0) continue;
    lo = Math.min(lo, l.xs[0]);
    hi = Math.max(hi, l.xs[l.n - 1]);
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * The x range shown when not zoomed: the data extent with its end rounded up to a tick-sized step
 * (~1/20 of the span, 1/2/5 x 10^k). While runs stream, the range then stays put for many steps, so
 * lines that did not change keep their decimated points instead of all being recomputed every frame.
 */
export function liveRange(ext: [number, number]): [number, number] {
  const [lo, hi] = ext;
  const span = hi - lo;
  // One x value (a series with one point): a small range around it, not one Chart.js invents.
  if (span === 0) return dataRange(lo, hi) ?? [lo, hi];
  if (!(span > 0) || !Number.isFinite(span)) return [lo, hi];
  const raw = span / 20;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  return [lo, lo + Math.ceil(span / step - 1e-9) * step];
}

/** Points handed to Chart.js per chart at most (each becomes a Chart.js element, laid out on every update). */
export const CHART_POINT_BUDGET = 150_000;

/**
 * Pixel columns each line is decimated to: the plot width, or fewer when many lines share the chart so
 * that their points stay within CHART_POINT_BUDGET (min and max per column still keep every spike, at a
 * coarser x resolution; a chart of 1,000 overlaid runs is a wash at full resolution anyway).
 */
export function columnsPerLine(plotWidth: number, lineCount: number): number {
  const fit = Math.floor(CHART_POINT_BUDGET / (2 * Math.max(1, lineCount)));
  return Math.max(25, Math.min(plotWidth, fit));
}

/** Points of a line for the visible range, min-max decimated to `columns` pixel columns. */
export function visiblePoints(l: LineSpec, xMin: number, xMax: number, columns: number, logY: boolean, perColumn: 2 | 4 = 4): Pt[] {
  const idx = decimateMinMax(l.xs, l.ys, l.n, xMin, xMax, columns, perColumn);
  const out: Pt[] = new Array(idx.length);
  let k = 0;
  for (const i of idx) {
    const y = l.ys[i];
    // Chart.js draws NaN as a gap; ±Inf and (log scale) non-positive values become gaps too.
    out[k++] = { x: l.xs[i], y: Number.isFinite(y) && (!logY || y > 0) ? y : NaN };
  }
  return out;
}

/** visiblePoints into typed arrays (no object per point), for lines drawn in bulk (bulk-lines.ts). */
export function visibleArrays(l: LineSpec, xMin: number, xMax: number, columns: number, logY: boolean, perColumn: 2 | 4 = 4): { xs: Float64Array; ys: Float64Array; n: number } {
  const idx = decimateMinMax(l.xs, l.ys, l.n, xMin, xMax, columns, perColumn);
  const xs = new Float64Array(idx.length);
  const ys = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const y = l.ys[i];
    xs[k] = l.xs[i];
    ys[k] = Number.isFinite(y) && (!logY || y > 0) ? y : NaN;
  }
  return { xs, ys, n: idx.length };
}

/** Values sampled for the robust y range: enough for stable 5% / 95% quantiles, cheap to sort. */
const ROBUST_SAMPLES = 8_000;

/** y range covering 5..95% of the visible values of the non-faint lines, padded; null = let Chart.js decide. */
export function robustYRange(lines: readonly LineSpec[], xMin: number, xMax: number, logY: boolean): [number, number] | null {
  const parts: { values: ArrayLike<number>; start: number; n: number }[] = [];
  for (const l of lines) {
    if (l.faint || l.n === 0) continue;
    const a = lowerBound(l.xs, l.n, xMin);
    let b = lowerBound(l.xs, l.n, xMax);
    while (b < l.n && l.xs[b] <= xMax) b++;
    parts.push({ values: l.ys, start: a, n: b });
  }
  const r = outlierRange(parts, 0.05, 0.95, { maxSamples: ROBUST_SAMPLES, positiveOnly: logY });
  if (!r) return null;
  return dataRange(r[0], r[1], logY);
}

/** Radius of the dot drawn on a point with no drawn neighbour (a series of one point, or one between gaps). */
export const LONE_POINT_RADIUS = 3;

/**
 * Chart.js pointRadius for a dataset: 0 (no dots: the line shows the data) unless some point has no
 * finite neighbour on either side, which a line alone would not show; then one radius per point.
 */
export function pointRadii(pts: readonly Pt[]): number | number[] {
  const ok = (i: number): boolean => i >= 0 && i < pts.length && Number.isFinite(pts[i].y);
  let radii: number[] | null = null;
  for (let i = 0; i < pts.length; i++) {
    if (ok(i) && !ok(i - 1) && !ok(i + 1)) (radii ??= new Array(pts.length).fill(0))[i] = LONE_POINT_RADIUS;
  }
  return radii ?? 0;
}

/** Widens [lo, hi] to multiples of a 1/2/5 x 10^k tick step (~5 ticks), so axis ends get round labels. */
export function niceRange(lo: number, hi: number): [number, number] {
  const raw = (hi - lo) / 5;
  if (!(raw > 0) || !Number.isFinite(raw)) return [lo, hi];
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

/** New [min, max] after zooming by `factor` (< 1 = in) around `center`, clamped to the full extent. */
export function zoomAround(view: [number, number], center: number, factor: number, full: [number, number]): [number, number] | null {
  let lo = center - (center - view[0]) * factor;
  let hi = center + (view[1] - center) * factor;
  if (hi - lo >= full[1] - full[0]) return null; // zoomed all the way out
  if (lo < full[0]) [lo, hi] = [full[0], full[0] + (hi - lo)];
  if (hi > full[1]) [lo, hi] = [full[1] - (hi - lo), full[1]];
  return hi > lo ? [lo, hi] : view;
}

/** Short number format for ticks and tooltips. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  // trailing zeros dropped: a tick at 1e-4 reads "1e-4", not "1.000e-4"
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return Number(v.toPrecision(5)).toString();
}
