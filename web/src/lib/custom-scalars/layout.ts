// CUSTOM SCALARS tab: the layout logs declare (TensorBoard's /data/plugin/custom_scalars/layout, merged
// over runs) and the lines of each chart, drawn from the scalar series the socket already streams (so
// charts are live and follow a replay). Multiline charts combine every tag whose start matches one of the
// chart's regexes; margin charts draw a value line over a shaded band between a lower and an upper tag.
// Regexes come from logs, so they run on RE2JS (linear time, as the server's tag filter), never on the
// backtracking RegExp; RE2JS is loaded on first use of the tab (loadRegexEngine), not with the page.
import type { RE2JS } from 're2js';
import { withAlpha } from '../colors.ts';
import type { LineSpec } from '../charts/line-data.ts';
import { isObject } from '../plugin/plugin-steps.ts';

export const CS_LAYOUT_URL = '/data/plugin/custom_scalars/layout';

export type ChartSpec =
  | { title: string; kind: 'multiline'; patterns: string[] }
  | { title: string; kind: 'margin'; series: { value: string; lower: string; upper: string }[] };

export interface Category {
  title: string;
  closed: boolean;
  charts: ChartSpec[];
}

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The layout route's answer ({} when no run declares one); malformed parts are skipped. */
export function parseLayout(raw: unknown): Category[] {
  if (!isObject(raw) || !Array.isArray(raw.category)) return [];
  return raw.category.filter(isObject).map((c) => ({
    title: str(c.title),
    closed: c.closed === true,
    charts: (Array.isArray(c.chart) ? c.chart : []).filter(isObject).flatMap((ch): ChartSpec[] => {
      if (isObject(ch.multiline)) return [{ title: str(ch.title), kind: 'multiline', patterns: strs(ch.multiline.tag) }];
      if (isObject(ch.margin) && Array.isArray(ch.margin.series)) {
        const series = ch.margin.series.filter(isObject).map((s) => ({ value: str(s.value), lower: str(s.lower), upper: str(s.upper) }));
        return [{ title: str(ch.title), kind: 'margin', series }];
      }
      return [];
    }),
  }));
}

/** Whether a category is open: the layout's state, flipped when the user toggled it (kept in the URL). */
export function categoryOpen(c: Category, toggled: readonly string[]): boolean {
  return c.closed === toggled.includes(c.title);
}

const compiled = new Map<string, ((tag: string) => boolean) | Error>();
let engine: typeof RE2JS | null = null;
let loading: Promise<void> | null = null;

/** Loads RE2JS (a separate chunk); tagMatcher works once this resolved. */
export function loadRegexEngine(): Promise<void> {
  loading ??= import('re2js').then((m) => {
    engine = m.RE2JS;
  });
  return loading;
}

/** TensorBoard's re.match: the regex matches at the tag's start. Invalid or unsupported syntax -> Error. */
export function tagMatcher(pattern: string): ((tag: string) => boolean) | Error {
  if (!engine) return new Error('regex engine not loaded yet (loadRegexEngine)');
  let m = compiled.get(pattern);
  if (!m) {
    try {
      const re = engine.compile(pattern);
      m = (tag: string) => re.matcher(tag).lookingAt();
    } catch (e) {
      m = new Error(`/${pattern}/: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(pattern, m);
  }
  return m;
}

/** What a chart needs of a scalar series (state/scalar-series.ts's ScalarSeries fits). */
export interface SeriesLike {
  steps: Float64Array;
  values: Float64Array;
  walls: Float64Array;
  n: number;
  version: number;
}

export interface ChartRun {
  name: string;
  color: string;
  /** The run's scalar series by tag. */
  series: ReadonlyMap<string, SeriesLike>;
}

export interface ChartLines {
  lines: LineSpec[];
  /** Regexes that could not be compiled (shown on the card). */
  errors: string[];
}

function line(id: string, label: string, color: string, s: SeriesLike, extra: Partial<LineSpec> = {}): LineSpec {
  return { id, label, color, xs: s.steps, ys: s.values, n: s.n, key: `${s.version}|${s.n}`, steps: s.steps, walls: s.walls, ...extra };
}

/** The lines of one chart over the runs (x = step). */
export function chartLines(spec: ChartSpec, runs: readonly ChartRun[], colorOf: (key: string) => string): ChartLines {
  const errors: string[] = [];
  if (spec.kind === 'multiline') {
    const matchers = spec.patterns.flatMap((p) => {
      const m = tagMatcher(p);
      if (m instanceof Error) errors.push(m.message);
      return m instanceof Error ? [] : [m];
    });
    const lines: LineSpec[] = [];
    for (const r of runs) {
      const tags = [...r.series.keys()].filter((t) => matchers.some((m) => m(t))).sort();
      for (const t of tags) {
        const s = r.series.get(t)!;
        // One tag per run: the run's color; several: one color per (run, tag) so they can be told apart.
        if (s.n > 0) lines.push(line(`${r.name}\u0000${t}`, `${t} · ${r.name}`, tags.length > 1 ? colorOf(`${r.name}/${t}`) : r.color, s));
      }
    }
    return { lines, errors };
  }
  const band: LineSpec[] = [];
  const values: LineSpec[] = [];
  for (const r of runs) {
    for (const { value, lower, upper } of spec.series) {
      const v = r.series.get(value);
      const lo = r.series.get(lower);
      const hi = r.series.get(upper);
      if (!v || v.n === 0) continue;
      const id = `${r.name}\u0000${value}`;
      if (lo && hi && lo.n > 0 && hi.n > 0) {
        // lower, then upper filled down to it ('-1' = the dataset before): the shaded band under the value line.
        band.push(line(`${id}#lo`, `${lower} · ${r.name}`, withAlpha(r.color, 0.35), lo, { faint: true }));
        band.push(line(`${id}#hi`, `${upper} · ${r.name}`, withAlpha(r.color, 0.35), hi, { faint: true, fill: '-1', fillColor: withAlpha(r.color, 0.2) }));
      }
      values.push(line(id, `${value} · ${r.name}`, r.color, v));
    }
  }
  return { lines: band.concat(values), errors };
}
