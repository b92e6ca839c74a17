// What a replay still owes its client after a seek (or its start): every series reset, then its stored
// points up to the seek step. A seek on a large run is ~100k points; sent at once it was one message
// of several MB (its arrays, its JSON string and its frame all alive together, per client), which set
// the server's RSS peak. Here it goes out in chunks of bounded points, one per tick while the socket
// drains. Pure and synchronous; positions are steps, not indexes, so the store may append or resample
// between chunks (a step rewind makes the session start over: SeriesStore.resetMark).
import type { SeriesDelta } from '../../shared/protocol.ts';
import type { StoredSeries } from '../store/series-store.ts';
import type { ReplayRange } from './replay-cursor.ts';
import { sliceDelta } from './replay-cursor.ts';

/** Weight of a point in a chunk: a histogram point is its buckets (each about a scalar point's size). */
function weight(e: StoredSeries, from: number, to: number): number {
  if (e.kind !== 'histograms') return to - from;
  let w = 0;
  for (let i = from; i < to; i++) w += 1 + e.series.orderedBucketCount(i);
  return w;
}

export class SeekBacklog {
  /** Per series: last step sent (exclusive lower bound of what is left), last step owed. */
  private readonly after: Float64Array;
  private readonly upto: Float64Array;
  /** Per series: its reset delta is still to be sent. */
  private readonly fresh: Uint8Array;
  /** Series number being sent (series go in order, each completely before the next). */
  private next = 0;

  /** `ranges`: one [0, to) per series, as ReplayCursor.seek returns them. */
  constructor(
    private readonly run: string,
    private readonly entries: readonly StoredSeries[],
    ranges: readonly ReplayRange[],
  ) {
    const k = entries.length;
    this.after = new Float64Array(k).fill(-Infinity);
    this.upto = new Float64Array(k).fill(-Infinity);
    this.fresh = new Uint8Array(k);
    for (const r of ranges) {
      this.fresh[r.series] = 1;
      if (r.to > 0) this.upto[r.series] = entries[r.series].series.orderedStep(r.to - 1);
    }
    this.skip();
  }

  get done(): boolean {
    return this.next >= this.entries.length;
  }

  /**
   * The next chunk: deltas worth at most maxWeight (a scalar point is 1, an empty reset 1, a histogram
   * point 1 + its buckets); at least one point, so it always progresses. Resets come first per series.
   */
  take(maxWeight: number): SeriesDelta[] {
    const out: SeriesDelta[] = [];
    let budget = maxWeight;
    while (!this.done && (budget > 0 || out.length === 0)) {
      const s = this.next;
      const e = this.entries[s];
      const from = e.series.indexAfter(this.after[s]);
      const to = this.upto[s] === -Infinity ? from : Math.max(from, e.series.indexAfter(this.upto[s]));
      let end = from;
      let w = 0;
      // Grow the slice while it fits (at least one point when the chunk is still empty).
      while (end < to) {
        const pw = weight(e, end, end + 1);
        if (w + pw > budget && (end > from || out.length > 0)) break;
        w += pw;
        end++;
      }
      if (end > from || this.fresh[s]) out.push(sliceDelta(this.run, e, from, end, this.fresh[s] === 1));
      this.fresh[s] = 0;
      budget -= Math.max(1, w);
      if (end >= to) {
        this.next++;
        this.skip();
      } else {
        if (end === from) break; // nothing more fitted: the rest goes in the next chunk
        this.after[s] = e.series.orderedStep(end - 1);
      }
    }
    return out;
  }

  /** Moves past series with nothing owed (no reset, no points). */
  private skip(): void {
    while (this.next < this.entries.length && !this.fresh[this.next] && this.upto[this.next] <= this.after[this.next]) this.next++;
  }
}
