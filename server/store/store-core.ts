// The store's bookkeeping under SeriesStore: the run map, warnings, tag bounds, and the per-ingest
// tracking that turns one ingest call's adds into exactly one delta per changed series.
import type { SeriesDelta } from '../../shared/protocol.ts';
import type { HistogramTuple } from '../../shared/types.ts';
import { withExactSteps } from './exact-steps.ts';
import type { HistogramSeries } from './histogram-series.ts';
import { ImageSeries } from './image-series.ts';
import { PluginSeries } from './plugin-series.ts';
import type { AddResult, Rng } from './reservoir.ts';
import { RunData, STORE_BOUNDS, type Entry, type Kind, type Track } from './run-data.ts';
import { DEFAULT_LIMITS, type SampleLimits } from './sample-limits.ts';
import { ScalarSeries } from './scalar-series.ts';

export type AnySeries = ScalarSeries | HistogramSeries | ImageSeries;
/** One ingest call's state. */
export interface Batch {
  run: string;
  rd: RunData;
  epoch: number;
  touched: Entry<AnySeries>[];
}

export class StoreCore {
  readonly limits: SampleLimits;
  protected readonly rng: Rng;
  protected readonly data = new Map<string, RunData>();
  /** Warnings about folders that are not (yet) runs. */
  protected readonly pendingWarnings = new Map<string, string[]>();
  private epoch = 0;
  protected resetSeq = 0;
  /** Runs whose data left memory (evictRun), with their start time (they keep their place in the list). */
  protected readonly evicted = new Map<string, number | undefined>();
  private bytesTotal = 0;

  /** Bytes held by every run's sampled series (typed arrays and image bytes): what --max-memory bounds. */
  get totalBytes(): number {
    return this.bytesTotal;
  }
  /** Bytes held by one run's sampled series (0 when evicted or unknown). */
  runBytes(run: string): number {
    return this.data.get(run)?.bytes ?? 0;
  }
  /** Runs whose data is in memory. */
  residentRuns(): string[] {
    return [...this.data.keys()];
  }

  /** A run's data as held, for the log cache to snapshot (read it, never mutate it). */
  heldRunData(run: string): RunData | undefined {
    return this.data.get(run);
  }
  /** The sampling source a restored run's reservoirs take back (log cache). */
  get sampler(): Rng {
    return this.rng;
  }
  /** Put back a run's data restored from the log cache, in place of what the run holds now. */
  adoptRunData(run: string, rd: RunData): void {
    this.dropData(run);
    this.evicted.delete(run);
    rd.resetMark = ++this.resetSeq; // replays rebuild their cursors
    this.data.set(run, rd);
    this.bytesTotal += rd.bytes;
  }
  /** List a run whose data is not in memory (the log cache holds it): as evicted, it comes back when viewed. */
  addRunElsewhere(run: string, startTime: number | undefined): void {
    if (this.data.has(run)) return;
    this.evicted.set(run, startTime);
  }

  protected dropData(run: string): void {
    const rd = this.data.get(run);
    if (!rd) return;
    this.bytesTotal -= rd.bytes;
    this.data.delete(run);
  }

  /** Plugins not given in `limits` keep their default (DEFAULT_LIMITS). */
  constructor(limits: Partial<SampleLimits> = DEFAULT_LIMITS, rng: Rng = Math.random) {
    this.limits = { ...DEFAULT_LIMITS, ...limits, other: { ...DEFAULT_LIMITS.other, ...limits.other } };
    this.rng = rng;
  }

  /**
   * Record a problem found while reading a run (bounded per run). A warning about a folder that is not a run
   * (the logdir itself, a refused symlink) never creates a run: it is kept aside until such a run appears.
   */
  addWarning(run: string, message: string): void {
    const rd = this.data.get(run);
    if (!rd) {
      let w = this.pendingWarnings.get(run);
      if (!w) {
        if (this.pendingWarnings.size >= STORE_BOUNDS.pendingWarningRuns) return;
        this.pendingWarnings.set(run, (w = []));
      }
      if (w.length < STORE_BOUNDS.warningsPerRun) w.push(message);
      return;
    }
    if (rd.warnings.length < STORE_BOUNDS.warningsPerRun) rd.warnings.push(message);
    else rd.droppedWarnings++;
  }

