// Pointer gestures on a line chart: a click pins a step, a drag zooms, a shift-drag selects a range.

export type Gesture = 'click' | 'zoom' | 'range';

/** A press that moves less than this many pixels is a click. */
export const CLICK_SLOP_PX = 6;

export const GESTURE_HINT = 'click: pin a step · drag: zoom · shift+drag: select a range · double-click: reset zoom';

export function classifyGesture(dx: number, shift: boolean): Gesture {
  if (Math.abs(dx) < CLICK_SLOP_PX) return 'click';
  return shift ? 'range' : 'zoom';
}

/** Pixel spans of a selection on a chart area, clipped to it; null where out of view. */
export function selectionPixels(
  sel: { kind: 'step'; x: number } | { kind: 'range'; lo: number; hi: number } | null,
  toPx: (x: number) => number,
  left: number,
  right: number,
): { pin?: number; range?: [number, number] } | null {
  if (!sel) return null;
  if (sel.kind === 'step') {
    const p = toPx(sel.x);
    return p >= left - 0.5 && p <= right + 0.5 ? { pin: p } : null;
  }
  const a = Math.max(left, toPx(sel.lo));
  const b = Math.min(right, toPx(sel.hi));
  return b > a ? { range: [a, b] } : null;
}
