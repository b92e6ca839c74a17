// The lines of one SCALARS card: per run a smoothed line over a faint raw one; with seed bands on, runs
// whose hparams differ only by seed become one mean line over a mean ± std band (seed-bands.ts).
import { smooth } from '../../../../shared/smoothing.ts';
import { withAlpha } from '../colors.ts';
import type { ScalarSeries } from '../state/scalar-series.ts';
import type { XAxis } from '../url-state.ts';
import type { LineSpec } from './line-data.ts';
import { bandEdges, groupLabel, seedBand, seedGroups } from './seed-bands.ts';
import { xValues } from './x-axis.ts';

export interface CardRun {
  name: string;
  color: string;
  hparams?: Record<string, string | number | boolean>;
  series: ScalarSeries;
}

export interface CardOptions {
  tag: string;
  smoothing: number;
  axis: XAxis;
  seedBands: boolean;
  /** Beyond this many overlaid runs the faint raw lines are left out (a grey wash as costly as the lines). */
  rawMaxRuns?: number;
  /** Dense series (per-iteration losses) get at least adaptiveSmoothing(n): a readable curve, not a band. */
  adaptive?: boolean;
  /**
   * Runs the card will overlay once every backlog is in (the selected runs): while they load, the card is
   * drawn as it will be (no raw lines past rawMaxRuns), not with raw lines it drops a moment later.
   */
  expectRuns?: number;
}

/**
 * How many lines a card will draw once every selected run's backlog is in: its lines now, scaled by the
 * runs still to come. A chart still loading is drawn as it will be (lines in bulk, columns per line, see
 * line-datasets.ts): its first draw, of the first runs only, made a Chart.js element per point (~4,000,
 * ~90 ms with cold code), and every arrival of runs changed the columns per line and so every line.
 */
export function expectedLines(lines: number, runsWithData: number, runsSelected: number): number {
  if (runsWithData === 0 || runsSelected <= runsWithData) return lines;
  return Math.ceil((lines * runsSelected) / runsWithData);
}

/**
 * Smoothing for a series of n points: at least the user's weight, and for dense series enough that the
 * EMA spans about 1% of the points (10,000 per-batch losses -> 0.99), so the first view is a readable
 * curve. Off (0) stays off: the user asked for raw values.
 */
export function adaptiveSmoothing(weight: number, n: number): number {
  if (weight <= 0) return 0;
  return Math.min(0.995, Math.max(weight, 1 - 100 / Math.max(n, 1)));
}

/** x values for the axis from steps and wall times (relative = hours since the first point). */
export function axisXs(steps: Float64Array, walls: Float64Array, n: number, axis: XAxis): Float64Array {
  if (axis === 'step') return steps;
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = axis === 'wall' ? walls[i] : (walls[i] - walls[0]) / 3600;
  return xs;
}

// Group lines cost a merge over every member's points: cached by members' series versions (bounded).
const GROUP_CACHE_MAX = 256;
const groupCache = new Map<string, LineSpec[]>();

function groupLines(members: CardRun[], o: CardOptions): LineSpec[] {
  const w = o.smoothing;
  const key = `${o.tag}|${o.axis}|${w}|${members.map((m) => `${m.name}:${m.series.version}:${m.series.n}`).join('|')}`;
  const hit = groupCache.get(key);
  if (hit) return hit;
  const b = seedBand(members.map((m) => m.series));
  const steps = b.steps.subarray(0, b.n);
  const walls = b.walls.subarray(0, b.n);
  const mean = b.mean.subarray(0, b.n);
  const xs = axisXs(steps, walls, b.n, o.axis);
  const { lo, hi } = bandEdges(b);
  const color = members[0].color;
  const id = `seeds:${members.map((m) => m.name).join('|')}`;
  const base = { xs, n: b.n, key, steps, walls };
  const lines: LineSpec[] = [
    { ...base, id: `${id}#lo`, label: `${id} lo`, color: withAlpha(color, 0.25), ys: w > 0 ? smooth(lo, w) : lo, faint: true },
    { ...base, id: `${id}#hi`, label: `${id} hi`, color: withAlpha(color, 0.25), ys: w > 0 ? smooth(hi, w) : hi, faint: true, fill: '-1', fillColor: withAlpha(color, 0.18) },
    { ...base, id, label: groupLabel(members.map((m) => m.name)), color, ys: w > 0 ? smooth(mean, w) : mean, raw: mean, spread: b.std.subarray(0, b.n) },
  ];
  groupCache.set(key, lines);
  if (groupCache.size > GROUP_CACHE_MAX) groupCache.delete(groupCache.keys().next().value!);
  return lines;
}

