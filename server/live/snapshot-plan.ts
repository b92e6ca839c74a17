// A late joiner's backlog, planned at once and read chunk by chunk. Reading and cutting the whole backlog
// of a big logdir (50 runs x 8 tags x 1,100 points) before the subscribe was acked took ~100-200 ms on
// a busy machine, and the first chart waited for all of it. The plan is cheap (no point is copied): per
// series in send order (tag by tag as SCALARS shows its cards, shared/tag-order.ts, each tag's runs in
// turn), the step range the client is owed: after what it holds, up to the series' last step when
// planned. Points that arrive later are the live stream's (the client's own buffer), so reading a series
// later gives the same points, none twice. A series rewound or replaced since (restart, log cache) is
// skipped: the live stream sends it whole with reset:true. Pure: no timers, no I/O.
import type { DeltaBatch, SeriesDelta, SeriesKind } from '../../shared/protocol.ts';
import { compareTags } from '../../shared/tag-order.ts';
import type { SeriesStore, StoredSeries } from '../store/series-store.ts';
import { downsampleDelta } from './backlog-downsample.ts';
import { ClientBuffer, deltaBytes, deltaHeadBytes, deltaWeight, pointBytes, pointObjectBytes } from './client-buffer.ts';
import type { Subscription } from './hub-model.ts';

export type Kinds = ReadonlySet<SeriesKind> | null;

/**
 * Points in a backlog's first chunk: a page draws its first chart once that chunk is decoded, and a
 * full-size one (~650 kB) took ~100 ms to decode in a busy browser; its first draw (code not yet
 * optimized by the JIT) costs by the point too, so the first chart draws the first runs of its tag.
 */
export const FIRST_CHUNK_POINTS = 2000;

/** One series of the backlog: points with from < step <= upTo (all up to upTo when from is undefined). */
export interface PlannedSeries {
  run: string;
  kind: SeriesKind;
  tag: string;
  /** The store's series when planned, and its rewinds then: another object or count means it changed. */
  series: StoredSeries['series'];
  rewinds: number;
  from: number | undefined;
  /** The client holds points past the series' end (it was rewound): it gets the series whole, reset. */
  reset: boolean;
  upTo: number;
}

export interface BacklogPlan {
  /** In send order. */
  entries: PlannedSeries[];
  /** Per run: per tag, the last step a client holds once it has the backlog (its own `have` merged in). */
  marks: Map<string, Record<string, number>>;
  resetMarks: Map<string, number | undefined>;
  /** Runs with points in the backlog, in the order their first points go. */
  runs: string[];
  /** False when a tag names series of two kinds in a run (per-tag marks could not say where each resumes). */
  shareable: boolean;
  /** Estimated bytes on the wire (deltaBytes) and held once built (with deltaObjectBytes). */
  bytes: number;
  heldBytes: number;
}

export function held(sub: Subscription, run: string): Record<string, number> {
  // A run may be named "constructor" or "__proto__": only own keys count.
  return sub.have && Object.hasOwn(sub.have, run) ? sub.have[run] : {};
}

export function subscribedRuns(store: SeriesStore, sub: Subscription): string[] {
  return sub.runs === '*' ? store.runs() : sub.runs.filter((r) => store.hasRun(r));
}

/** Whether a tag the subscription takes names series of more than one wanted kind in the run. */
export function tagsCollide(store: SeriesStore, run: string, sub: Subscription, kinds: Kinds): boolean {
  const seen = new Set<string>();
  for (const s of store.seriesOf(run)) {
    if ((kinds && !kinds.has(s.kind)) || !sub.filter(s.tag)) continue;
    if (seen.has(s.tag)) return true;
    seen.add(s.tag);
  }
  return false;
}

/** Wire and held bytes of a planned series of n points (deltaBytes / deltaObjectBytes, before reading it). */
function estimate(s: StoredSeries, run: string, n: number, points: number | undefined): [number, number] {
  const k = s.kind === 'scalars' && points ? Math.min(n, points) : n;
  const buckets = s.kind === 'histograms' ? s.series.orderedBucketCount(s.series.size - 1) : 0;
  return [deltaHeadBytes(run, s.tag) + k * pointBytes(s.kind, buckets), k * pointObjectBytes(s.kind, buckets)];
}

