// In-memory store of every run's series, bounded by reservoir sampling per (run, tag). Pure and
// synchronous: ingest() returns exactly what changed as SeriesDelta[], deltasAfter() serves zero-gap resume.
import type { SeriesDelta } from '../../shared/protocol.ts';
import type { GraphJson, HistogramTuple, ImageRef, ScalarTuple, TagInfo } from '../../shared/types.ts';
import { dict } from '../../shared/dict.ts';
import { withExactSteps } from './exact-steps.ts';
import type { GraphSources } from './graph-sources.ts';
import type { HparamsDetail } from './hparams-detail.ts';
import { HistogramSeries } from './histogram-series.ts';
import { ImageSeries } from './image-series.ts';
import { PluginSeries } from './plugin-series.ts';
import { ScalarSeries } from './scalar-series.ts';
import { StoreIngest } from './store-ingest.ts';

export type { GraphSources } from './graph-sources.ts';
export type { HparamsDetail } from './hparams-detail.ts';
export { DEFAULT_LIMITS, parseSamplesPerPlugin, type SampleLimits } from './sample-limits.ts';
export { STORE_BOUNDS, type HistItem } from './run-data.ts';

/** One stored series itself (not a copy), for readers that walk it in place (replays). */
export type StoredSeries =
  | { kind: 'scalars'; tag: string; series: ScalarSeries }
  | { kind: 'histograms'; tag: string; series: HistogramSeries }
  | { kind: 'images'; tag: string; series: ImageSeries };

export interface HparamsInfo {
  hparams?: Record<string, string | number | boolean>;
  /** Metric tags declared by the experiment. */
  metrics?: string[];
  /** session_end status, e.g. 'STATUS_SUCCESS'. */
  status?: string;
}

export class SeriesStore extends StoreIngest {
  // ---------- writing: store-ingest.ts ----------

  /** Make a run known without data (e.g. discovered but still empty). */
  addRun(run: string): void {
    this.runData(run, true);
  }

  removeRun(run: string): void {
    this.dropData(run);
    this.evicted.delete(run);
  }

  /**
   * Drop a run's data from memory but keep the run known (listed, ordered by its start time): the memory
   * bound does this to runs nobody looked at lately. The next ingest for it starts it over (a re-read).
   */
  evictRun(run: string): void {
    const rd = this.data.get(run);
    if (!rd) return;
    this.evicted.set(run, rd.startTime);
    this.dropData(run);
  }
  isEvicted(run: string): boolean {
    return this.evicted.has(run);
  }

  // ---------- reading ----------

  runs(): string[] {
    return this.evicted.size === 0 ? [...this.data.keys()] : [...this.data.keys(), ...this.evicted.keys()];
  }
  /** Wall time of the run's first record; undefined while it has none. */
  startTime(run: string): number | undefined {
    return this.data.get(run)?.startTime ?? this.evicted.get(run);
  }
  hasRun(run: string): boolean {
    return this.data.has(run) || this.evicted.has(run);
  }
  scalarTags(run: string): string[] {
    return [...(this.data.get(run)?.scalars.keys() ?? [])];
  }
  histogramTags(run: string): string[] {
    return [...(this.data.get(run)?.histograms.keys() ?? [])];
  }
  imageTags(run: string): string[] {
    return [...(this.data.get(run)?.images.keys() ?? [])];
  }
  textTags(run: string): string[] {
    return [...(this.data.get(run)?.texts.keys() ?? [])];
  }
  tensorTags(run: string): Record<string, { plugin: string; count: number }> {
    const out = dict<{ plugin: string; count: number }>();
    for (const [tag, t] of this.data.get(run)?.tensors ?? []) out[tag] = { ...t };
    return out;
  }

  /** displayName/description (markdown) as stored in the tag's first metadata; '' when none (as TensorBoard). */
  tagInfo(run: string, tag: string): TagInfo {
    return this.data.get(run)?.tagInfo.get(tag) ?? { displayName: '', description: '' };
  }

  /** The exact decimal of a step past 2^53 (as read from the log), if one was kept. */
  exactStep(run: string, step: number): string | undefined {
    return Number.isSafeInteger(step) ? undefined : this.data.get(run)?.exactSteps.get(step);
  }

