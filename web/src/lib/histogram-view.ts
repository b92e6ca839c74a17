// Pure geometry for the HISTOGRAMS cards. The logged buckets (TF's default edges shrink exponentially
// towards 0) are re-binned onto uniform bins shared by every slice shown (rebinHistograms), so heights
// are proportional to density; each slice is a step outline over those bins. The logged buckets stay on
// the slice for the hover readout.
// offset: one slice per step, baselines spread top (oldest, at the back) to bottom (newest, in front).
// overlay: every slice on the same baseline, newest drawn last.
import { rebinHistograms } from '../../../shared/histogram.ts';
import { linearTicks } from './charts/nice-scale.ts';
import type { Bucket, HistogramTuple } from '../../../shared/types.ts';

export type HistogramMode = 'offset' | 'overlay';

export interface PlotBox {
  left: number;
  top: number;
  width: number;
  height: number;
}
export interface Slice {
  step: number;
  wallTime: number;
  /** The buckets as logged (for the hover readout). */
  buckets: Bucket[];
  /** What is drawn: the logged counts spread over the uniform bins. */
  bins: Bucket[];
  /** y of the zero line, px. */
  baseline: number;
  /** Closed outline (starts and ends on the baseline), px. */
  points: [number, number][];
  /** 0 = oldest shown .. 1 = newest, for color. */
  t: number;
}
export interface HistogramGeometry {
  mode: HistogramMode;
  plot: PlotBox;
  /** Back to front (oldest first). */
  slices: Slice[];
  xDomain: [number, number];
  countMax: number;
  stepDomain: [number, number];
  /** Pixel height of a bucket with countMax. */
  sliceHeight: number;
  /** Steps available before sampling to `maxSlices`. */
  totalSteps: number;
  /** Uniform bins per slice. */
  binCount: number;
  xTicks: { value: number; px: number }[];
  /** offset: step ticks; overlay: count ticks. */
  yTicks: { value: number; px: number }[];
}

export interface GeometryOptions {
  width: number;
  height: number;
  margin?: { top: number; right: number; bottom: number; left: number };
  maxSlices?: number;
  /** Share of the plot height one slice may reach in offset mode. */
  offsetPeak?: number;
  /** Uniform bins the logged buckets are spread over (TensorBoard uses 30). */
  bins?: number;
}

/** Uniform bins per slice unless told otherwise, as TensorBoard draws them. */
export const DEFAULT_BINS = 30;

/** Keeps at most `max` items spread evenly, always the first and the last. */
export function sampleEvenly<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  if (max <= 1) return items.slice(-1);
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.round((i * (items.length - 1)) / (max - 1))]);
  return out;
}

/** Round tick values inside [lo, hi], about `count` of them (the line charts' rule, nice-scale.ts). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  return linearTicks(lo, hi, count);
}

/** The slices' logged buckets on uniform bins over their common range, as Bucket lists. */
export function uniformBins(hists: HistogramTuple[], bins: number): { xMin: number; xMax: number; countMax: number; bins: Bucket[][] } {
  const r = rebinHistograms(
    hists.map(([, , buckets]) => ({ buckets })),
    bins,
  );
  let countMax = 0;
  const out = r.counts.map((counts) =>
    Array.from(counts, (c, i): Bucket => {
      if (c > countMax) countMax = c;
      // the last bin ends exactly at max (no rounding drift from adding widths)
      return [r.min + i * r.binWidth, i === counts.length - 1 ? r.max : r.min + (i + 1) * r.binWidth, c];
    }),
  );
  return { xMin: r.min, xMax: r.max, countMax: countMax || 1, bins: out };
}

const MIN_BUCKET_PX = 1;

/** Step outline of one histogram in px. Gaps between buckets drop to the baseline. */
export function sliceOutline(
  buckets: Bucket[],
  x: (v: number) => number,
  y: (count: number) => number,
  baseline: number,
): [number, number][] {
  const pts: [number, number][] = [];
  let lastRight = -Infinity;
  for (const [l, r, c] of buckets) {
    let xl = x(l);
    let xr = x(r);
    if (xr - xl < MIN_BUCKET_PX) {
      const mid = (xl + xr) / 2;
      xl = mid - MIN_BUCKET_PX / 2;
      xr = mid + MIN_BUCKET_PX / 2;
    }
    if (xl > lastRight + 1e-9) {
      if (pts.length) pts.push([lastRight, baseline]);
      pts.push([xl, baseline]);
    }
    const yc = y(c);
    const xs = Math.max(xl, lastRight);
    const xe = Math.max(xr, xs);
    pts.push([xs, yc], [xe, yc]);
    lastRight = xe;
  }
  if (pts.length) pts.push([lastRight, baseline]);
  return pts;
}

