// TensorBoard's step selector as pure data: a pinned x gives each run's value at its nearest logged point;
// a selected x range gives each run's first / last value and min / max / mean of its logged values in it.
import { lowerBound } from '../../../../shared/decimate.ts';
import type { LineSpec } from './line-data.ts';
import { nearestIndex, tooltipRows, type TooltipRow } from './tooltip-rows.ts';

/** What is selected on a chart, in the x units of the axis it was made on. */
export type ChartSelection = { kind: 'step'; x: number } | { kind: 'range'; lo: number; hi: number };

/** A pinned x moved onto the nearest logged point of any line (a click lands between steps). */
export function snapSelection(lines: readonly LineSpec[], sel: ChartSelection): ChartSelection {
  if (sel.kind !== 'step') return sel;
  let best = sel.x;
  let dist = Infinity;
  for (const l of lines) {
    if (l.faint || l.n === 0) continue;
    const x = l.xs[nearestIndex(l.xs, l.n, sel.x)];
    if (Math.abs(x - sel.x) < dist) [best, dist] = [x, Math.abs(x - sel.x)];
  }
  return { kind: 'step', x: best };
}

/** Each run's value at the point nearest to x (same rows as the tooltip), sorted by value. */
export function stepRows(lines: readonly LineSpec[], x: number): TooltipRow[] {
  return tooltipRows(lines, x);
}

export interface RangeRow {
  run: string;
  color: string;
  /** Logged points with lo <= x <= hi (finite values only count for the statistics). */
  count: number;
  startStep: number | null;
  endStep: number | null;
  start: number | null;
  end: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
}

/** Statistics of each non-faint line's logged (raw) values with x in [lo, hi], in line order. */
export function rangeRows(lines: readonly LineSpec[], lo: number, hi: number): RangeRow[] {
  if (hi < lo) [lo, hi] = [hi, lo];
  const rows: RangeRow[] = [];
  for (const l of lines) {
    if (l.faint) continue;
    const vals = l.raw ?? l.ys;
    const steps = l.steps ?? l.xs;
    const row: RangeRow = { run: l.label, color: l.color, count: 0, startStep: null, endStep: null, start: null, end: null, min: null, max: null, mean: null };
    let sum = 0;
    let finite = 0;
    for (let i = lowerBound(l.xs, l.n, lo); i < l.n && l.xs[i] <= hi; i++) {
      const v = vals[i];
      if (row.count === 0) {
        row.startStep = steps[i];
        row.start = v;
      }
      row.endStep = steps[i];
      row.end = v;
      row.count++;
      if (!Number.isFinite(v)) continue;
      finite++;
      sum += v;
      row.min = row.min === null ? v : Math.min(row.min, v);
      row.max = row.max === null ? v : Math.max(row.max, v);
    }
    if (finite > 0) row.mean = sum / finite;
    rows.push(row);
  }
  return rows;
}