  /** Sorted by step; only step > afterStep when given. Values keep NaN/±Inf (map them for JSON). */
  scalars(run: string, tag: string, afterStep?: number): ScalarTuple[] {
    return this.data.get(run)?.scalars.get(tag)?.series.tuples(afterStep) ?? [];
  }
  /** The newest point of a scalar series (TensorBoard's read_last_scalars), without copying the rest. */
  lastScalar(run: string, tag: string): ScalarTuple | undefined {
    const s = this.data.get(run)?.scalars.get(tag)?.series;
    const last = s?.lastStep;
    // Kept steps are strictly increasing, so only the newest is above lastStep - 1.
    return last === undefined ? undefined : s!.tuples(last - 1).at(-1);
  }
  histograms(run: string, tag: string, afterStep?: number): HistogramTuple[] {
    return this.data.get(run)?.histograms.get(tag)?.series.tuples(afterStep) ?? [];
  }
  images(run: string, tag: string, afterStep?: number): ImageRef[] {
    return this.data.get(run)?.images.get(tag)?.series.refs(afterStep) ?? [];
  }
  imageData(run: string, tag: string, index: number): { data: Uint8Array; mime: string } | undefined {
    return this.data.get(run)?.images.get(tag)?.series.data(index);
  }
  /** The kept image logged at `step` as sample `sample` (TensorBoard's blob key names images this way). */
  imageAt(run: string, tag: string, step: number, sample: number): { data: Uint8Array; mime: string } | undefined {
    const ref = this.images(run, tag).find((im) => im.step === step && im.sample === sample);
    return ref ? this.imageData(run, tag, ref.index) : undefined;
  }
  /** The run's graph data as logged (GraphDef bytes, Keras JSON, RunMetadata by tag). */
  graphSources(run: string): GraphSources | undefined {
    return this.data.get(run)?.graphSources;
  }
  /** Latest graphs of the run, oldest first. */
  graphs(run: string): GraphJson[] {
    return [...(this.data.get(run)?.graphs ?? [])];
  }
  /** Merged session_start hyper-parameters. */
  hparams(run: string): Record<string, string | number | boolean> | undefined {
    const h = this.data.get(run)?.hparams;
    return h ? { ...h } : undefined;
  }
  hparamsInfo(run: string): HparamsInfo {
    const rd = this.data.get(run);
    if (!rd) return {};
    const out: HparamsInfo = {};
    if (rd.hparams) out.hparams = { ...rd.hparams };
    if (rd.hparamMetrics) out.metrics = [...rd.hparamMetrics];
    if (rd.hparamStatus) out.status = rd.hparamStatus;
    return out;
  }
  /** What a run's log says about who wrote it and its hparams session (for its on-disk status). */
  sessionInfo(run: string): { writer?: string; started: boolean; endStatus?: string } {
    const rd = this.data.get(run);
    return { writer: rd?.writer, started: rd?.sessionStarted ?? false, endStatus: rd?.hparamStatus };
  }
  text(run: string, tag: string): { wallTime: number; step: number; text: string; shape?: number[]; cells?: string[] }[] {
    const res = this.data.get(run)?.texts.get(tag);
    return res ? res.items().map(({ step, item }) => ({ step, ...item })) : [];
  }
  /** The run's hparams summaries (experiment, session start and end), as written. */
  hparamsDetail(run: string): HparamsDetail {
    const d = this.data.get(run)?.hparamsDetail;
    return d ? { ...d } : {};
  }
  /** Kept tensors of the audio / pr_curves / custom_scalars plugins. */
  pluginSeries(run: string): PluginSeries | undefined {
    return this.data.get(run)?.plugins;
  }
  warnings(run: string): string[] {
    const rd = this.data.get(run);
    if (!rd) return [...(this.pendingWarnings.get(run) ?? [])];
    return rd.droppedWarnings > 0 ? [...rd.warnings, `(${rd.droppedWarnings} more warnings not kept)`] : [...rd.warnings];
  }

