// The dashboard view as URL query parameters (so a view can be shared or reloaded). Pure: parse from and
// write into URLSearchParams; defaults are left out of the URL. Unknown params (e.g. ?token=) are kept.
import { DEFAULT_RUN_SORT, type RunSort } from './run-table.ts';
import { defaultHparamsView, parseHparamsView, writeHparamsView, type HparamsView } from './hparams/url.ts';

export const TABS = ['scalars', 'graphs', 'distributions', 'histograms', 'images', 'compare'] as const;
/** Tabs shown only while a selected run has their kind of data (tab-visibility.ts). */
export const PLUGIN_TABS = ['custom_scalars', 'audio', 'text', 'pr_curves', 'hparams', 'projector'] as const;
export type TabName = (typeof TABS)[number] | (typeof PLUGIN_TABS)[number];
export const ALL_TABS: readonly TabName[] = [...TABS, ...PLUGIN_TABS];
export type XAxis = 'step' | 'relative' | 'wall';

export interface ViewSettings {
  tab: TabName;
  /** null = every run (including ones that appear later). */
  runs: string[] | null;
  smoothing: number;
  tagFilter: string;
  runFilter: string;
  xAxis: XAxis;
  logY: boolean;
  ignoreOutliers: boolean;
  pinned: string[];
  /** SCALARS: runs differing only by seed drawn as one mean line over a mean ± std band. */
  seedBands: boolean;
  /** Zoomed x range of scalar charts, by tag (in the units of xAxis; cleared when it changes). */
  zoom: Record<string, [number, number]>;
  /** Dense series smoothed enough to read (scalar-lines.ts adaptiveSmoothing). */
  adaptiveSmoothing: boolean;
  /** Run table: sort and hyper-parameter columns. */
  runSort: RunSort;
  runColumns: string[];
  /** GRAPHS: the run picked (null = first with a graph). */
  graphRun: string | null;
  /** HISTOGRAMS: offset or overlay. */
  histMode: 'offset' | 'overlay';
  /** IMAGES: the step last picked on a slider (null = latest). */
  imageStep: number | null;
  /** TEXT / PR CURVES / AUDIO: step picked per card key (run + tag; absent = latest). */
  pluginSteps: Record<string, number>;
  /** TEXT: raw text instead of rendered markdown. */
  textRaw: boolean;
  /** AUDIO: sample shown per card key (absent = 0). */
  audioSamples: Record<string, number>;
  /** CUSTOM SCALARS: categories whose open state differs from the layout's (toggled by the user). */
  csToggled: string[];
  /** HPARAMS: view mode, sort, filters, brushes, colour, hidden columns, selection. */
  hparams: HparamsView;
}

export const DEFAULT_VIEW: ViewSettings = {
  tab: 'scalars',
  runs: null,
  smoothing: 0.6,
  tagFilter: '',
  runFilter: '',
  xAxis: 'step',
  logY: false,
  ignoreOutliers: true,
  pinned: [],
  seedBands: false,
  zoom: {},
  adaptiveSmoothing: true,
  runSort: DEFAULT_RUN_SORT,
  runColumns: [],
  graphRun: null,
  histMode: 'offset',
  imageStep: null,
  pluginSteps: {},
  textRaw: false,
  audioSamples: {},
  csToggled: [],
  hparams: defaultHparamsView(),
};

export const MAX_SMOOTHING = 0.999;

// Run and tag names may contain commas; a list is joined with "|" after escaping backslashes and bars.
function encodeList(xs: string[]): string {
  return xs.map((x) => x.replace(/\\/g, '\\\\').replace(/\|/g, '\\|')).join('|');
}
function decodeList(s: string): string[] {
  if (s === '') return [];
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) cur += s[++i];
    else if (c === '|') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function parseView(params: URLSearchParams): ViewSettings {
  const v: ViewSettings = { ...DEFAULT_VIEW, pinned: [], runSort: { ...DEFAULT_RUN_SORT }, runColumns: [] };
  const tab = params.get('tab');
  if (tab && (ALL_TABS as readonly string[]).includes(tab)) v.tab = tab as TabName;
  const runs = params.get('runs');
  if (runs !== null) v.runs = decodeList(runs);
  const sm = Number(params.get('smoothing'));
  if (params.has('smoothing') && Number.isFinite(sm)) v.smoothing = Math.min(Math.max(sm, 0), MAX_SMOOTHING);
  v.tagFilter = params.get('tags') ?? '';
  v.runFilter = params.get('runFilter') ?? '';
  const x = params.get('x');
  if (x === 'step' || x === 'relative' || x === 'wall') v.xAxis = x;
  if (params.has('log')) v.logY = params.get('log') === '1';
  if (params.has('outliers')) v.ignoreOutliers = params.get('outliers') !== '0';
  const pinned = params.get('pinned');
  if (pinned) v.pinned = decodeList(pinned);
  v.seedBands = params.get('seeds') === '1';
  v.zoom = decodeZoom(params.get('zoom') ?? '');
  if (params.get('adapt') === '0') v.adaptiveSmoothing = false;
  // sort=metric:desc:train/loss (the tag last: it may contain ":")
  const sort = /^(name|start|metric):(asc|desc)(?::(.*))?$/s.exec(params.get('sort') ?? '');
  if (sort) v.runSort = { by: sort[1] as RunSort['by'], desc: sort[2] === 'desc', tag: sort[3] ?? '' };
  const cols = params.get('cols');
  if (cols) v.runColumns = decodeList(cols);
  v.graphRun = params.get('graph');
  if (params.get('hmode') === 'overlay') v.histMode = 'overlay';
  const img = Number(params.get('imgStep'));
  if (params.has('imgStep') && Number.isSafeInteger(img)) v.imageStep = img;
  v.pluginSteps = decodeIntMap(params.get('psteps') ?? '');
  v.textRaw = params.get('raw') === '1';
  v.audioSamples = decodeIntMap(params.get('asample') ?? '');
  const cs = params.get('cs');
  v.csToggled = cs ? decodeList(cs) : [];
  v.hparams = parseHparamsView(params);
  return v;
}

