// Runs whose hyper-parameters differ only by seed, drawn on SCALARS as one mean line over a mean ± std
// band. The grouping is COMPARE's (compare.ts groupRuns); the band is computed per logged step.
import { groupRuns, type SeriesLike } from '../compare.ts';

export interface SeedRun {
  name: string;
  hparams?: Record<string, string | number | boolean>;
}

/** Groups of run names (first-seen order); a group of one is a run drawn on its own. */
export function seedGroups(runs: readonly SeedRun[]): string[][] {
  return groupRuns(runs.map((r) => ({ name: r.name, hparams: r.hparams }))).map((g) => g.runs);
}

export interface SeedBand {
  /** Union of the runs' steps, ascending. */
  steps: Float64Array;
  /** Mean wall time (s) of the runs' points at each step. */
  walls: Float64Array;
  mean: Float64Array;
  /** Sample standard deviation over the runs (0 where one run contributed). */
  std: Float64Array;
  /** How many runs had a finite value at each step. */
  count: Float64Array;
  n: number;
}

/**
 * Per step (union over the series, each sorted by step), the mean and sample standard deviation of
 * the runs' finite values there. Steps where no run has a finite value get NaN (a gap in the line).
 * A k-way merge over the sorted steps: O(points x runs), no per-step maps.
 */
export function seedBand(series: readonly SeriesLike[]): SeedBand {
  const k = series.length;
  const pos = new Array<number>(k).fill(0);
  let cap = 0;
  for (const s of series) cap = Math.max(cap, s.n);
  cap = Math.max(16, cap);
  let b: SeedBand = { steps: new Float64Array(cap), walls: new Float64Array(cap), mean: new Float64Array(cap), std: new Float64Array(cap), count: new Float64Array(cap), n: 0 };
  const vals: number[] = [];
  for (;;) {
    let step = Infinity;
    for (let j = 0; j < k; j++) if (pos[j] < series[j].n) step = Math.min(step, series[j].steps[pos[j]]);
    if (step === Infinity) break;
    vals.length = 0;
    let wallSum = 0;
    let wallN = 0;
    for (let j = 0; j < k; j++) {
      const s = series[j];
      // Duplicate steps within a run: all of them count at this step.
      while (pos[j] < s.n && s.steps[pos[j]] === step) {
        const v = s.values[pos[j]];
        if (Number.isFinite(v)) vals.push(v);
        wallSum += s.walls[pos[j]];
        wallN++;
        pos[j]++;
      }
    }
    if (b.n === b.steps.length) b = grow(b);
    const i = b.n++;
    b.steps[i] = step;
    b.walls[i] = wallSum / wallN;
    b.count[i] = vals.length;
    if (vals.length === 0) {
      b.mean[i] = NaN;
      b.std[i] = NaN;
      continue;
    }
    let sum = 0;
    for (const v of vals) sum += v;
    const mean = sum / vals.length;
    let sq = 0;
    for (const v of vals) sq += (v - mean) * (v - mean);
    b.mean[i] = mean;
    b.std[i] = vals.length > 1 ? Math.sqrt(sq / (vals.length - 1)) : 0;
  }
  return b;
}

function grow(b: SeedBand): SeedBand {
  const cap = b.steps.length * 2;
  const g = (a: Float64Array) => {
    const x = new Float64Array(cap);
    x.set(a);
    return x;
  };
  return { steps: g(b.steps), walls: g(b.walls), mean: g(b.mean), std: g(b.std), count: g(b.count), n: b.n };
}

/** mean - std and mean + std (the band's edges). */
export function bandEdges(b: SeedBand): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(b.n);
  const hi = new Float64Array(b.n);
  for (let i = 0; i < b.n; i++) {
    lo[i] = b.mean[i] - b.std[i];
    hi[i] = b.mean[i] + b.std[i];
  }
  return { lo, hi };
}

/** Label of a group's mean line: the members' full names (the first four), then how many seeds. */
export function groupLabel(names: readonly string[]): string {
  const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? ` +${names.length - 4} more` : '');
  return `${shown} (mean ± std of ${names.length} seeds)`;
}