  protected openBatch(run: string, firstWallTime: number): Batch {
    const rd = this.runData(run, true);
    if (rd.startTime === undefined && Number.isFinite(firstWallTime)) rd.startTime = firstWallTime;
    return { run, rd, epoch: ++this.epoch, touched: [] };
  }

  /** Call before adding to a series (an image batch's ids start at the series' next id); note() after. */
  protected begin(b: Batch, e: Entry<AnySeries>): Track {
    const t = e.track;
    if (t.epoch !== b.epoch) {
      t.epoch = b.epoch;
      t.slots.length = 0;
      t.reset = false;
      t.minIndex = e.series instanceof ImageSeries ? e.series.peekIndex : 0;
      b.touched.push(e);
    }
    return t;
  }

  protected note(b: Batch, t: Track, r: AddResult): void {
    if (r.rewound) {
      t.reset = true;
      b.rd.resetMark = ++this.resetSeq;
    }
    if (r.accepted) t.slots.push(r.slot);
  }

  protected closeBatch(b: Batch, wantDeltas: boolean): SeriesDelta[] {
    const { rd, run } = b;
    for (const e of b.touched) {
      const now = e.series.bytes;
      rd.bytes += now - e.bytes;
      this.bytesTotal += now - e.bytes;
      e.bytes = now;
    }
    if (!wantDeltas) return [];
    const deltas: SeriesDelta[] = [];
    for (const e of b.touched) {
      const d = this.batchDelta(run, e);
      if (d) deltas.push(withExactSteps(rd.exactSteps, d));
    }
    return deltas;
  }


  protected runData(run: string, create: true): RunData {
    let rd = this.data.get(run);
    if (!rd && create) {
      rd = new RunData();
      rd.resetMark = ++this.resetSeq;
      rd.plugins = new PluginSeries(this.limits, this.rng, STORE_BOUNDS.tagsPerKind);
      this.data.set(run, rd);
      this.evicted.delete(run);
      const pending = this.pendingWarnings.get(run);
      if (pending) {
        rd.warnings.push(...pending);
        this.pendingWarnings.delete(run);
      }
    }
    return rd as RunData;
  }

  protected entry<S>(rd: RunData, run: string, kind: Kind, tag: string, make: () => S): Entry<S> | undefined {
    const map = rd[kind] as unknown as Map<string, Entry<S>>;
    let e = map.get(tag);
    if (!e) {
      if (!this.roomForTag(rd, run, kind, map.size)) return undefined;
      e = { kind, tag, series: make(), bytes: 0, track: { epoch: 0, slots: [], reset: false, minIndex: 0 } };
      map.set(tag, e);
    }
    return e;
  }

  protected roomForTag(rd: RunData, run: string, kind: string, size: number): boolean {
    if (size < STORE_BOUNDS.tagsPerKind) return true;
    if (!rd.tagLimitWarned.has(kind)) {
      rd.tagLimitWarned.add(kind);
      this.addWarning(run, `more than ${STORE_BOUNDS.tagsPerKind} ${kind} tags; records of further tags are dropped`);
    }
    return false;
  }

  protected noteTagInfo(rd: RunData, tag: string, rec: { displayName?: string; description?: string }): void {
    if (rd.tagInfo.has(tag) || (rec.displayName === undefined && rec.description === undefined)) return;
    rd.tagInfo.set(tag, { displayName: rec.displayName ?? '', description: rec.description ?? '' });
  }

  protected batchDelta(run: string, e: Entry<AnySeries>): SeriesDelta | undefined {
    const { tag, track: t } = e;
    if (!t.reset && t.slots.length === 0) return undefined;
    const reset = t.reset ? { reset: true as const } : {};
    const s = e.series;
    if (s instanceof ScalarSeries) {
      return { kind: 'scalars', run, tag, ...reset, ...(t.reset ? s.columns() : s.columnsForSlots(t.slots)) };
    }
    if (s instanceof ImageSeries) {
      return { kind: 'images', run, tag, ...reset, points: t.reset ? s.refs() : s.refsForSlots(t.slots, t.minIndex) };
    }
    let points: HistogramTuple[];
    if (t.reset) points = s.tuples();
    else {
      points = Array.from(new Set(t.slots))
        .sort((a, b) => s.stepAt(a) - s.stepAt(b))
        .map((slot) => s.tupleAt(slot) as HistogramTuple);
    }
    return { kind: 'histograms', run, tag, ...reset, points };
  }}