/** Writes v into params (removing defaults), keeping unrelated params. */
export function writeView(v: ViewSettings, params: URLSearchParams): URLSearchParams {
  const set = (k: string, val: string | null) => (val === null ? params.delete(k) : params.set(k, val));
  set('tab', v.tab === DEFAULT_VIEW.tab ? null : v.tab);
  set('runs', v.runs === null ? null : encodeList(v.runs));
  set('smoothing', v.smoothing === DEFAULT_VIEW.smoothing ? null : String(v.smoothing));
  set('tags', v.tagFilter || null);
  set('runFilter', v.runFilter || null);
  set('x', v.xAxis === DEFAULT_VIEW.xAxis ? null : v.xAxis);
  set('log', v.logY ? '1' : null);
  set('outliers', v.ignoreOutliers === DEFAULT_VIEW.ignoreOutliers ? null : v.ignoreOutliers ? '1' : '0');
  set('pinned', v.pinned.length ? encodeList(v.pinned) : null);
  set('seeds', v.seedBands ? '1' : null);
  set('zoom', encodeZoom(v.zoom) || null);
  set('adapt', v.adaptiveSmoothing ? null : '0');
  const s = v.runSort;
  const defaultSort = s.by === DEFAULT_RUN_SORT.by && s.desc === DEFAULT_RUN_SORT.desc && s.tag === DEFAULT_RUN_SORT.tag;
  set('sort', defaultSort ? null : `${s.by}:${s.desc ? 'desc' : 'asc'}${s.tag ? `:${s.tag}` : ''}`);
  set('cols', v.runColumns.length ? encodeList(v.runColumns) : null);
  set('graph', v.graphRun);
  set('hmode', v.histMode === DEFAULT_VIEW.histMode ? null : v.histMode);
  set('imgStep', v.imageStep === null ? null : String(v.imageStep));
  set('psteps', encodeIntMap(v.pluginSteps) || null);
  set('raw', v.textRaw ? '1' : null);
  set('asample', encodeIntMap(v.audioSamples) || null);
  set('cs', v.csToggled.length ? encodeList(v.csToggled) : null);
  writeHparamsView(v.hparams, params);
  return params;
}

/** Entries of a per-card map kept in the URL (beyond it, the oldest are dropped). */
export const MAX_CARD_ENTRIES = 64;

/** {key: integer} as "key@n" entries joined like other lists (keys may hold any character). */
export function encodeIntMap(m: Record<string, number>): string {
  return encodeList(Object.entries(m).slice(-MAX_CARD_ENTRIES).map(([k, n]) => `${k}@${n}`));
}

export function decodeIntMap(s: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of decodeList(s).slice(-MAX_CARD_ENTRIES)) {
    const at = e.lastIndexOf('@');
    const n = Number(e.slice(at + 1));
    if (at > 0 && e.slice(at + 1).trim() !== '' && Number.isSafeInteger(n)) out[e.slice(0, at)] = n;
  }
  return out;
}

/** Zoomed charts kept in the URL (beyond it, the ones zoomed longest ago are dropped). */
export const MAX_ZOOMS = 32;

/** v rounded to ~4 significant digits of the zoom span: short in the URL, off by < 1/10000 of the range. */
export function roundForUrl(v: number, span: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return v;
  const q = Math.pow(10, Math.floor(Math.log10(span)) - 4);
  return Number((Math.round(v / q) * q).toPrecision(15));
}

/** "tag@lo~hi" entries joined like other lists. */
export function encodeZoom(zoom: Record<string, [number, number]>): string {
  const entries = Object.entries(zoom).slice(-MAX_ZOOMS);
  return encodeList(entries.map(([tag, [lo, hi]]) => `${tag}@${roundForUrl(lo, hi - lo)}~${roundForUrl(hi, hi - lo)}`));
}

export function decodeZoom(s: string): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const e of decodeList(s).slice(0, MAX_ZOOMS)) {
    const at = e.lastIndexOf('@');
    const parts = e.slice(at + 1).split('~');
    if (at <= 0 || parts.length !== 2 || parts.some((p) => p.trim() === '')) continue;
    const [lo, hi] = parts.map(Number);
    if (Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) out[e.slice(0, at)] = [lo, hi];
  }
  return out;
}

/** Compiles a user regex; an invalid one matches as a plain substring (case-insensitive) so typing never breaks the view. */
export function compileFilter(src: string): (s: string) => boolean {
  if (!src) return () => true;
  try {
    const re = new RegExp(src, 'i');
    return (s) => re.test(s);
  } catch {
    const low = src.toLowerCase();
    return (s) => s.toLowerCase().includes(low);
  }
}

/** Scalar-card group of a tag: the part before the first "/" (TensorBoard's default grouping). */
export { tagGroup } from '../../../shared/tag-order.ts';
