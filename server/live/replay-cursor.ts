// Where one replay is in a run, read straight from the main store's series: no copy of the run's
// points, no per-point index. Each series is walked in its stored (step) order; the series are merged
// by wall time with a small heap (one entry per series), so a session costs O(series), not O(points).
// Pure and synchronous: the session in replay.ts calls it from its timer.
//
// Consistency while the store changes under a replay:
// - positions are kept as steps (last step delivered per series), not indexes, so appends and
//   reservoir replacements shift nothing; each series is replayed only up to the step it had when the
//   cursor was built ("what existed when the replay started");
// - a step rewind evicts points the client may already hold: SeriesStore.resetMark changes, and the
//   session builds a new cursor and re-seeks (replay.ts).
import type { SeriesDelta } from '../../shared/protocol.ts';
import type { HistogramTuple } from '../../shared/types.ts';
import type { StoredSeries } from '../store/series-store.ts';
import { gapAdvance } from './replay-schedule.ts';

/** Points [from, to) (ordered indexes, valid until the store's next ingest) of series number `series`. */
export interface ReplayRange {
  series: number;
  from: number;
  to: number;
}

function wallAt(e: StoredSeries, i: number): number {
  return e.series.orderedWallTime(i);
}

/** Points [from, to) of a stored series as a delta (histogram buckets and image refs are the store's own). */
export function sliceDelta(run: string, e: StoredSeries, from: number, to: number, reset: boolean): SeriesDelta {
  const r = reset ? { reset: true as const } : {};
  if (e.kind === 'scalars') return { kind: 'scalars', run, tag: e.tag, ...r, ...e.series.columnsBetween(from, to) };
  if (e.kind === 'images') return { kind: 'images', run, tag: e.tag, ...r, points: e.series.refsBetween(from, to) };
  const points: HistogramTuple[] = [];
  for (let i = from; i < Math.min(to, e.series.size); i++) {
    const it = e.series.orderedItem(i);
    if (it) points.push([it.wallTime, e.series.orderedStep(i), it.buckets]);
  }
  return { kind: 'histograms', run, tag: e.tag, ...r, points };
}

export class ReplayCursor {
  /** Position (timeline seconds, gaps compressed) of the last point delivered. */
  pos = 0;
  /** Step of the last point delivered (null before the first). */
  lastStep: number | null = null;
  readonly firstStep: number | null;
  readonly finalStep: number | null;
  private lastWall = -Infinity;
  /** Per series: last step delivered, last step to replay, latest wall time delivered. */
  private readonly done: Float64Array;
  private readonly limit: Float64Array;
  private readonly maxWall: Float64Array;
  /** Min-heap of series numbers by the wall time their next point is due at (key). */
  private readonly heap: Uint32Array;
  private readonly key: Float64Array;
  private heapSize = 0;

  constructor(
    readonly entries: readonly StoredSeries[],
    private readonly maxGapSec: number,
  ) {
    const k = entries.length;
    this.done = new Float64Array(k).fill(-Infinity);
    this.limit = new Float64Array(k).fill(-Infinity);
    this.maxWall = new Float64Array(k).fill(-Infinity);
    this.heap = new Uint32Array(k);
    this.key = new Float64Array(k);
    let lo = Infinity;
    let hi = -Infinity;
    for (let s = 0; s < k; s++) {
      const ser = entries[s].series;
      if (ser.size === 0) continue;
      this.limit[s] = ser.orderedStep(ser.size - 1);
      lo = Math.min(lo, ser.orderedStep(0));
      hi = Math.max(hi, this.limit[s]);
    }
    this.firstStep = lo === Infinity ? null : lo;
    this.finalStep = hi === -Infinity ? null : hi;
    this.rebuildHeap();
  }

  get seriesCount(): number {
    return this.entries.length;
  }

  /** Nothing left to deliver. */
  get finished(): boolean {
    return this.peek() === null;
  }

  /** Timeline position of the next point due, or null when finished. */
  nextPosition(): number | null {
    const p = this.peek();
    return p ? this.pos + gapAdvance(this.lastWall, p.due, this.maxGapSec) : null;
  }

