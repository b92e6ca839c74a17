// What LineChart does on a redraw, outside the component: the lines for the visible range into Chart.js
// (datasets, or bulk lines for many runs), the axes' ranges and colours, one update without animation.
import type { Chart } from 'chart.js';
import { bulkExtent, setBulkLines } from './bulk-lines.ts';
import { liveRange, robustYRange, type LineSpec } from './line-data.ts';
import type { LineDatasets } from './line-datasets.ts';
import { dataRange, yExtent } from './nice-scale.ts';

export interface LineDraw {
  lines: readonly LineSpec[];
  /** The zoomed x range, or null for the data's (live) extent. */
  view: [number, number] | null;
  /** xExtent(lines), computed once per lines change by the caller. */
  full: [number, number] | null;
  logY: boolean;
  ignoreOutliers: boolean;
  xLabel: string;
  colors: { fg: string; grid: string };
  /** Plot width in pixels when the chart has not laid out yet. */
  fallbackWidth: number;
  /** Lines the chart will hold once its runs are in (LineDatasets.build). */
  expectLines?: number;
}

export interface LineDrawn {
  /** Points handed over (after decimation) and held at full resolution by the non-faint lines. */
  points: number;
  fullPoints: number;
}

/** How far (in parts of the span) a new y range may differ at each end and the old one be kept. */
export const STEADY_Y = 0.02;

/**
 * The previous y range while the new one is within STEADY_Y of its span at both ends (on a log axis, in
 * decades): showing or hiding one run among hundreds moves the range by a hair, and keeping it keeps
 * every other line's pixels, so their cached layers are reused (line-layers.ts). The ranges are padded
 * by 5 % (dataRange), so a kept range still shows the data's extent.
 */
export function steadyRange(prev: [number, number] | null, next: [number, number] | null, log: boolean): [number, number] | null {
  if (!prev || !next) return next;
  const f = log ? Math.log10 : (v: number) => v;
  const [a, b] = [f(prev[0]), f(prev[1])];
  const tol = (b - a) * STEADY_Y;
  if (!(tol > 0)) return next;
  return Math.abs(f(next[0]) - a) <= tol && Math.abs(f(next[1]) - b) <= tol ? prev : next;
}

function joinExtents(a: [number, number] | null, b: [number, number] | null): [number, number] | null {
  return a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : (a ?? b);
}

/** Per chart: the y range last drawn and on which axis kind (steadyRange), and what its layout depends on. */
const lastY = new WeakMap<Chart, { log: boolean; range: [number, number] | null }>();
const lastLayout = new WeakMap<Chart, string>();

/** Pushes the lines into Chart.js and updates it (no animation). */
export function drawLines(ch: Chart, built: LineDatasets, d: LineDraw): LineDrawn {
  const [xMin, xMax] = d.view ?? (d.full ? liveRange(d.full) : [0, 1]);
  const cols = Math.max(50, Math.round(ch.chartArea?.width || d.fallbackWidth || 400));
  const { datasets, bulk, total, fullN, datasetsChanged } = built.build(d.lines, xMin, xMax, cols, d.logY, d.expectLines);
  ch.data.datasets = datasets;
  setBulkLines(ch, bulk);
  const x = ch.options.scales!.x!;
  const y = ch.options.scales!.y!;
  x.min = xMin;
  x.max = xMax;
  (x as { title?: object }).title = { display: true, text: d.xLabel, color: d.colors.fg, font: { size: 10 } };
  y.type = d.logY ? 'logarithmic' : 'linear';
  const fresh = d.ignoreOutliers
    ? robustYRange(d.lines, xMin, xMax, d.logY)
    : dataRange(...(joinExtents(yExtent(datasets.map((s) => s.data), d.logY), bulkExtent(bulk, d.logY)) ?? [NaN, NaN]), d.logY);
  const prev = lastY.get(ch);
  const yr = steadyRange(prev?.log === d.logY ? prev.range : null, fresh, d.logY);
  lastY.set(ch, { log: d.logY, range: yr });
  y.min = yr ? yr[0] : undefined;
  y.max = yr ? yr[1] : undefined;
  for (const s of [x, y]) {
    s.ticks!.color = d.colors.fg;
    s.grid!.color = d.colors.grid;
  }
  // Chart.js' update (option resolution, scales, layout) costs more than drawing the axes: when only bulk
  // lines changed (a run shown or hidden among many) and the axes are as before, a redraw is enough.
  const layout = yr ? `${xMin}|${xMax}|${yr[0]}|${yr[1]}|${d.logY}|${d.xLabel}|${d.colors.fg}|${d.colors.grid}` : '';
  if (layout && !datasetsChanged && lastLayout.get(ch) === layout) ch.render();
  else ch.update('none');
  lastLayout.set(ch, layout);
  return { points: total, fullPoints: fullN };
}

/** The chart's accessible name: its lines' labels, the first few of many. */
export function chartLabel(lines: readonly LineSpec[], max = 12): string {
  const names: string[] = [];
  let more = 0;
  for (const l of lines) {
    if (l.faint) continue;
    if (names.length < max) names.push(l.label);
    else more++;
  }
  return `line chart: ${names.join(', ')}${more ? ` and ${more} more` : ''}`;
}
