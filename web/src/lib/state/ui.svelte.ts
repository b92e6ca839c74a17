// View settings (tab, selection, smoothing, filters, axes), read from the URL on load and written back
// with history.replaceState so a view can be shared or reloaded.
import type { HistogramMode } from '../histogram-view.ts';
import { DEFAULT_RUN_SORT, type RunSort } from '../run-table.ts';
import { cloneHparamsView, defaultHparamsView, type HparamsView } from '../hparams/url.ts';
import { DEFAULT_VIEW, MAX_SMOOTHING, parseView, writeView, type TabName, type ViewSettings, type XAxis } from '../url-state.ts';

/** Addresses longer than this are written after LONG_URL_DELAY_MS without a further change (syncUrl). */
export const LONG_URL = 4096;
export const LONG_URL_DELAY_MS = 300;

export class UiState {
  tab = $state<TabName>(DEFAULT_VIEW.tab);
  /** null = every run, including ones that appear later. */
  selected = $state.raw<string[] | null>(null); // replaced, never mutated: no deep proxy over 1,000 names
  smoothing = $state(DEFAULT_VIEW.smoothing);
  tagFilter = $state('');
  runFilter = $state('');
  xAxis = $state<XAxis>('step');
  logY = $state(false);
  ignoreOutliers = $state(DEFAULT_VIEW.ignoreOutliers);
  pinned = $state<string[]>([]);
  /** Collapsed scalar-card groups (not in the URL). */
  collapsed = $state<string[]>([]);
  trainOpen = $state(false);
  seedBands = $state(false);
  /** Zoom of scalar charts by tag, valid for the x axis it was made on (zoomAxis). */
  private zoomMap = $state<Record<string, [number, number]>>({});
  private zoomAxis = $state<XAxis>('step');
  runSort = $state<RunSort>({ ...DEFAULT_RUN_SORT });
  adaptiveSmoothing = $state(DEFAULT_VIEW.adaptiveSmoothing);
  graphRun = $state<string | null>(null);
  histMode = $state<HistogramMode>('offset');
  imageStep = $state<number | null>(null);
  pluginSteps = $state<Record<string, number>>({});
  textRaw = $state(false);
  audioSamples = $state<Record<string, number>>({});
  csToggled = $state<string[]>([]);
  hparams = $state<HparamsView>(defaultHparamsView());
  /** Hyper-parameter columns shown in the run table. */
  runColumns = $state<string[]>([]);
  /** Narrow windows hide the sidebar until asked; wide mode gives the run table room for columns. */
  sidebarOpen = $state(false);
  sidebarWide = $state(false);
  /** Selection as a Set: looked up per row and per chart, so it must not be a linear search. */
  private selectedSet = $derived(this.selected === null ? null : new Set(this.selected));

  constructor(search = typeof location === 'undefined' ? '' : location.search) {
    this.apply(parseView(new URLSearchParams(search)));
  }

  apply(v: ViewSettings): void {
    this.tab = v.tab;
    this.selected = v.runs;
    this.smoothing = v.smoothing;
    this.tagFilter = v.tagFilter;
    this.runFilter = v.runFilter;
    this.xAxis = v.xAxis;
    this.logY = v.logY;
    this.ignoreOutliers = v.ignoreOutliers;
    this.pinned = v.pinned;
    this.seedBands = v.seedBands;
    this.zoomMap = v.zoom;
    this.zoomAxis = v.xAxis;
    this.runSort = { ...v.runSort };
    this.adaptiveSmoothing = v.adaptiveSmoothing;
    this.runColumns = [...v.runColumns];
    this.graphRun = v.graphRun;
    this.histMode = v.histMode;
    this.imageStep = v.imageStep;
    this.pluginSteps = { ...v.pluginSteps };
    this.textRaw = v.textRaw;
    this.audioSamples = { ...v.audioSamples };
    this.csToggled = [...v.csToggled];
    this.hparams = cloneHparamsView(v.hparams);
  }

  /** Zoomed x range of a scalar chart; none once the x axis changed since it was set. */
  zoomOf(tag: string): [number, number] | null {
    return this.zoomAxis === this.xAxis ? (this.zoomMap[tag] ?? null) : null;
  }