/** Plans the subscription's backlog from the store as it is now (reads no point). */
export function planBacklog(store: SeriesStore, sub: Subscription, kinds: Kinds): BacklogPlan {
  const entries: PlannedSeries[] = [];
  const marks = new Map<string, Record<string, number>>();
  const resetMarks = new Map<string, number | undefined>();
  let shareable = true;
  let bytes = 0;
  let objects = 0;
  for (const run of subscribedRuns(store, sub)) {
    const have = held(sub, run);
    // Null prototype: a tag may be named "__proto__".
    const m: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [tag, step] of Object.entries(have)) m[tag] = step;
    if (shareable && tagsCollide(store, run, sub, kinds)) shareable = false;
    // Only the kinds asked for (a run's histograms may not even be in memory yet: log cache).
    for (const s of store.seriesOf(run)) {
      if ((kinds && !kinds.has(s.kind)) || !sub.filter(s.tag)) continue;
      const last = s.series.lastStep;
      if (last === undefined) continue;
      const h = Object.hasOwn(have, s.tag) ? have[s.tag] : undefined;
      const reset = h !== undefined && h > last;
      const from = reset ? undefined : h;
      const n = s.series.size - (from === undefined ? 0 : s.series.indexAfter(from));
      if (n <= 0) continue;
      entries.push({ run, kind: s.kind, tag: s.tag, series: s.series, rewinds: s.series.rewinds, from, reset, upTo: last });
      m[s.tag] = last;
      const [w, o] = estimate(s, run, n, sub.points || undefined);
      bytes += w;
      objects += o;
    }
    marks.set(run, m);
    resetMarks.set(run, store.resetMark(run));
  }
  // Stable: a tag's runs keep the store's order (and a run's kinds theirs).
  entries.sort((a, b) => compareTags(a.tag, b.tag));
  const runs = [...new Set(entries.map((e) => e.run))];
  return { entries, marks, resetMarks, runs, shareable, bytes, heldBytes: bytes + objects };
}

/**
 * Cuts a plan into frozen chunks on demand: the first of at most FIRST_CHUNK_POINTS of weight (see
 * ClientBuffer.take), the others of maxBatchPoints; each reads only the series it needs. The chunks are
 * the ones a reading of the whole backlog at once would give (the same buffer, taken the same way).
 */
export class BacklogBuilder {
  readonly chunks: DeltaBatch[] = [];
  readonly chunkBytes: number[] = [];
  private next = 0;
  private readonly buffer = new ClientBuffer();
  /** Weight of what the buffer holds. */
  private queued = 0;

  constructor(
    private readonly store: SeriesStore,
    private readonly entries: readonly PlannedSeries[],
    private readonly points: number | undefined,
    private readonly maxBatchPoints: number,
  ) {}

  /** Every chunk is built. */
  get done(): boolean {
    return this.next >= this.entries.length && this.buffer.isEmpty();
  }

  /** Builds the next chunk; false when there was none left. */
  buildNext(): boolean {
    const limit = this.chunks.length === 0 ? Math.min(this.maxBatchPoints, FIRST_CHUNK_POINTS) : this.maxBatchPoints;
    while (this.queued < limit && this.next < this.entries.length) {
      const d = this.read(this.entries[this.next++]);
      if (!d) continue;
      this.buffer.pushSeries(d);
      this.queued += deltaWeight(d);
    }
    const b = this.buffer.take(limit);
    if (!b) return false;
    let bytes = 0;
    for (const d of b.series) {
      this.queued -= deltaWeight(d);
      bytes += deltaBytes(d);
    }
    this.chunkBytes.push(bytes);
    this.chunks.push(Object.freeze(b));
    return true;
  }

  /** Builds every chunk left. */
  finish(): void {
    while (this.buildNext());
  }

  private read(e: PlannedSeries): SeriesDelta | undefined {
    const now = this.store.seriesAt(e.run, e.kind, e.tag);
    // Rewound or replaced since it was planned: the live stream sends it whole (reset).
    if (!now || now !== e.series || now.rewinds !== e.rewinds) return undefined;
    const d = this.store.seriesDelta(e.run, e.kind, e.tag, e.from, e.upTo, e.reset, this.points);
    return d && this.points ? downsampleDelta(d, this.points) : d;
  }
}
