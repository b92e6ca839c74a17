// The rows of a scalar chart's hover tooltip, as TensorBoard shows them: for every (non-faint) line at
// the cursor, its full run name, smoothed and raw value, logged step, wall time and time since its first
// point; sorted by value, highest first (non-finite values last).
import { lowerBound } from '../../../../shared/decimate.ts';
import type { LineSpec } from './line-data.ts';

export interface TooltipRow {
  run: string;
  color: string;
  /** The x of the point in the chart's axis units. */
  x: number;
  /** The value drawn (smoothed when smoothing is on). */
  smoothed: number;
  /** The logged value. */
  value: number;
  /** Standard deviation over a seed group's runs (mean lines only). */
  spread?: number;
  step: number;
  /** Wall time in seconds since the epoch, when known. */
  wall: number | null;
  /** Seconds since the line's first point, when wall times are known. */
  relative: number | null;
}

/** Index of the point whose x is nearest to `x` (ties go to the earlier point); -1 when empty. */
export function nearestIndex(xs: ArrayLike<number>, n: number, x: number): number {
  if (n === 0) return -1;
  const i = lowerBound(xs, n, x);
  if (i >= n) return n - 1;
  if (i > 0 && x - xs[i - 1] <= xs[i] - x) return i - 1;
  return i;
}

/** The row of one line at point index i. */
export function rowAt(l: LineSpec, i: number): TooltipRow {
  const wall = l.walls ? l.walls[i] : null;
  return {
    run: l.label,
    color: l.color,
    x: l.xs[i],
    smoothed: l.ys[i],
    value: l.raw ? l.raw[i] : l.ys[i],
    ...(l.spread ? { spread: l.spread[i] } : {}),
    step: l.steps ? l.steps[i] : l.xs[i],
    wall,
    relative: wall !== null && l.walls && l.n > 0 ? wall - l.walls[0] : null,
  };
}

/** Highest value first; NaN / non-finite values last, then by run name. */
export function byValueDesc(a: TooltipRow, b: TooltipRow): number {
  const fa = Number.isFinite(a.smoothed);
  const fb = Number.isFinite(b.smoothed);
  if (fa !== fb) return fa ? -1 : 1;
  if (fa && a.smoothed !== b.smoothed) return b.smoothed - a.smoothed;
  return a.run.localeCompare(b.run);
}

/** Every non-faint line's point nearest to x (full resolution), sorted by value. */
export function tooltipRows(lines: readonly LineSpec[], x: number): TooltipRow[] {
  const rows: TooltipRow[] = [];
  for (const l of lines) {
    if (l.faint || l.n === 0) continue;
    rows.push(rowAt(l, nearestIndex(l.xs, l.n, x)));
  }
  return rows.sort(byValueDesc);
}

const pad2 = (v: number) => String(v).padStart(2, '0');

/** A duration as TensorBoard's "Relative" column: "1.5 s", "2m 3s", "1h 2m", "2d 3h". */
export function formatRelative(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '–';
  const s = Math.abs(sec);
  const sign = sec < 0 ? '-' : '';
  if (s < 60) return `${sign}${Number(s.toPrecision(3))} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m}m ${Math.floor(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${sign}${h}h ${m % 60}m`;
  return `${sign}${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Wall time (epoch seconds) as local "YYYY-MM-DD HH:MM:SS". */
export function formatWall(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '–';
  const d = new Date(sec * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