  setZoom(tag: string, range: [number, number] | null): void {
    const cur = this.zoomAxis === this.xAxis ? this.zoomMap : {};
    const prev = cur[tag];
    if (range && prev && prev[0] === range[0] && prev[1] === range[1]) return;
    if (!range && !prev && cur === this.zoomMap) return;
    const next = { ...cur };
    delete next[tag];
    if (range) next[tag] = range;
    this.zoomMap = next;
    this.zoomAxis = this.xAxis;
  }

  get view(): ViewSettings {
    return {
      tab: this.tab,
      runs: this.selected === null ? null : [...this.selected],
      smoothing: Math.min(Math.max(this.smoothing, 0), MAX_SMOOTHING),
      tagFilter: this.tagFilter,
      runFilter: this.runFilter,
      xAxis: this.xAxis,
      logY: this.logY,
      ignoreOutliers: this.ignoreOutliers,
      pinned: [...this.pinned],
      seedBands: this.seedBands,
      zoom: this.zoomAxis === this.xAxis ? { ...this.zoomMap } : {},
      runSort: { ...this.runSort },
      adaptiveSmoothing: this.adaptiveSmoothing,
      runColumns: [...this.runColumns],
      graphRun: this.graphRun,
      histMode: this.histMode,
      imageStep: this.imageStep,
      pluginSteps: { ...this.pluginSteps },
      textRaw: this.textRaw,
      audioSamples: { ...this.audioSamples },
      csToggled: [...this.csToggled],
      hparams: cloneHparamsView(this.hparams),
    };
  }

  /** Writes the view into the address bar (no history entry). */
  syncUrl(): void {
    if (typeof history === 'undefined') return;
    const params = writeView(this.view, new URLSearchParams(location.search));
    const q = params.toString();
    const url = `${location.pathname}${q ? `?${q}` : ''}${location.hash}`;
    if (this.urlTimer !== null) clearTimeout(this.urlTimer);
    this.urlTimer = null;
    if (url === `${location.pathname}${location.search}${location.hash}`) return;
    // A long address (a selection of hundreds of runs, ~20 KB) costs replaceState 5-20 ms: written once the
    // clicks pause, off the frame that shows the change; a short one is written at once.
    if (url.length <= LONG_URL) history.replaceState(history.state, '', url);
    else this.urlTimer = setTimeout(() => {
      this.urlTimer = null;
      history.replaceState(history.state, '', url);
    }, LONG_URL_DELAY_MS);
  }
  private urlTimer: ReturnType<typeof setTimeout> | null = null;

  isSelected(run: string): boolean {
    return this.selectedSet === null || this.selectedSet.has(run);
  }

  /** Toggles one run; `all` = every known run (to materialize an implicit "all" selection). */
  toggleRun(run: string, all: readonly string[]): void {
    const cur = this.selected ?? [...all];
    this.selected = this.isSelected(run) ? cur.filter((r) => r !== run) : [...cur, run];
  }

  setRuns(runs: readonly string[], on: boolean, all: readonly string[]): void {
    const cur = new Set(this.selected ?? all);
    for (const r of runs) (on ? cur.add(r) : cur.delete(r));
    this.selected = all.every((r) => cur.has(r)) ? null : all.filter((r) => cur.has(r));
  }

  /** Newly started runs are shown even when the selection is explicit. */
  addRuns(runs: readonly string[]): void {
    if (this.selected !== null) this.selected = [...new Set([...this.selected, ...runs])];
  }

  togglePin(tag: string): void {
    this.pinned = this.pinned.includes(tag) ? this.pinned.filter((t) => t !== tag) : [...this.pinned, tag];
  }

  /** Step picked on a TEXT / PR CURVES / AUDIO card (null = follow the latest). */
  setPluginStep(key: string, step: number | null): void {
    const next = { ...this.pluginSteps };
    delete next[key];
    if (step !== null) next[key] = step;
    this.pluginSteps = next;
  }

  setAudioSample(key: string, sample: number): void {
    const next = { ...this.audioSamples };
    delete next[key];
    if (sample > 0) next[key] = sample;
    this.audioSamples = next;
  }

  toggleCustomCategory(title: string): void {
    this.csToggled = this.csToggled.includes(title) ? this.csToggled.filter((t) => t !== title) : [...this.csToggled, title];
  }

  toggleGroup(group: string): void {
    this.collapsed = this.collapsed.includes(group) ? this.collapsed.filter((g) => g !== group) : [...this.collapsed, group];
  }
}