  /** Delivers the points due at or before `position` (at most maxCount), per series in first-touch order. */
  take(position: number, maxCount: number): ReplayRange[] {
    const ranges = new Map<number, ReplayRange>();
    for (let n = 0; n < maxCount; n++) {
      const p = this.peek();
      if (!p) break;
      const at = this.pos + gapAdvance(this.lastWall, p.due, this.maxGapSec);
      if (at > position) break;
      const { s, i, due } = p;
      this.pos = at;
      if (due > this.lastWall) this.lastWall = due;
      if (due > this.maxWall[s]) this.maxWall[s] = due;
      const step = this.entries[s].series.orderedStep(i);
      this.done[s] = step;
      this.lastStep = step;
      const r = ranges.get(s);
      if (r) r.to = i + 1;
      else ranges.set(s, { series: s, from: i, to: i + 1 });
      this.rekeyTop(s, i + 1);
    }
    return [...ranges.values()];
  }

  /**
   * The run as it was at `step`: every series delivered up to it (and its replay limit). Returns one
   * range [0, to) per series, in series order, for reset deltas. The position stays where it was.
   */
  seek(step: number): ReplayRange[] {
    const out: ReplayRange[] = [];
    this.lastStep = null;
    this.lastWall = -Infinity;
    for (let s = 0; s < this.entries.length; s++) {
      const ser = this.entries[s].series;
      const to = ser.indexAfter(Math.min(step, this.limit[s]));
      let mw = -Infinity;
      for (let i = 0; i < to; i++) {
        const w = wallAt(this.entries[s], i);
        if (w > mw) mw = w; // NaN never wins
      }
      this.maxWall[s] = mw;
      this.done[s] = to > 0 ? ser.orderedStep(to - 1) : -Infinity;
      if (to > 0 && (this.lastStep === null || this.done[s] > this.lastStep)) this.lastStep = this.done[s];
      if (mw > this.lastWall) this.lastWall = mw;
      out.push({ series: s, from: 0, to });
    }
    this.rebuildHeap();
    return out;
  }

  delta(run: string, r: ReplayRange, reset: boolean): SeriesDelta {
    return sliceDelta(run, this.entries[r.series], r.from, r.to, reset);
  }

  // ---------- the merge ----------

  /** Ordered index of series s's next point to deliver, or -1 when it has none left. */
  private nextIndex(s: number): number {
    const ser = this.entries[s].series;
    const i = ser.indexAfter(this.done[s]);
    return i < ser.size && ser.orderedStep(i) <= this.limit[s] ? i : -1;
  }

  /** When a point is due: its wall time, but never before what its series already delivered. */
  private dueWall(s: number, i: number): number {
    const w = wallAt(this.entries[s], i);
    return Number.isFinite(w) && w > this.maxWall[s] ? w : this.maxWall[s];
  }

  /**
   * The next point in wall-time order. Keys can go stale when the store resamples a series between
   * ticks (the next point is then another one): a later one is re-keyed, an earlier one is just due.
   */
  private peek(): { s: number; i: number; due: number } | null {
    while (this.heapSize > 0) {
      const s = this.heap[0];
      const i = this.nextIndex(s);
      if (i < 0) {
        this.popTop();
        continue;
      }
      const due = this.dueWall(s, i);
      if (due > this.key[s]) {
        this.key[s] = due;
        this.siftDown(0);
        continue;
      }
      return { s, i, due };
    }
    return null;
  }

  /** After delivering series s (at the top) up to index i-1: key it by its next point or drop it. */
  private rekeyTop(s: number, i: number): void {
    const ser = this.entries[s].series;
    if (i < ser.size && ser.orderedStep(i) <= this.limit[s]) {
      this.key[s] = this.dueWall(s, i);
      this.siftDown(0);
    } else this.popTop();
  }

  private rebuildHeap(): void {
    this.heapSize = 0;
    for (let s = 0; s < this.entries.length; s++) {
      const i = this.nextIndex(s);
      if (i < 0) continue;
      this.key[s] = this.dueWall(s, i);
      this.heap[this.heapSize++] = s;
    }
    for (let j = (this.heapSize >>> 1) - 1; j >= 0; j--) this.siftDown(j);
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a];
    const kb = this.key[b];
    return ka < kb || (ka === kb && a < b); // ties: series order (stable, deterministic)
  }

  private popTop(): void {
    this.heap[0] = this.heap[--this.heapSize];
    if (this.heapSize > 0) this.siftDown(0);
  }

  private siftDown(j: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= this.heapSize) return;
      const r = l + 1;
      const c = r < this.heapSize && this.less(h[r], h[l]) ? r : l;
      if (!this.less(h[c], h[j])) return;
      const t = h[c];
      h[c] = h[j];
      h[j] = t;
      j = c;
    }
  }
}
