// The HPARAMS tab's part of the URL: view mode, sort, filters and brushes, colour metric, hidden columns
// and selected sessions. Pure; url-state.ts calls these from parseView / writeView.
import { decodeFilters, decodeSort, emptyFilters, encodeFilters, encodeSort, type HpFilters, type HpSort } from './filters.ts';

export const HP_MODES = ['table', 'parallel', 'scatter'] as const;
export type HpMode = (typeof HP_MODES)[number];

export interface HparamsView {
  mode: HpMode;
  sort: HpSort | null;
  filters: HpFilters;
  /** Metric column colouring the parallel coordinates (null = the first metric). */
  color: string | null;
  /** Column keys hidden in every view, and hyper-parameters shown though every session has the same value. */
  hidden: string[];
  shown: string[];
  /** Sessions whose curves are shown. */
  selected: string[];
}

export const defaultHparamsView = (): HparamsView => ({ mode: 'table', sort: null, filters: emptyFilters(), color: null, hidden: [], shown: [], selected: [] });

/** Bounds a hand-edited URL: lists past this are cut. */
const MAX_LIST = 500;

function list(s: string | null): string[] {
  if (!s) return [];
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_LIST) : [];
  } catch {
    return [];
  }
}

export function parseHparamsView(p: URLSearchParams): HparamsView {
  const v = defaultHparamsView();
  const mode = p.get('hpMode');
  if (mode && (HP_MODES as readonly string[]).includes(mode)) v.mode = mode as HpMode;
  v.sort = decodeSort(p.get('hpSort') ?? '');
  v.filters = decodeFilters(p.get('hpFilter') ?? '');
  v.color = p.get('hpColor') || null;
  v.hidden = list(p.get('hpHide'));
  v.shown = list(p.get('hpShow'));
  v.selected = list(p.get('hpSel'));
  return v;
}

export function writeHparamsView(v: HparamsView, p: URLSearchParams): void {
  const set = (k: string, val: string) => (val ? p.set(k, val) : p.delete(k));
  set('hpMode', v.mode === 'table' ? '' : v.mode);
  set('hpSort', encodeSort(v.sort));
  set('hpFilter', encodeFilters(v.filters));
  set('hpColor', v.color ?? '');
  set('hpHide', v.hidden.length ? JSON.stringify(v.hidden) : '');
  set('hpShow', v.shown.length ? JSON.stringify(v.shown) : '');
  set('hpSel', v.selected.length ? JSON.stringify(v.selected) : '');
}

export function cloneHparamsView(v: HparamsView): HparamsView {
  // By hand, not structuredClone: v may be a Svelte state proxy, which structuredClone refuses.
  const f = v.filters;
  const filters = {
    hide: Object.fromEntries(Object.entries(f.hide).map(([k, x]) => [k, [...x]])),
    range: Object.fromEntries(Object.entries(f.range).map(([k, x]) => [k, [x[0], x[1]] as [number | null, number | null]])),
    brush: Object.fromEntries(Object.entries(f.brush).map(([k, x]) => [k, [x[0], x[1]] as [number, number]])),
  };
  return { mode: v.mode, sort: v.sort && { ...v.sort }, filters, color: v.color, hidden: [...v.hidden], shown: [...v.shown], selected: [...v.selected] };
}
