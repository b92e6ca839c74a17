// Geometry of the parallel-coordinates view: an axis per column spread across the width, a polyline per
// session (broken where a value is missing), and the pixel <-> unit maths of brushing. Pure.
import { axisScale, type AxisScale } from './scales.ts';
import type { Column, Session } from './sessions.ts';

export interface PcAxis {
  col: Column;
  x: number;
  scale: AxisScale;
}
export interface PcLayout {
  width: number;
  height: number;
  top: number;
  bottom: number;
  axes: PcAxis[];
}

/** Room for labels: column names above the axes, tick labels beside them, category names below. */
export const PC_MARGIN = { top: 34, bottom: 16, side: 48 };

/** Axes spread evenly; scales span every session (filtered ones stay drawn, faded), so brushing never rescales. */
export function pcLayout(cols: readonly Column[], sessions: readonly Session[], width: number, height: number): PcLayout {
  const n = cols.length;
  const inner = Math.max(0, width - 2 * PC_MARGIN.side);
  const axes = cols.map((col, i) => ({ col, x: PC_MARGIN.side + (n <= 1 ? inner / 2 : (i * inner) / (n - 1)), scale: axisScale(col, sessions) }));
  return { width, height, top: PC_MARGIN.top, bottom: height - PC_MARGIN.bottom, axes };
}

/** y pixel of a unit position (1 = top). */
export function yOf(l: PcLayout, u: number): number {
  return l.bottom - u * (l.bottom - l.top);
}
/** Unit position of a y pixel, clamped to the axis. */
export function unitOf(l: PcLayout, y: number): number {
  return Math.max(0, Math.min(1, (l.bottom - y) / (l.bottom - l.top)));
}

/** SVG path of a session: segments between neighbouring axes where both values exist; a lone value is a dot. */
export function sessionPath(l: PcLayout, s: Session): string {
  let d = '';
  let run = 0; // points in the current segment
  for (const a of l.axes) {
    const u = a.scale.toUnit(s.values[a.col.key]);
    if (u === null) {
      if (run === 1) d += 'h0.01';
      run = 0;
      continue;
    }
    d += `${run ? 'L' : 'M'}${a.x.toFixed(1)} ${yOf(l, u).toFixed(1)}`;
    run++;
  }
  // A zero-length segment drawn with round caps shows as a dot (a queued or early-stopped run's hparams).
  if (run === 1) d += 'h0.01';
  return d;
}

/** The axis under an x pixel (within `slop` px), for starting a brush. */
export function axisAt(l: PcLayout, x: number, slop = 14): PcAxis | null {
  let best: PcAxis | null = null;
  for (const a of l.axes) if (Math.abs(a.x - x) <= slop && (!best || Math.abs(a.x - x) < Math.abs(best.x - x))) best = a;
  return best;
}

/** A drag shorter than this (px) is a click: it clears the axis' brush instead of setting one. */
export const MIN_BRUSH_PX = 4;
