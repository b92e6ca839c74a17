// Pure run-comparison maths for the COMPARE tab: per-run summary figures, sorting, and "group runs"
// (mean with a min-max band over runs whose hyper-parameters differ only by seed).

/** One scalar series as the client holds it (a prefix of length n of growable buffers). */
export interface SeriesLike {
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
  walls: ArrayLike<number>;
  n: number;
}

export interface CompareInput {
  name: string;
  hparams?: Record<string, string | number | boolean>;
  /** Trainer status, or the status the log recorded; absent = not known. */
  status?: string;
  /** tag -> series */
  scalars: Map<string, SeriesLike>;
}

/** How a train figure was averaged: over the last complete epoch, the last N points, or a per-epoch tag's last value. */
export type TrainWindow = 'last epoch' | `last ${number} points` | 'epoch value' | null;

export interface CompareRow {
  run: string;
  dataset: string | null;
  status: string | null;
  /** False for stopped and failed runs: shown, marked, never ranked among the others. */
  ranked: boolean;
  activation: string | null;
  /** Mean over `trainWindow` (a single mini-batch is too noisy to compare). */
  trainLoss: number | null;
  trainWindow: TrainWindow;
  valLoss: number | null;
  /** Mean over `trainWindow`, like trainLoss. */
  trainAcc: number | null;
  valAcc: number | null;
  /** First step at which accuracy (val if logged, else train) reached 90% of its final value. */
  itersTo90: number | null;
  /** Mean over layers of each layer's last dead-unit fraction. */
  deadFraction: number | null;
  saturation: number | null;
  /** Seconds between the first and last logged point. */
  wallTime: number | null;
}

export type CompareKey = keyof CompareRow;

/** Last finite value of a series, or null. */
export function lastFinite(s: SeriesLike | undefined): number | null {
  if (!s) return null;
  for (let i = s.n - 1; i >= 0; i--) if (Number.isFinite(s.values[i])) return s.values[i];
  return null;
}

/**
 * First step at which values reach `fraction` of the final (last finite) value; null when there is
 * no finite value or the final value is not positive (e.g. a loss that ends negative).
 */
export function stepsToFraction(s: SeriesLike | undefined, fraction = 0.9): number | null {
  const final = lastFinite(s);
  if (!s || final === null || final <= 0) return null;
  const target = final * fraction;
  for (let i = 0; i < s.n; i++) if (Number.isFinite(s.values[i]) && s.values[i] >= target) return s.steps[i];
  return null;
}

const VAL = /(^|[/_])(val|validation|eval|test)([/_]|$)/i;

/** Picks the tag for a metric ("loss" / "accuracy" / "acc"), validation or training flavour. */
export function pickTag(tags: Iterable<string>, metric: 'loss' | 'accuracy', val: boolean): string | undefined {
  const re = metric === 'loss' ? /(^|[/_])loss$/i : /(^|[/_])(acc|accuracy)$/i;
  const cands = [...tags].filter((t) => re.test(t) && VAL.test(t) === val && !/batch/i.test(t));
  if (cands.length === 0) {
    const any = [...tags].filter((t) => re.test(t) && VAL.test(t) === val);
    return any.sort((a, b) => a.length - b.length)[0];
  }
  // Prefer the shortest (e.g. "train/loss" over "train/epoch_loss_ema").
  return cands.sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
}

function meanOfLast(s: Map<string, SeriesLike>, re: RegExp): number | null {
  const lasts: number[] = [];
  for (const [tag, ser] of s) {
    if (!re.test(tag)) continue;
    const v = lastFinite(ser);
    if (v !== null) lasts.push(v);
  }
  return lasts.length ? lasts.reduce((a, b) => a + b, 0) / lasts.length : null;
}

/** Points averaged when a run has no epoch marker. */
export const FALLBACK_WINDOW = 100;

/**
 * Mean of a training series over the last complete epoch, delimited by the steps of the `epoch` scalar
 * (logged at each epoch's last step): the points with step in (previous epoch end, last epoch end].
 * Without epoch markers: the mean of the last FALLBACK_WINDOW points; a per-epoch tag ("epoch_loss")
 * already holds epoch means, so its last value. NaN/Inf points are left out.
 */
