// PR CURVES tab data: the pr_curves plugin's routes (TensorBoard's /data/plugin/pr_curves/*), one card per
// tag with every run that has it overlaid, the entry each run shows at the card's step, the points drawn
// (recall on x, precision on y) and the readout nearest the cursor. Pure.
import type { PrCurveEntry } from '../../../../shared/types.ts';
import { expectArray, isObject } from '../plugin/plugin-steps.ts';

export const PR_TAGS_URL = '/data/plugin/pr_curves/tags';

/** One request for every run of a card (the route takes ?run= repeated; each run must have the tag). */
export function prCurvesUrl(runs: readonly string[], tag: string): string {
  const q = new URLSearchParams();
  for (const r of runs) q.append('run', r);
  q.set('tag', tag);
  return `/data/plugin/pr_curves/pr_curves?${q.toString()}`;
}

const FIELDS = ['precision', 'recall', 'true_positives', 'false_positives', 'true_negatives', 'false_negatives', 'thresholds'] as const;

/** {run: entries} with malformed entries dropped (all arrays must be numbers of one length). */
export function parsePrCurves(raw: unknown): Map<string, PrCurveEntry[]> {
  if (!isObject(raw)) throw new Error('PR curves: expected an object of runs');
  const out = new Map<string, PrCurveEntry[]>();
  for (const [run, list] of Object.entries(raw)) {
    const ok = expectArray(list, `PR curves of ${run}`).filter((e): e is PrCurveEntry => {
      if (!isObject(e) || typeof e.step !== 'number') return false;
      const n = Array.isArray(e.precision) ? e.precision.length : -1;
      return FIELDS.every((f) => Array.isArray(e[f]) && (e[f] as unknown[]).length === n && (e[f] as unknown[]).every((x) => typeof x === 'number'));
    });
    out.set(run, [...ok].sort((a, b) => a.step - b.step));
  }
  return out;
}

/** Every step any run has, sorted (the card's slider). */
export function unionSteps(curves: ReadonlyMap<string, readonly PrCurveEntry[]>): number[] {
  const s = new Set<number>();
  for (const list of curves.values()) for (const e of list) s.add(e.step);
  return [...s].sort((a, b) => a - b);
}

/** The entry a run shows at `step`: its latest at or before it, else its first. */
export function entryAt(entries: readonly PrCurveEntry[], step: number): PrCurveEntry | undefined {
  let best: PrCurveEntry | undefined;
  for (const e of entries) if (e.step <= step) best = e;
  return best ?? entries[0];
}

/** Points of one curve in threshold order: x = recall, y = precision. */
export function curvePoints(e: PrCurveEntry): { x: number; y: number }[] {
  return e.recall.map((r, i) => ({ x: r, y: e.precision[i] }));
}

export interface PrReadout {
  run: string;
  step: number;
  threshold: number;
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** The point of e nearest to (recall, precision) (both axes span [0, 1], so distance is taken in data units). */
export function nearestPoint(run: string, e: PrCurveEntry, recall: number, precision: number): PrReadout | null {
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < e.recall.length; i++) {
    const d = (e.recall[i] - recall) ** 2 + (e.precision[i] - precision) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  if (best < 0) return null;
  return {
    run,
    step: e.step,
    threshold: e.thresholds[best],
    precision: e.precision[best],
    recall: e.recall[best],
    tp: e.true_positives[best],
    fp: e.false_positives[best],
    tn: e.true_negatives[best],
    fn: e.false_negatives[best],
  };
}
