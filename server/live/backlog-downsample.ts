// A subscriber's scalar backlog at about `points` points a series (subscribe's `points`): the dashboard
// draws a chart's first view at ~2 points per pixel without receiving every point, and fetches a zoomed
// step range at full resolution over HTTP. Min / max per step bucket (shared/decimate.ts), so no spike is
// lost; the first and last point stay, so zero-gap resume (`have`) and live points after it are exact.
import { downsampleIndices } from '../../shared/decimate.ts';
import type { SeriesDelta } from '../../shared/protocol.ts';

export function downsampleDelta(d: SeriesDelta, points: number): SeriesDelta {
  if (d.kind !== 'scalars' || d.decimated || d.steps.length <= points) return d; // decimated: by the store already
  const n = d.steps.length;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = d.values[i] ?? NaN;
  const idx = downsampleIndices(d.steps, values, n, points);
  return {
    ...d,
    wallTimes: idx.map((i) => d.wallTimes[i]),
    steps: idx.map((i) => d.steps[i]),
    values: idx.map((i) => d.values[i]),
    decimated: true,
  };
}
