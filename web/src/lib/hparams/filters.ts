// Which sessions the HPARAMS views show and in what order: ticked discrete values, min / max ranges,
// parallel-coordinates brushes, and the table's sort. Kept in the URL as one compact JSON value. Pure.
import type { Column, Session } from './sessions.ts';
import { valueLabel } from './sessions.ts';
import type { HpValue } from './types.ts';

export interface HpFilters {
  /** Discrete values unticked, by column key (values in their label form). */
  hide: Record<string, string[]>;
  /** Min / max by column key (null = open end). */
  range: Record<string, [number | null, number | null]>;
  /** Brushed interval on a parallel-coordinates axis, by column key: values, or category positions. */
  brush: Record<string, [number, number]>;
}
export interface HpSort {
  key: string;
  desc: boolean;
}

export const emptyFilters = (): HpFilters => ({ hide: {}, range: {}, brush: {} });

export function isEmptyFilters(f: HpFilters): boolean {
  return Object.keys(f.hide).length === 0 && Object.keys(f.range).length === 0 && Object.keys(f.brush).length === 0;
}

/** Position of a value on a categorical axis (its index in the column's values), or undefined. */
export function categoryIndex(col: Column, v: HpValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  const i = col.values.indexOf(valueLabel(v));
  return i < 0 ? undefined : i;
}

/** Whether a session passes every filter and brush. A missing value fails only a filter set on its column. */
export function passes(s: Session, cols: readonly Column[], f: HpFilters): boolean {
  for (const c of cols) {
    const v = s.values[c.key];
    const hidden = f.hide[c.key];
    if (hidden?.length && (v === undefined || hidden.includes(valueLabel(v)))) return false;
    const r = f.range[c.key];
    if (r && (r[0] !== null || r[1] !== null)) {
      if (typeof v !== 'number') return false;
      if ((r[0] !== null && v < r[0]) || (r[1] !== null && v > r[1])) return false;
    }
    const b = f.brush[c.key];
    if (b) {
      const x = c.numeric ? (typeof v === 'number' ? v : undefined) : categoryIndex(c, v);
      if (x === undefined || x < b[0] || x > b[1]) return false;
    }
  }
  return true;
}

export function filterSessions(sessions: readonly Session[], cols: readonly Column[], f: HpFilters): Session[] {
  return sessions.filter((s) => passes(s, cols, f));
}

function compareValues(a: HpValue, b: HpValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Sorted by a column (missing values last either way), ties and no sort by name. */
export function sortSessions(sessions: readonly Session[], sort: HpSort | null): Session[] {
  const byName = (a: Session, b: Session) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const out = [...sessions];
  if (!sort) return out.sort(byName);
  const dir = sort.desc ? -1 : 1;
  return out.sort((a, b) => {
    const va = a.values[sort.key];
    const vb = b.values[sort.key];
    if (va === undefined || vb === undefined) return va === vb ? byName(a, b) : va === undefined ? 1 : -1;
    return dir * compareValues(va, vb) || byName(a, b);
  });
}

/** Click on a header: sort by it ascending, then descending, then back to no sort. */
export function nextSort(cur: HpSort | null, key: string): HpSort | null {
  if (!cur || cur.key !== key) return { key, desc: false };
  return cur.desc ? null : { key, desc: true };
}

/** Ticks or unticks one discrete value. */
export function toggleValue(f: HpFilters, key: string, label: string): HpFilters {
  const cur = f.hide[key] ?? [];
  const next = cur.includes(label) ? cur.filter((x) => x !== label) : [...cur, label];
  const hide = { ...f.hide };
  if (next.length) hide[key] = next;
  else delete hide[key];
  return { ...f, hide };
}

/** Sets one end of a column's range (null or NaN = open). */
export function setRange(f: HpFilters, key: string, end: 0 | 1, v: number | null): HpFilters {
  const cur: [number | null, number | null] = [...(f.range[key] ?? [null, null])];
  cur[end] = v === null || !Number.isFinite(v) ? null : v;
  const range = { ...f.range };
  if (cur[0] === null && cur[1] === null) delete range[key];
  else range[key] = cur;
  return { ...f, range };
}

export function setBrush(f: HpFilters, key: string, b: [number, number] | null): HpFilters {
  const brush = { ...f.brush };
  if (b) brush[key] = [Math.min(b[0], b[1]), Math.max(b[0], b[1])];
  else delete brush[key];
  return { ...f, brush };
}

// ---- URL form ----

const MAX_ENTRIES = 200;
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isEnd = (x: unknown): x is number | null => x === null || isNum(x);

export function encodeFilters(f: HpFilters): string {
  return isEmptyFilters(f) ? '' : JSON.stringify(f);
}

/** Parses the URL form; anything malformed is dropped entry by entry (a hand-edited URL never breaks the tab). */
export function decodeFilters(s: string): HpFilters {
  const out = emptyFilters();
  if (!s) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(s);
  } catch {
    return out;
  }
  if (!raw || typeof raw !== 'object') return out;
  const r = raw as Record<string, unknown>;
  // Only column keys ("h:" / "m:"): a key such as "__proto__" would otherwise reach an object's prototype.
  const entries = (x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.entries(x).filter(([k]) => /^[hm]:/.test(k)).slice(0, MAX_ENTRIES) : []);
  for (const [k, v] of entries(r.hide)) if (Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length) out.hide[k] = v.slice(0, MAX_ENTRIES);
  for (const [k, v] of entries(r.range)) if (Array.isArray(v) && v.length === 2 && isEnd(v[0]) && isEnd(v[1]) && (v[0] !== null || v[1] !== null)) out.range[k] = [v[0], v[1]];
  for (const [k, v] of entries(r.brush)) if (Array.isArray(v) && v.length === 2 && isNum(v[0]) && isNum(v[1]) && v[0] <= v[1]) out.brush[k] = [v[0], v[1]];
  return out;
}

/** "asc:key" / "desc:key" (the key last: it contains ":"). */
export function encodeSort(s: HpSort | null): string {
  return s ? `${s.desc ? 'desc' : 'asc'}:${s.key}` : '';
}
export function decodeSort(s: string): HpSort | null {
  const m = /^(asc|desc):(.+)$/s.exec(s);
  return m ? { key: m[2], desc: m[1] === 'desc' } : null;
}
