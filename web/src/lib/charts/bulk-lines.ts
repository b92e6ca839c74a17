// Many overlaid lines without a Chart.js dataset each: with hundreds of runs on a card, Chart.js' cost is
// per dataset (option resolution through proxies, a meta and a controller) and per point (an element
// object each), a second per update and most of the page's heap at 1,000 runs. Past BULK_MIN_LINES, the
// plain lines of a chart are decimated into typed arrays and stroked by this plugin in one pass under
// the remaining datasets (seed bands and their fills stay Chart.js datasets); Chart.js draws the axes.
// From LAYER_MIN_LINES lines on, they are drawn through cached layer bitmaps (line-layers.ts).
import type { Chart, Plugin } from 'chart.js';
import { LAYER_MIN_LINES, LineLayers } from './line-layers.ts';

/** From this many lines on a chart, plain lines are drawn in bulk. */
export const BULK_MIN_LINES = 48;

export interface BulkLine {
  id: string;
  xs: Float64Array;
  ys: Float64Array;
  /** Points used in xs / ys (NaN y = gap). */
  n: number;
  color: string;
  width: number;
  dash: number[];
}

const bulkByChart = new WeakMap<Chart, BulkLine[]>();
const layersByChart = new WeakMap<Chart, LineLayers<BulkLine>>();

/** The bulk lines a chart draws (drawn last-first, so the first line is on top, as Chart.js orders datasets). */
export function setBulkLines(chart: Chart, lines: BulkLine[]): void {
  bulkByChart.set(chart, lines);
}

export function bulkLines(chart: Chart): readonly BulkLine[] {
  return bulkByChart.get(chart) ?? [];
}

/** Layers re-stroked by the chart's last draw (null when it drew without layers). */
export function restrokedLayers(chart: Chart): number | null {
  const l = layersByChart.get(chart);
  return l && bulkLines(chart).length >= LAYER_MIN_LINES ? l.restroked : null;
}

/** Drops a destroyed chart's lines and layer bitmaps. */
export function forgetBulkLines(chart: Chart): void {
  layersByChart.get(chart)?.release();
  layersByChart.delete(chart);
  bulkByChart.delete(chart);
}

/** Strokes lines given value -> pixel maps; a lone finite point (no finite neighbour) is drawn as a dot. */
export function strokeLines(ctx: CanvasRenderingContext2D, lines: readonly BulkLine[], toX: (v: number) => number, toY: (v: number) => number): void {
  for (let k = lines.length - 1; k >= 0; k--) {
    const l = lines[k];
    ctx.strokeStyle = l.color;
    ctx.fillStyle = l.color;
    ctx.lineWidth = l.width;
    ctx.setLineDash(l.dash);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < l.n; i++) {
      const y = l.ys[i];
      if (Number.isNaN(y)) {
        pen = false;
        continue;
      }
      const px = toX(l.xs[i]);
      const py = toY(y);
      if (pen) ctx.lineTo(px, py);
      else {
        ctx.moveTo(px, py);
        const next = i + 1 < l.n ? l.ys[i + 1] : NaN;
        if (Number.isNaN(next)) ctx.arc(px, py, 1.5, 0, 2 * Math.PI); // a dot, or nothing would show
        pen = true;
      }
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

// A line's points never change (a new object is built when they do): its extent is computed once per axis kind.
const extents = new WeakMap<BulkLine, { log: boolean; lo: number; hi: number }>();

function lineExtent(l: BulkLine, log: boolean): { lo: number; hi: number } {
  const hit = extents.get(l);
  if (hit && hit.log === log) return hit;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < l.n; i++) {
    const y = l.ys[i];
    if (!Number.isFinite(y) || (log && !(y > 0))) continue;
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  }
  const e = { log, lo, hi };
  extents.set(l, e);
  return e;
}

/** y extent over the bulk lines' finite (and, on a log axis, positive) values; null when none. */
export function bulkExtent(lines: readonly BulkLine[], log: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) {
    const e = lineExtent(l, log);
    if (e.lo < lo) lo = e.lo;
    if (e.hi > hi) hi = e.hi;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Value -> pixel of a scale: on a linear one, a multiply-add (what Chart.js computes, without its
 * per-call checks: ~100,000 calls a redraw with 1,000 runs); on a log one, Chart.js' own.
 */
export function pixelMap(s: { type: string; min: number; max: number; getPixelForValue(v: number): number }): (v: number) => number {
  if (s.type !== 'linear' || !(s.max > s.min)) return (v) => s.getPixelForValue(v);
  const p0 = s.getPixelForValue(s.min);
  const k = (s.getPixelForValue(s.max) - p0) / (s.max - s.min);
  const m = s.min;
  return (v) => p0 + (v - m) * k;
}

export const bulkLinesPlugin: Plugin<'line'> = {
  id: 'bulkLines',
  beforeDatasetsDraw(chart) {
    const lines = bulkByChart.get(chart as unknown as Chart);
    if (!lines?.length) return;
    const { ctx, chartArea: a, scales } = chart;
    const { x, y } = scales;
    const toX = pixelMap(x);
    const toY = pixelMap(y);
    const stroke = (c: CanvasRenderingContext2D, group: readonly BulkLine[]) => {
      c.save();
      c.beginPath();
      c.rect(a.left, a.top, a.right - a.left, a.bottom - a.top);
      c.clip();
      c.lineJoin = 'round';
      strokeLines(c, group, toX, toY);
      c.restore();
    };
    if (lines.length >= LAYER_MIN_LINES) {
      const self = chart as unknown as Chart;
      let layers = layersByChart.get(self);
      if (!layers) layersByChart.set(self, (layers = new LineLayers<BulkLine>()));
      const key = `${x.min}|${x.max}|${y.min}|${y.max}|${y.type}|${a.left}|${a.top}|${a.right}|${a.bottom}`;
      if (layers.draw(ctx, lines, key, chart.canvas.width, chart.canvas.height, stroke)) return;
    }
    stroke(ctx, lines);
  },
};
