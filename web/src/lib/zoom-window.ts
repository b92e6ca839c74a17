// Full resolution where a chart is zoomed: the backlog of a long series arrives downsampled (about 2
// points per pixel, subscribe's `points`); zooming asks the server for the points of the zoomed step
// window and draws them in place of the coarse ones there. Pure helpers; the fetching is in
// state/zoom-detail.svelte.ts.
import { lowerBound } from '../../../shared/decimate.ts';
import { ScalarSeries } from './state/scalar-series.ts';

/** Points a series' backlog is downsampled to: 2 per pixel of the widest a chart can be (the window). */
export function backlogPoints(windowWidth: number): number {
  return Math.min(8000, Math.max(800, 2 * Math.ceil(windowWidth || 0)));
}

/**
 * Most points fetched for one zoom, over all runs of the chart (each run gets at least 4 per pixel); also
 * the server's limit for one series (server/http/scalar-window.ts). A window holding more is downsampled
 * at that finer resolution.
 */
export const ZOOM_POINTS_TOTAL = 1_000_000;
export function zoomPointsPerRun(runs: number, plotWidth: number): number {
  return Math.min(ZOOM_POINTS_TOTAL, Math.max(4 * Math.ceil(plotWidth), Math.floor(ZOOM_POINTS_TOTAL / Math.max(1, runs))));
}

/**
 * The step window to fetch for x range [xMin, xMax] of a series drawn with x values `xs`: from the held
 * point just before the range to the one just after it, so the fetched points reach the chart's edges.
 * Null when the series holds no point or the range lies outside what was downsampled.
 */
export function stepWindowFor(s: ScalarSeries, xs: ArrayLike<number>, xMin: number, xMax: number): [number, number] | null {
  if (s.n === 0) return null;
  const a = Math.max(0, lowerBound(xs, s.n, xMin) - 1);
  const b = Math.min(s.n - 1, lowerBound(xs, s.n, xMax));
  const lo = s.steps[a];
  const hi = s.steps[Math.max(a, b)];
  return lo <= s.decimatedThrough ? [lo, hi] : null;
}

export interface WindowPoints {
  walls: ArrayLike<number>;
  steps: ArrayLike<number>;
  values: ArrayLike<number | null>;
}

/** The series with its points in [minStep, maxStep] replaced by `detail` (full resolution there). */
export function mergeWindow(base: ScalarSeries, detail: WindowPoints, minStep: number, maxStep: number): ScalarSeries {
  const out = new ScalarSeries();
  const n = base.n;
  const a = lowerBound(base.steps, n, minStep);
  let b = lowerBound(base.steps, n, maxStep);
  while (b < n && base.steps[b] <= maxStep) b++;
  out.append(base.walls.subarray(0, a), base.steps.subarray(0, a), base.values.subarray(0, a));
  out.append(detail.walls, detail.steps, detail.values);
  out.append(base.walls.subarray(b, n), base.steps.subarray(b, n), base.values.subarray(b, n));
  out.decimatedThrough = base.decimatedThrough;
  return out;
}