  /**
   * Zero-gap resume: for every series of the run passing tagFilter, the points with step > have[tag]
   * (all of them for a tag the client lacks). A client holding a point newer than the series' newest
   * (the run was rewound or restarted) gets the full series with reset:true. Empty series are omitted.
   */
  deltasAfter(
    run: string,
    have: Record<string, number>,
    tagFilter?: (tag: string) => boolean,
    kinds?: ReadonlySet<SeriesDelta['kind']>,
    /** Scalars at about this many points a series (subscribe's `points`; see ScalarSeries.columnsDownsampled). */
    points?: number,
  ): SeriesDelta[] {
    const rd = this.data.get(run);
    if (!rd) return [];
    const out: SeriesDelta[] = [];
    const after = (tag: string, lastStep: number | undefined): { from?: number; reset: boolean } => {
      if (!Object.prototype.hasOwnProperty.call(have, tag)) return { reset: false };
      const h = have[tag];
      if (lastStep !== undefined && h > lastStep) return { reset: true };
      return { from: h, reset: false };
    };
    for (const [tag, e] of kinds && !kinds.has('scalars') ? [] : rd.scalars) {
      if (tagFilter && !tagFilter(tag)) continue;
      const a = after(tag, e.series.lastStep);
      const { cols, decimated } = points ? e.series.columnsDownsampled(a.from, points) : { cols: e.series.columns(a.from), decimated: false };
      if (cols.steps.length === 0) continue;
      out.push(withExactSteps(rd.exactSteps, { kind: 'scalars', run, tag, ...(a.reset ? { reset: true } : {}), ...cols, ...(decimated ? { decimated: true } : {}) }));
    }
    for (const [tag, e] of kinds && !kinds.has('histograms') ? [] : rd.histograms) {
      if (tagFilter && !tagFilter(tag)) continue;
      const a = after(tag, e.series.lastStep);
      const points = this.histograms(run, tag, a.from);
      if (points.length === 0) continue;
      out.push(withExactSteps(rd.exactSteps, { kind: 'histograms', run, tag, ...(a.reset ? { reset: true } : {}), points }));
    }
    for (const [tag, e] of kinds && !kinds.has('images') ? [] : rd.images) {
      if (tagFilter && !tagFilter(tag)) continue;
      const a = after(tag, e.series.lastStep);
      const points = e.series.refs(a.from);
      if (points.length === 0) continue;
      out.push(withExactSteps(rd.exactSteps, { kind: 'images', run, tag, ...(a.reset ? { reset: true } : {}), points }));
    }
    return out;
  }

  /**
   * One series as deltasAfter gives it, cut at `upTo`: the kept points with from < step <= upTo (from
   * undefined: all up to upTo), with reset:true when asked. A backlog planned earlier reads its series
   * later with it: points that arrived since are the live stream's. Undefined when it has none.
   */
  seriesDelta(run: string, kind: SeriesDelta['kind'], tag: string, from: number | undefined, upTo: number, reset: boolean, points?: number): SeriesDelta | undefined {
    const rd = this.data.get(run);
    if (!rd) return undefined;
    const head = { run, tag, ...(reset ? { reset: true as const } : {}) };
    // Points in step order: drop those past upTo from the end.
    const cut = <P>(ps: P[], stepOf: (p: P) => number): P[] => {
      let n = ps.length;
      while (n > 0 && stepOf(ps[n - 1]) > upTo) n--;
      return n === ps.length ? ps : ps.slice(0, n);
    };
    if (kind === 'scalars') {
      const e = rd.scalars.get(tag);
      if (!e) return undefined;
      const { cols, decimated } = e.series.columnsDownsampled(from, points || Infinity, upTo);
      if (cols.steps.length === 0) return undefined;
      return withExactSteps(rd.exactSteps, { kind, ...head, ...cols, ...(decimated ? { decimated: true } : {}) });
    }
    if (kind === 'histograms') {
      const e = rd.histograms.get(tag);
      const ps = e ? cut(e.series.tuples(from), (p) => p[1]) : [];
      return ps.length === 0 ? undefined : withExactSteps(rd.exactSteps, { kind, ...head, points: ps });
    }
    const e = rd.images.get(tag);
    const ps = e ? cut(e.series.refs(from), (p) => p.step) : [];
    return ps.length === 0 ? undefined : withExactSteps(rd.exactSteps, { kind, ...head, points: ps });
  }

  /**
   * The run's sampled series themselves, in order of first appearance per kind (scalars, histograms,
   * images). Read them in place (ordered indexes are valid until the next ingest); never mutate them.
   */
  seriesOf(run: string): StoredSeries[] {
    const rd = this.data.get(run);
    if (!rd) return [];
    const out: StoredSeries[] = [];
    // `series` read when used: a run back from the log cache loads a histogram series' blob on first touch,
    // and listing a run's series (a scalars-only subscribe) must not load them all.
    for (const [tag, e] of rd.scalars) out.push({ kind: 'scalars', tag, get series() { return e.series; } });
    for (const [tag, e] of rd.histograms) out.push({ kind: 'histograms', tag, get series() { return e.series; } });
    for (const [tag, e] of rd.images) out.push({ kind: 'images', tag, get series() { return e.series; } });
    return out;
  }

  /** One of seriesOf(run)'s series, by kind and tag, without listing the others. */
  seriesAt(run: string, kind: StoredSeries['kind'], tag: string): StoredSeries['series'] | undefined {
    const rd = this.data.get(run);
    if (!rd) return undefined;
    return (kind === 'scalars' ? rd.scalars : kind === 'histograms' ? rd.histograms : rd.images).get(tag)?.series;
  }

  /**
   * Changes whenever a series of the run dropped kept points (a step rewind) and when the run is
   * removed and added again; undefined for an unknown run. Appends and sampling leave it alone.
   */
  resetMark(run: string): number | undefined {
    return this.data.get(run)?.resetMark;
  }


}
