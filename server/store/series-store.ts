// In-memory store of every run's series, bounded by reservoir sampling per (run, tag). Pure and
// synchronous: ingest() returns exactly what changed as SeriesDelta[], deltasAfter() serves zero-gap resume.
import type { SeriesDelta } from '../../shared/protocol.ts';
import type { GraphJson, HistogramTuple, ImageRef, ScalarTuple, TagInfo } from '../../shared/types.ts';
import { dict } from '../../shared/dict.ts';
import type { ColumnSegment, PackedRecords } from '../logs/packed-records.ts';
import type { LogRecord } from '../logs/records.ts';
import { isRestart } from '../logs/rewind.ts';
import { withExactSteps } from './exact-steps.ts';
import { noteGraphData, type GraphSources } from './graph-sources.ts';
import { noteHparamsDetail, type HparamsDetail } from './hparams-detail.ts';
import { HistogramSeries } from './histogram-series.ts';
import { ImageSeries } from './image-series.ts';
import { PLUGIN_SAMPLE_DEFAULTS, PluginSeries } from './plugin-series.ts';
import { Reservoir, type AddResult } from './reservoir.ts';
import { STORE_BOUNDS, type Entry, type TextItem, type Track } from './run-data.ts';
import { DEFAULT_LIMITS, type SampleLimits } from './sample-limits.ts';
import { ScalarSeries } from './scalar-series.ts';
import { StoreCore, type AnySeries, type Batch } from './store-core.ts';

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

export class SeriesStore extends StoreCore {
  // ---------- writing ----------

  /**
   * Add records of a run; returns one delta per changed series (in order of first change), or none when
   * `wantDeltas` is false (nobody is subscribed to the run: no tuples are built).
   */
  ingest(run: string, records: readonly LogRecord[], wantDeltas = true): SeriesDelta[] {
    const b = this.openBatch(run, records.length > 0 ? records[0].wallTime : NaN);
    for (const rec of records) this.addRecord(b, rec);
    return this.closeBatch(b, wantDeltas);
  }

  /** ingest() for records packed by a load worker (packed-records.ts): columns go in without objects. */
  ingestPacked(run: string, p: PackedRecords, wantDeltas = true): SeriesDelta[] {
    const s0 = p.segments[0];
    const b = this.openBatch(run, !s0 ? NaN : s0.kind === 'records' ? (s0.records[0]?.wallTime ?? NaN) : s0.wallTime[0]);
    for (const seg of p.segments) {
      if (seg.kind === 'records') for (const rec of seg.records) this.addRecord(b, rec);
      else this.addColumns(b, seg);
    }
    return this.closeBatch(b, wantDeltas);
  }

  private addColumns(b: Batch, c: ColumnSegment): void {
    const { rd, run } = b;
    let eAt = 0;
    let cAt = 0;
    for (let k = 0; k < c.type.length; k++) {
      const step = c.step[k];
      const tag = c.tags[c.tag[k]];
      const isHist = c.type[k] === 1;
      const nb = isHist ? c.value[k] : 0;
      const e0 = eAt;
      const c0 = cAt;
      if (nb > 0) eAt += nb + 1;
      cAt += nb;
      if (!Number.isFinite(step)) {
        this.addWarning(run, `record ${isHist ? 'histogram' : 'scalar'} "${tag}" has a non-finite step; dropped`);
        continue;
      }
      if (isHist) {
        const e = this.entry(rd, run, 'histograms', tag, () => new HistogramSeries(this.limits.histograms, this.rng));
        if (e) this.note(b, this.begin(b, e), e.series.addContiguous(step, c.wallTime[k], nb, c.edges, e0, c.counts, c0));
      } else {
        const e = this.entry(rd, run, 'scalars', tag, () => new ScalarSeries(this.limits.scalars, this.rng));
        if (e) this.note(b, this.begin(b, e), e.series.add(step, c.wallTime[k], c.value[k]));
      }
    }
  }

