// A subscribe-time backlog cut to what a chart shows: a client that asks for at most `points` per series
// (its charts' width) gets each long scalar series min-max decimated over its whole step range (first,
// min, max and last point of each of points/4 columns: every spike stays), not every point the store
// keeps. The last point always stays: it is where a later resume (`have`) continues. Zooming in reads
// the full resolution over HTTP. Pure.
import { decimateMinMax } from '../../shared/decimate.ts';
import type { SeriesDelta } from '../../shared/protocol.ts';

/** Smallest accepted `points`: below it a chart would not show the shape at all. */
export const MIN_BACKLOG_POINTS = 64;

export function downsampleBacklog(d: SeriesDelta, points: number): SeriesDelta {
  if (d.kind !== 'scalars') return d;
  const n = d.steps.length;
  const max = Math.max(MIN_BACKLOG_POINTS, Math.floor(points));
  if (n <= max) return d;
  const ys = d.values.map((v) => (v === null ? NaN : v));
  const keep = decimateMinMax(d.steps, ys, n, d.steps[0], d.steps[n - 1], Math.floor(max / 4), 4);
  return {
    ...d,
    wallTimes: keep.map((i) => d.wallTimes[i]),
    steps: keep.map((i) => d.steps[i]),
    values: keep.map((i) => d.values[i]),
  };
}
