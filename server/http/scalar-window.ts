// The optional view parameters of the scalars routes: a step window (?min_step=&max_step=) and a point
// budget (?points=N: min / max per step bucket, shared/decimate.ts), so a dashboard loads a chart at
// about 2 points per pixel and fetches full resolution for the range it zooms into. Pure: no I/O.
import { z } from 'zod';
import { downsampleIndices, stepWindow } from '../../shared/decimate.ts';
import type { ScalarTuple } from '../../shared/types.ts';

/** Most points a client may ask for (a chart is never wider than this many half-pixels). */
export const MAX_POINTS = 1_000_000;

const stepBound = (name: string) => z.coerce.number({ error: `${name} must be a number` }).refine(Number.isFinite, `${name} must be finite`).optional();

/** Fields shared by the query of scalars and the form of scalars_multirun. */
export const scalarWindowFields = {
  points: z.coerce.number({ error: 'points must be a number' }).int('points must be an integer').min(2, 'points must be at least 2').max(MAX_POINTS, `points must be at most ${MAX_POINTS}`).optional(),
  min_step: stepBound('min_step'),
  max_step: stepBound('max_step'),
};

export interface ScalarWindow {
  points?: number;
  min_step?: number;
  max_step?: number;
}

/** Refinement for a schema holding the window fields: a window's start may not lie after its end. */
export function windowInOrder(w: ScalarWindow): boolean {
  return w.min_step === undefined || w.max_step === undefined || w.min_step <= w.max_step;
}
export const WINDOW_ORDER_MESSAGE = { message: 'min_step must not be greater than max_step', path: ['min_step'] };

/** The points of a series (steps ascending) in the window, downsampled to about `points`; the input itself without parameters. */
export function windowScalars(tuples: readonly ScalarTuple[], w: ScalarWindow): readonly ScalarTuple[] {
  if (w.points === undefined && w.min_step === undefined && w.max_step === undefined) return tuples;
  const n = tuples.length;
  const steps = new Float64Array(n);
  for (let i = 0; i < n; i++) steps[i] = tuples[i][1];
  const [a, b] = stepWindow(steps, n, w.min_step, w.max_step);
  if (w.points === undefined || b - a <= w.points) return tuples.slice(a, b);
  const values = new Float64Array(b - a);
  for (let i = a; i < b; i++) values[i - a] = tuples[i][2];
  return downsampleIndices(steps.subarray(a, b), values, b - a, w.points).map((i) => tuples[a + i]);
}
