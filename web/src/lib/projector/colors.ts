// Point colours from a metadata column: a categorical palette (the most frequent values get colours, the
// rest one grey "other") or a numeric scale (low = dark blue, high = yellow), with the legend to draw.
import type { MetadataColumn } from './metadata.ts';

export const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#dbdb8d', '#9edae5', '#393b79',
];
/** Colour of "other" categories, NaN numbers and points when nothing colours them. */
export const NEUTRAL = '#8a94a6';
/** Numeric scale stops, low to high. */
export const SCALE = ['#30123b', '#3e63c9', '#1fb6c1', '#62e35b', '#e8d23a', '#f5621f'];

export type Legend =
  | { kind: 'none' }
  | { kind: 'categorical'; entries: { value: string; color: string; count: number }[]; otherCount: number }
  | { kind: 'numeric'; min: number; max: number; stops: string[] };

export interface ColorMapping {
  /** r, g, b in 0..1 per point. */
  rgb: Float32Array;
  legend: Legend;
}

export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255];
}

/** Colour of t in [0, 1] on the numeric scale (linear between stops). */
export function scaleColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (SCALE.length - 1);
  const i = Math.min(SCALE.length - 2, Math.floor(x));
  const f = x - i;
  const a = hexToRgb(SCALE[i]);
  const b = hexToRgb(SCALE[i + 1]);
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export function colorByColumn(col: MetadataColumn | null, n: number): ColorMapping {
  const rgb = new Float32Array(n * 3);
  const fill = (i: number, c: readonly number[]) => ((rgb[3 * i] = c[0]), (rgb[3 * i + 1] = c[1]), (rgb[3 * i + 2] = c[2]));
  const neutral = hexToRgb(NEUTRAL);
  if (!col) {
    for (let i = 0; i < n; i++) fill(i, neutral);
    return { rgb, legend: { kind: 'none' } };
  }
  if (col.numbers) {
    let min = Infinity, max = -Infinity;
    for (const v of col.numbers) if (Number.isFinite(v)) (min = Math.min(min, v)), (max = Math.max(max, v));
    const span = max > min ? max - min : 1;
    for (let i = 0; i < n; i++) {
      const v = col.numbers[i];
      fill(i, Number.isFinite(v) ? scaleColor((v - min) / span) : neutral);
    }
    return { rgb, legend: { kind: 'numeric', min, max, stops: SCALE } };
  }
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) counts.set(col.values[i], (counts.get(col.values[i]) ?? 0) + 1);
  // Class ids (all numbers) in numeric order; other values most frequent first, ties in first-seen order
  // (the sort is stable). All colours when they fit.
  const present = [...(col.categories ?? counts.keys())].filter((v) => counts.has(v));
  const ids = present.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  const order = ids ? present.sort((a, b) => Number(a) - Number(b)) : present.sort((a, b) => counts.get(b)! - counts.get(a)!);
  const coloured = order.length <= PALETTE.length ? order : order.slice(0, PALETTE.length - 1);
  const colorOf = new Map(coloured.map((v, k) => [v, PALETTE[k]]));
  let otherCount = 0;
  for (let i = 0; i < n; i++) {
    const c = colorOf.get(col.values[i]);
    if (!c) otherCount++;
    fill(i, c ? hexToRgb(c) : neutral);
  }
  const entries = coloured.map((value) => ({ value, color: colorOf.get(value)!, count: counts.get(value)! }));
  return { rgb, legend: { kind: 'categorical', entries, otherCount } };
}