  private addRecord(b: Batch, rec: LogRecord): void {
    const { rd, run } = b;
    const begin = (e: Entry<AnySeries>): Track => this.begin(b, e);
    const note = (t: Track, r: AddResult): void => this.note(b, t, r);
    if (!Number.isFinite(rec.step)) {
      this.addWarning(run, `record ${rec.kind}${'tag' in rec ? ` "${rec.tag}"` : ''} has a non-finite step; dropped`);
      return;
    }
    if (rec.stepExact !== undefined && rd.exactSteps.size < STORE_BOUNDS.exactStepsPerRun) rd.exactSteps.set(rec.step, rec.stepExact);
    switch (rec.kind) {
      case 'scalar': {
        const e = this.entry(rd, run, 'scalars', rec.tag, () => new ScalarSeries(this.limits.scalars, this.rng));
        if (!e) break;
        this.noteTagInfo(rd, rec.tag, rec);
        note(begin(e), e.series.add(rec.step, rec.wallTime, rec.value));
        break;
      }
      case 'histogram': {
        const e = this.entry(rd, run, 'histograms', rec.tag, () => new HistogramSeries(this.limits.histograms, this.rng));
        if (!e) break;
        this.noteTagInfo(rd, rec.tag, rec);
        note(begin(e), e.series.add(rec.step, rec.wallTime, rec.buckets));
        break;
      }
      case 'image': {
        const e = this.entry(rd, run, 'images', rec.tag, () => new ImageSeries(this.limits.images, this.rng));
        if (!e) break;
        this.noteTagInfo(rd, rec.tag, rec);
        const t = begin(e);
        const r = e.series.add(rec);
        if (!r.accepted) this.addWarning(run, `image "${rec.tag}" step ${rec.step} sample ${rec.sample}: too many images at one step; dropped`);
        note(t, r);
        break;
      }
      case 'text': {
        let res = rd.texts.get(rec.tag);
        if (!res) {
          if (!this.roomForTag(rd, run, 'text', rd.texts.size)) break;
          res = new Reservoir<TextItem>(this.limits.text ?? PLUGIN_SAMPLE_DEFAULTS.text, this.rng);
          rd.texts.set(rec.tag, res);
        }
        const text = rec.text.length > STORE_BOUNDS.textChars ? `${rec.text.slice(0, STORE_BOUNDS.textChars)}…[truncated]` : rec.text;
        const cells = rec.cells && text === rec.text ? { shape: rec.shape ?? [], cells: rec.cells } : {};
        res.add(rec.step, { wallTime: rec.wallTime, text, ...cells });
        break;
      }
      case 'tensor': {
        noteGraphData(rd.graphSources, rec);
        const t = rd.tensors.get(rec.tag);
        if (t) t.count++;
        else if (this.roomForTag(rd, run, 'tensor', rd.tensors.size)) rd.tensors.set(rec.tag, { plugin: rec.plugin, count: 1 });
        const dropped = rd.plugins.add(rec);
        if (dropped) this.addWarning(run, dropped);
        break;
      }
      case 'graph':
        noteGraphData(rd.graphSources, rec);
        rd.graphs.push(rec.graph);
        if (rd.graphs.length > STORE_BOUNDS.graphsPerRun) rd.graphs.splice(0, rd.graphs.length - STORE_BOUNDS.graphsPerRun);
        break;
      case 'hparams':
        if (rec.part === 'session_start') rd.sessionStarted = true;
        noteHparamsDetail(rd.hparamsDetail, rec, STORE_BOUNDS.hparamKeys);
        if (rec.part === 'session_start' && rec.hparams) {
          // Via a Map so a key like "__proto__" stays a plain own property.
          const merged = new Map(Object.entries(rd.hparams ?? {}));
          for (const [k, v] of Object.entries(rec.hparams)) {
            if (merged.has(k) || merged.size < STORE_BOUNDS.hparamKeys) merged.set(k, v);
          }
          rd.hparams = Object.fromEntries(merged);
        } else if (rec.part === 'experiment') {
          if (rec.metrics) rd.hparamMetrics = rec.metrics.slice(0, STORE_BOUNDS.hparamKeys);
        } else if (rec.part === 'session_end' && rec.status) {
          rd.hparamStatus = rec.status;
        }
        break;
      case 'meta':
        if (rec.what === 'source_metadata' && rec.detail) rd.writer = rec.detail.slice(0, 200);
        if (isRestart(rec)) {
          // A restarted job logs SessionLog START at the step it resumed from: what was logged at or past
          // it belongs to the abandoned attempt (the same rule as a per-tag rewind, for every tag at once).
          for (const e of [...rd.scalars.values(), ...rd.histograms.values(), ...rd.images.values()]) {
            const t = begin(e);
            if (e.series.truncateFrom(rec.step)) {
              t.reset = true;
              rd.resetMark = ++this.resetSeq; // replays rebuild their cursors (replay-cursor.ts)
            }
          }
        }
        noteGraphData(rd.graphSources, rec);
        break;
    }
  }

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

  /**
   * Changes whenever a series of the run dropped kept points (a step rewind) and when the run is
   * removed and added again; undefined for an unknown run. Appends and sampling leave it alone.
   */
  resetMark(run: string): number | undefined {
    return this.data.get(run)?.resetMark;
  }


}