export function histogramGeometry(
  hists: HistogramTuple[],
  mode: HistogramMode,
  opts: GeometryOptions,
): HistogramGeometry {
  const margin = opts.margin ?? { top: 8, right: mode === 'offset' ? 48 : 12, bottom: 22, left: mode === 'offset' ? 12 : 44 };
  const plot: PlotBox = {
    left: margin.left,
    top: margin.top,
    width: Math.max(1, opts.width - margin.left - margin.right),
    height: Math.max(1, opts.height - margin.top - margin.bottom),
  };
  const sorted = [...hists].sort((a, b) => a[1] - b[1]);
  const shown = sampleEvenly(sorted, opts.maxSlices ?? (mode === 'offset' ? 40 : 60));
  const binCount = Math.max(1, Math.floor(opts.bins ?? DEFAULT_BINS));
  const { xMin, xMax, countMax, bins } = uniformBins(shown, binCount);
  const stepMin = shown.length ? shown[0][1] : 0;
  const stepMax = shown.length ? shown[shown.length - 1][1] : 0;
  const x = (v: number): number => plot.left + ((v - xMin) / (xMax - xMin)) * plot.width;
  const bottom = plot.top + plot.height;
  const sliceHeight = mode === 'offset' && stepMax > stepMin ? plot.height * (opts.offsetPeak ?? 0.4) : plot.height;
  const baselineOf = (step: number): number =>
    mode === 'overlay' || stepMax === stepMin
      ? bottom
      : plot.top + sliceHeight + ((step - stepMin) / (stepMax - stepMin)) * (plot.height - sliceHeight);

  const slices: Slice[] = shown.map(([wallTime, step, buckets], i) => {
    const baseline = baselineOf(step);
    const y = (c: number): number => baseline - (c / countMax) * sliceHeight;
    return {
      step,
      wallTime,
      buckets,
      bins: bins[i],
      baseline,
      points: sliceOutline(bins[i], x, y, baseline),
      t: shown.length > 1 ? i / (shown.length - 1) : 1,
    };
  });

  const xTicks = niceTicks(xMin, xMax, Math.max(2, Math.floor(plot.width / 70))).map((value) => ({ value, px: x(value) }));
  const yTicks =
    mode === 'offset'
      ? niceTicks(stepMin, stepMax, Math.max(2, Math.floor(plot.height / 40)))
          .filter((s) => Number.isInteger(s))
          .map((value) => ({ value, px: baselineOf(value) }))
      : niceTicks(0, countMax, Math.max(2, Math.floor(plot.height / 40))).map((value) => ({
          value,
          px: bottom - (value / countMax) * sliceHeight,
        }));
  return {
    mode,
    plot,
    slices,
    xDomain: [xMin, xMax],
    countMax,
    stepDomain: [stepMin, stepMax],
    sliceHeight,
    totalSteps: sorted.length,
    binCount,
    xTicks,
    yTicks,
  };
}

/** SVG path data for an outline. */
export function pathData(points: [number, number][]): string {
  return points.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join('') + (points.length ? 'Z' : '');
}

/** The bucket holding data value v (left-closed, right-open; the last bucket also holds its right edge). */
export function bucketAt(buckets: Bucket[], v: number): Bucket | undefined {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [l, r] = buckets[mid];
    if (v < l) hi = mid - 1;
    else if (v >= r && !(mid === buckets.length - 1 && v === r)) lo = mid + 1;
    else return buckets[mid];
  }
  return undefined;
}

export interface HistogramHover {
  step: number;
  /** The drawn uniform bin under the pointer (or the whole slice when chosen by keyboard). */
  left: number;
  right: number;
  count: number;
  /** The bucket as logged that holds the pointer's value, if any (exact edges and count). */
  logged?: Bucket;
  /** Index into geometry.slices. */
  slice: number;
}

/**
 * What the pointer at (px, py) is over. offset: the front-most slice whose filled area holds the point,
 * else the slice with the nearest baseline; overlay: the slice whose top is nearest vertically.
 */
export function hoverAt(geom: HistogramGeometry, px: number, py: number): HistogramHover | null {
  const { plot, slices, xDomain } = geom;
  if (!slices.length || px < plot.left || px > plot.left + plot.width) return null;
  const v = xDomain[0] + ((px - plot.left) / plot.width) * (xDomain[1] - xDomain[0]);
  const topOf = (s: Slice, c: number): number => s.baseline - (c / geom.countMax) * geom.sliceHeight;
  const hit = (i: number): HistogramHover | null => {
    const b = bucketAt(slices[i].bins, v);
    if (!b) return null;
    const logged = bucketAt(slices[i].buckets, v);
    return { step: slices[i].step, left: b[0], right: b[1], count: b[2], ...(logged ? { logged } : {}), slice: i };
  };
  if (geom.mode === 'offset') {
    for (let i = slices.length - 1; i >= 0; i--) {
      const h = hit(i);
      if (h && py <= slices[i].baseline && py >= topOf(slices[i], h.count)) return h;
    }
    let best = -1;
    let bestD = Infinity;
    slices.forEach((s, i) => {
      const d = Math.abs(s.baseline - py);
      if (d < bestD) [best, bestD] = [i, d];
    });
    return hit(best);
  }
  let best: HistogramHover | null = null;
  let bestD = Infinity;
  for (let i = slices.length - 1; i >= 0; i--) {
    const h = hit(i);
    if (!h) continue;
    const d = Math.abs(topOf(slices[i], h.count) - py);
    if (d < bestD) [best, bestD] = [h, d];
  }
  return best;
}

/** Short number for labels. */
export function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}
