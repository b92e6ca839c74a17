// Axis scales of the parallel-coordinates and scatter views (linear, log for wide positive ranges,
// evenly spaced categories) mapping values to a unit position 0..1 and back, with tick labels; and the
// colour scale of the colour-by metric. Pure.
import { linearTicks, logTicks } from '../charts/nice-scale.ts';
import { fmt } from '../charts/line-data.ts';
import { categoryIndex } from './filters.ts';
import type { Column, Session } from './sessions.ts';
import type { HpValue } from './types.ts';

export interface AxisScale {
  kind: 'linear' | 'log' | 'category';
  /** Value extent (linear / log) or [0, categories - 1]. */
  domain: [number, number];
  categories: string[];
  /** Unit position (0 = bottom / left, 1 = top / right) of a value; null when it has none on this axis. */
  toUnit(v: HpValue | undefined): number | null;
  /** Axis value at a unit position (a category's index for categorical axes). */
  fromUnit(u: number): number;
  ticks(): { u: number; label: string }[];
}

/** A positive range spanning this many times its minimum or more is drawn on a log axis (learning rates). */
export const LOG_RATIO = 50;

export function extent(values: readonly number[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

function categoryScale(col: Column): AxisScale {
  // Every known category (declared domain, then values seen), so positions match filters.ts' categoryIndex.
  const categories = col.values;
  const n = categories.length;
  const pos = (i: number) => (n <= 1 ? 0.5 : i / (n - 1));
  return {
    kind: 'category',
    domain: [0, Math.max(0, n - 1)],
    categories,
    toUnit: (v) => {
      const i = categoryIndex(col, v);
      return i === undefined ? null : pos(i);
    },
    fromUnit: (u) => (n <= 1 ? 0 : u * (n - 1)),
    ticks: () => categories.map((label, i) => ({ u: pos(i), label })),
  };
}

export function numericScale(values: readonly number[], maxTicks = 5): AxisScale {
  const ext = extent(values) ?? [0, 1];
  const log = ext[0] > 0 && ext[1] / ext[0] >= LOG_RATIO;
  let [lo, hi] = ext;
  if (lo === hi) {
    // One value: centre it.
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = log ? [lo / 2, hi * 2] : [lo - pad, hi + pad];
  }
  const f = log ? Math.log10 : (x: number) => x;
  const inv = log ? (x: number) => Math.pow(10, x) : (x: number) => x;
  const a = f(lo);
  const b = f(hi);
  const toUnit = (v: HpValue | undefined) => (typeof v === 'number' && Number.isFinite(v) && (!log || v > 0) ? (f(v) - a) / (b - a) : null);
  return {
    kind: log ? 'log' : 'linear',
    domain: [lo, hi],
    categories: [],
    toUnit,
    fromUnit: (u) => inv(a + u * (b - a)),
    ticks: () =>
      (log ? logTicks(lo, hi, maxTicks) : linearTicks(lo, hi, maxTicks))
        .filter((t) => t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9))
        .map((t) => ({ u: toUnit(t) ?? 0, label: fmt(t) })),
  };
}

/** The axis of a column over the sessions drawn. */
export function axisScale(col: Column, sessions: readonly Session[], maxTicks = 5): AxisScale {
  if (!col.numeric) return categoryScale(col);
  return numericScale(sessions.map((s) => s.values[col.key]).filter((v): v is number => typeof v === 'number'), maxTicks);
}

/** Brush interval (axis values; category index for categorical axes) from two unit positions. */
export function brushFromUnits(scale: AxisScale, u0: number, u1: number): [number, number] {
  const lo = Math.max(0, Math.min(1, Math.min(u0, u1)));
  const hi = Math.max(0, Math.min(1, Math.max(u0, u1)));
  return [scale.fromUnit(lo), scale.fromUnit(hi)];
}

/** Unit positions of a brush, to draw it (clamped to the axis). */
export function brushToUnits(scale: AxisScale, b: [number, number]): [number, number] | null {
  const u = (x: number) => {
    if (scale.kind === 'category') return scale.domain[1] === 0 ? 0.5 : x / scale.domain[1];
    if (scale.kind === 'log') return x > 0 ? (Math.log10(x) - Math.log10(scale.domain[0])) / (Math.log10(scale.domain[1]) - Math.log10(scale.domain[0])) : 0;
    return (x - scale.domain[0]) / (scale.domain[1] - scale.domain[0]);
  };
  const a = Math.max(0, Math.min(1, u(b[0])));
  const c = Math.max(0, Math.min(1, u(b[1])));
  return c >= a ? [a, c] : null;
}

// Blue -> purple -> orange -> red: no pale middle, so every stop reads on both the light and dark card.
export const COLOR_STOPS = ['#3b4cc0', '#6a5acd', '#b0509a', '#e8710a', '#c0392b'];

function hexToRgb(h: string): [number, number, number] {
  const n = parseInt(h.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Colour of a unit position t (clamped) along COLOR_STOPS, as #rrggbb. */
export function colorAt(t: number): string {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (COLOR_STOPS.length - 1);
  const i = Math.min(COLOR_STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = hexToRgb(COLOR_STOPS[i]);
  const b = hexToRgb(COLOR_STOPS[i + 1]);
  return `#${a.map((c, k) => Math.round(c + (b[k] - c) * f).toString(16).padStart(2, '0')).join('')}`;
}

/** Colour of each session by a metric over the sessions' range (grey when it has no value). */
export function sessionColors(sessions: readonly Session[], key: string | null, missing = '#9aa1ab'): Map<string, string> {
  const out = new Map<string, string>();
  const vals = key ? sessions.map((s) => s.values[key]).filter((v): v is number => typeof v === 'number') : [];
  const ext = extent(vals);
  for (const s of sessions) {
    const v = key ? s.values[key] : undefined;
    if (!ext || typeof v !== 'number') out.set(s.name, missing);
    else out.set(s.name, colorAt(ext[1] === ext[0] ? 0.5 : (v - ext[0]) / (ext[1] - ext[0])));
  }
  return out;
}
