// x values of a scalar series for the chosen axis (step / relative hours / wall clock), cached per
// series version so live appends don't rebuild arrays for every card.
import type { ScalarSeries } from '../state/scalar-series.ts';
import type { XAxis } from '../url-state.ts';
import { fmt } from './line-data.ts';

const cache = new WeakMap<ScalarSeries, { version: number; axis: XAxis; xs: Float64Array }>();

export function xValues(s: ScalarSeries, axis: XAxis): Float64Array {
  if (axis === 'step') return s.steps;
  const hit = cache.get(s);
  if (hit && hit.version === s.version && hit.axis === axis) return hit.xs;
  const xs = new Float64Array(s.n);
  const t0 = s.n ? s.walls[0] : 0;
  for (let i = 0; i < s.n; i++) xs[i] = axis === 'wall' ? s.walls[i] : (s.walls[i] - t0) / 3600;
  cache.set(s, { version: s.version, axis, xs });
  return xs;
}

export function xLabel(axis: XAxis): string {
  return axis === 'step' ? 'step' : axis === 'relative' ? 'hours' : 'time';
}

export function xFormatter(axis: XAxis): (x: number) => string {
  if (axis === 'wall') return (x) => new Date(x * 1000).toLocaleTimeString([], { hour12: false });
  if (axis === 'relative') return (x) => (x < 1 ? `${fmt(x * 60)}m` : `${fmt(x)}h`);
  return (x) => (Math.abs(x) >= 1e5 ? x.toExponential(2) : String(Math.round(x * 100) / 100));
}