// A run's lines are rebuilt only when its series or their look changed: with 1,000 runs on a card,
// showing or hiding one keeps the other 999 line objects (and every cost keyed on them downstream).
const runCache = new WeakMap<ScalarSeries, { sig: string; faint?: LineSpec; main: LineSpec }>();

function runLines(r: CardRun, axis: XAxis, w: number, withRaw: boolean, rawAlpha: number): { faint?: LineSpec; main: LineSpec } {
  const s = r.series;
  const sig = `${s.version}|${s.n}|${axis}|${w}|${withRaw}|${rawAlpha}|${r.name}|${r.color}`;
  const hit = runCache.get(s);
  // The smoothed buffer is shared by every caller of the series: brought to this weight (a no-op when it is).
  if (hit && hit.sig === sig && (w <= 0 || s.smoothedValues(w) === hit.main.ys)) return hit;
  const common = { xs: xValues(s, axis), n: s.n, steps: s.steps, walls: s.walls };
  let made: { sig: string; faint?: LineSpec; main: LineSpec };
  if (w > 0) {
    made = {
      sig,
      faint: withRaw ? { ...common, id: `${r.name}#raw`, label: r.name, color: withAlpha(r.color, rawAlpha), ys: s.values, key: `${s.version}|${axis}|${rawAlpha}`, faint: true } : undefined,
      main: { ...common, id: r.name, label: r.name, color: r.color, ys: s.smoothedValues(w), key: `${s.version}|${axis}|${w}`, raw: s.values },
    };
  } else {
    made = { sig, main: { ...common, id: r.name, label: r.name, color: r.color, ys: s.values, key: `${s.version}|${axis}|0` } };
  }
  runCache.set(s, made);
  return made;
}

/**
 * Faint lines (raw values, band edges) first so they are drawn under the others; band edges stay
 * adjacent. Then the smoothed lines, newest run first (drawn under the older ones).
 */
export function scalarLines(runs: readonly CardRun[], o: CardOptions): LineSpec[] {
  const withData = runs.filter((r) => r.series.n > 0);
  const groups = o.seedBands ? seedGroups(withData) : withData.map((r) => [r.name]);
  const byName = new Map(withData.map((r) => [r.name, r]));
  const faint: LineSpec[] = [];
  const main: LineSpec[] = [];
  const started: number[] = [];
  const drawRaw = Math.max(withData.length, o.expectRuns ?? 0) <= (o.rawMaxRuns ?? 12);
  for (const g of groups) {
    if (g.length > 1) {
      const [lo, hi, mean] = groupLines(g.map((n) => byName.get(n)!), o);
      faint.push(lo, hi);
      main.push(mean);
      started.push(mean.walls?.[0] ?? 0);
      continue;
    }
    const r = byName.get(g[0])!;
    const s = r.series;
    const w = o.adaptive ? adaptiveSmoothing(o.smoothing, s.n) : o.smoothing;
    // A dense raw line is a solid wash even when faint (and its out-of-range spikes streak the chart): fainter
    // without adaptive smoothing, left out with it (the tooltip still gives raw values).
    const dense = s.n > 2000;
    const rawAlpha = dense ? 0.12 : 0.22;
    const withRaw = w > 0 && drawRaw && !(dense && o.adaptive);
    started.push(s.walls[0]);
    const made = runLines(r, o.axis, w, withRaw, rawAlpha);
    if (made.faint) faint.push(made.faint);
    main.push(made.main);
  }
  // Newest runs first, so they are drawn under the older ones and never hide them.
  const order = main.map((_, i) => i).sort((a, b) => started[b] - started[a]);
  return faint.concat(order.map((i) => main[i]));
}

/** Legend entries of a card (the lines that are not faint). */
export function legendItems(lines: readonly LineSpec[]): { label: string; color: string }[] {
  return lines.filter((l) => !l.faint).map((l) => ({ label: l.label, color: l.color }));
}