export function lastEpochMean(s: SeriesLike | undefined, tag: string | undefined, epochs: SeriesLike | undefined): { value: number | null; window: TrainWindow } {
  if (!s || s.n === 0) return { value: null, window: null };
  if (tag !== undefined && /(^|\/)epoch_/i.test(tag)) return { value: lastFinite(s), window: 'epoch value' };
  let lo = -Infinity;
  let hi = Infinity;
  let window: TrainWindow;
  let from = 0;
  if (epochs && epochs.n > 0) {
    hi = epochs.steps[epochs.n - 1];
    lo = epochs.n > 1 ? epochs.steps[epochs.n - 2] : -Infinity;
    window = 'last epoch';
  } else {
    from = Math.max(0, s.n - FALLBACK_WINDOW);
    window = `last ${Math.min(s.n, FALLBACK_WINDOW)} points`;
  }
  let sum = 0;
  let count = 0;
  for (let i = from; i < s.n; i++) {
    const st = s.steps[i];
    const v = s.values[i];
    if (st > lo && st <= hi && Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count > 0 ? { value: sum / count, window } : { value: lastFinite(s), window: null };
}

/** Says how a train figure was computed, for the table's header note and cell tooltips. */
export function windowText(w: TrainWindow): string {
  if (w === 'last epoch') return 'mean over the last complete epoch';
  if (w === 'epoch value') return "the log's last per-epoch value";
  if (w === null) return 'last value';
  return `mean of the ${w}`;
}

/** Stopped and failed runs are not ranked: their figures are not comparable with finished runs'. */
export function isRanked(status: string | null | undefined): boolean {
  return status !== 'stopped' && status !== 'failed';
}

export function compareRow(run: CompareInput): CompareRow {
  const tags = [...run.scalars.keys()];
  const get = (metric: 'loss' | 'accuracy', val: boolean) => {
    const t = pickTag(tags, metric, val);
    return t === undefined ? undefined : run.scalars.get(t);
  };
  const valAccS = get('accuracy', true);
  const trainAccS = get('accuracy', false);
  let wMin = Infinity;
  let wMax = -Infinity;
  for (const s of run.scalars.values()) {
    if (s.n === 0) continue;
    wMin = Math.min(wMin, s.walls[0]);
    wMax = Math.max(wMax, s.walls[s.n - 1]);
  }
  const act = run.hparams?.activation;
  const ds = run.hparams?.dataset;
  const epochs = run.scalars.get('epoch');
  const lossTag = pickTag(tags, 'loss', false);
  const trainLoss = lastEpochMean(get('loss', false), lossTag, epochs);
  const trainAcc = lastEpochMean(trainAccS, pickTag(tags, 'accuracy', false), epochs);
  return {
    run: run.name,
    dataset: ds === undefined ? null : String(ds),
    status: run.status ?? null,
    ranked: isRanked(run.status),
    activation: act === undefined ? null : String(act),
    trainLoss: trainLoss.value,
    trainWindow: trainLoss.window ?? trainAcc.window,
    valLoss: lastFinite(get('loss', true)),
    trainAcc: trainAcc.value,
    valAcc: lastFinite(valAccS),
    itersTo90: stepsToFraction(valAccS ?? trainAccS, 0.9),
    deadFraction: meanOfLast(run.scalars, /dead/i),
    saturation: meanOfLast(run.scalars, /satur/i),
    wallTime: wMax >= wMin ? wMax - wMin : null,
  };
}

/** Sorted copy; unranked rows (stopped, failed) after the ranked ones, and nulls last, whatever the direction. */
export function sortRows(rows: CompareRow[], key: CompareKey, dir: 'asc' | 'desc'): CompareRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (a.ranked !== b.ranked) return a.ranked ? -1 : 1;
    const x = a[key];
    const y = b[key];
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * sign;
    return String(x).localeCompare(String(y)) * sign;
  });
}

/** Configuration key: every hparam except the ignored ones (seed by default), in key order. */
export function configKey(hparams: Record<string, string | number | boolean> | undefined, ignore: readonly string[] = ['seed']): string {
  if (!hparams) return '';
  return Object.keys(hparams)
    .filter((k) => !ignore.includes(k))
    .sort()
    .map((k) => `${k}=${String(hparams[k])}`)
    .join(' ');
}

/** Groups run names by configKey, keeping first-seen order. Runs without hparams each form their own group. */
export function groupRuns(runs: { name: string; hparams?: Record<string, string | number | boolean> }[]): { key: string; runs: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const r of runs) {
    const key = r.hparams ? configKey(r.hparams) : `run=${r.name}`;
    const g = groups.get(key);
    if (g) g.push(r.name);
    else groups.set(key, [r.name]);
  }
  return [...groups].map(([key, names]) => ({ key, runs: names }));
}

export interface Band {
  steps: number[];
  mean: number[];
  min: number[];
  max: number[];
  /** How many runs contributed at each step. */
  count: number[];
}

/** Per step (union of all steps), mean / min / max over the runs that logged a finite value at it. */
export function meanBand(series: SeriesLike[]): Band {
  const acc = new Map<number, { sum: number; min: number; max: number; count: number }>();
  for (const s of series) {
    for (let i = 0; i < s.n; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v)) continue;
      const a = acc.get(s.steps[i]);
      if (a) {
        a.sum += v;
        a.min = Math.min(a.min, v);
        a.max = Math.max(a.max, v);
        a.count++;
      } else acc.set(s.steps[i], { sum: v, min: v, max: v, count: 1 });
    }
  }
  const steps = [...acc.keys()].sort((a, b) => a - b);
  const band: Band = { steps, mean: [], min: [], max: [], count: [] };
  for (const st of steps) {
    const a = acc.get(st)!;
    band.mean.push(a.sum / a.count);
    band.min.push(a.min);
    band.max.push(a.max);
    band.count.push(a.count);
  }
  return band;
}
