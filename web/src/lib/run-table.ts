// The sidebar's run table as pure functions: which rows pass the search (names and hyper-parameters),
// their order (name, start time, or a metric's last value), the hyper-parameter columns on offer, and the
// window of rows a virtualised list renders.
import type { RunInfo } from '../../../shared/types.ts';

export type RunSortBy = 'name' | 'start' | 'metric';
export interface RunSort {
  by: RunSortBy;
  /** Scalar tag whose last value sorts the rows when by = 'metric'. */
  tag: string;
  desc: boolean;
}
export const DEFAULT_RUN_SORT: RunSort = { by: 'name', tag: '', desc: false };

export interface RunRowInput {
  name: string;
  color: string;
  info: RunInfo;
}

export interface RunRow extends RunRowInput {
  /** Unix seconds, or null when unknown. */
  start: number | null;
  /** Last value of the sort metric (null: the run has no such tag, or not a finite value). */
  metric: number | null;
}

/** Hyper-parameter value as shown in a cell and matched by the search. */
export function formatHparam(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
}

/** Every hyper-parameter name any run has, sorted (the columns a user may show). */
export function hparamKeys(runs: readonly RunRowInput[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) if (r.info.hparams) for (const k of Object.keys(r.info.hparams)) keys.add(k);
  return [...keys].sort((a, b) => a.localeCompare(b));
}

function textMatcher(src: string): (s: string) => boolean {
  try {
    const re = new RegExp(src, 'i');
    return (s) => re.test(s);
  } catch {
    const low = src.toLowerCase();
    return (s) => s.toLowerCase().includes(low);
  }
}

/**
 * The run search: whitespace-separated terms, all of which must match. A term "key=value" (or
 * "key:value") matches a run whose hyper-parameter `key` is that value (case-insensitive; with regex
 * characters in the value, a regex on "key=value"). Any other term is a regex (a plain substring when
 * it is not a valid regex) tried on the run name and on every "key=value" of its hyper-parameters.
 */
export function runSearch(query: string): (r: RunRowInput) => boolean {
  const terms = query.trim().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return () => true;
  const tests = terms.map((term) => {
    let t = term;
    const kv = /^([^=:]+)[=:](.*)$/.exec(t);
    const meta = /[\\^$*+?()[\]{}|]/;
    if (kv && meta.test(kv[2]) && !meta.test(kv[1])) t = `${kv[1]}=${kv[2]}`; // a regex on "key=value"
    else if (kv && !meta.test(kv[1])) {
      const key = kv[1].toLowerCase();
      const want = kv[2].toLowerCase();
      return (r: RunRowInput) => {
        const hp = r.info.hparams;
        if (!hp) return false;
        for (const [k, v] of Object.entries(hp)) {
          if (k.toLowerCase() === key && formatHparam(v).toLowerCase() === want) return true;
        }
        return false;
      };
    }
    const m = textMatcher(t);
    return (r: RunRowInput) => {
      if (m(r.name)) return true;
      const hp = r.info.hparams;
      if (hp) for (const [k, v] of Object.entries(hp)) if (m(`${k}=${formatHparam(v)}`)) return true;
      return false;
    };
  });
  return (r) => tests.every((t) => t(r));
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Rows in the asked order; rows without the sort value (no start time, no metric) always go last. */
export function sortRuns(rows: RunRow[], sort: RunSort): RunRow[] {
  const dir = sort.desc ? -1 : 1;
  const byName = (a: RunRow, b: RunRow) => collator.compare(a.name, b.name);
  const key = (r: RunRow) => (sort.by === 'start' ? r.start : sort.by === 'metric' ? r.metric : null);
  return [...rows].sort((a, b) => {
    if (sort.by === 'name') return dir * byName(a, b);
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) return ka === kb ? byName(a, b) : ka === null ? 1 : -1;
    return ka === kb ? byName(a, b) : dir * (ka - kb);
  });
}

export interface RowWindow {
  start: number;
  end: number;
  /** Space above and below the rendered rows (px), so the scrollbar spans every row. */
  padTop: number;
  padBottom: number;
}

/** Rows [start, end) to render for a scroll position, with `overscan` extra rows on each side. */
export function visibleWindow(scrollTop: number, viewport: number, rowHeight: number, total: number, overscan = 8): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.max(0, Math.min(total - 1, first) - overscan);
  const end = Math.min(total, first + Math.ceil(Math.max(0, viewport) / rowHeight) + 1 + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (total - end) * rowHeight };
}
