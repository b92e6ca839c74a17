// One scalar series in typed arrays (no per-point objects): steps/wall times/values, sampled by the
// reservoir rules in reservoir.ts. Tuples are built only when someone reads.
import type { ScalarTuple } from '../../shared/types.ts';
import { ReservoirCore, type AddResult, type Rng } from './reservoir.ts';
import { downsampleIndices } from '../../shared/decimate.ts';

/** Columnar points; values are null where the logged value was NaN/±Inf (JSON has none). */
export interface ScalarColumns {
  wallTimes: number[];
  steps: number[];
  values: (number | null)[];
}

export class ScalarSeries extends ReservoirCore {
  private wall: Float64Array;
  private vals: Float64Array;

  constructor(capacity: number, rng?: Rng) {
    super(capacity, rng);
    this.wall = new Float64Array(this.steps.length);
    this.vals = new Float64Array(this.steps.length);
  }

  add(step: number, wallTime: number, value: number): AddResult {
    const res = this.place(step);
    if (res.accepted) {
      this.wall[res.slot] = wallTime;
      this.vals[res.slot] = value;
    }
    return res;
  }

  /** Bytes held by this series' arrays (capacity, not just what is used). */
  get bytes(): number {
    return this.steps.byteLength + this.wall.byteLength + this.vals.byteLength;
  }

  /** [wallTime, step, value] in step order; only step > afterStep when given. Values keep NaN/±Inf. */
  tuples(afterStep?: number): ScalarTuple[] {
    const start = this.startAfter(afterStep);
    const out: ScalarTuple[] = new Array(this.n - start);
    for (let i = start; i < this.n; i++) out[i - start] = [this.wall[i], this.steps[i], this.vals[i]];
    return out;
  }

  /** Columns in step order (null for non-finite values); only step > afterStep when given. */
  columns(afterStep?: number): ScalarColumns {
    const start = this.startAfter(afterStep);
    return this.columnsOfSlots(start, this.n);
  }

  /**
   * columns(afterStep) at about `points` points, read straight from the typed columns (min / max per step
   * bucket, as live/backlog-downsample.ts does to a delta): a late joiner's backlog of a long series no
   * longer copies every point into arrays first. Unchanged (decimated false) when it has no more points.
   * `upTo`: only steps <= upTo (a backlog read after points newer than it arrived).
   */
  columnsDownsampled(afterStep: number | undefined, points: number, upTo?: number): { cols: ScalarColumns; decimated: boolean } {
    const start = this.startAfter(afterStep);
    const end = upTo === undefined ? this.n : Math.max(start, this.startAfter(upTo));
    const n = end - start;
    if (n <= points) return { cols: this.columnsOfSlots(start, end), decimated: false };
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = this.vals[start + i];
      values[i] = Number.isFinite(v) ? v : NaN; // what a delta's null value decimates as
    }
    const out: ScalarColumns = { wallTimes: [], steps: [], values: [] };
    for (const i of downsampleIndices(this.steps.subarray(start, end), values, n, points)) this.pushSlot(out, start + i);
    return { cols: out, decimated: true };
  }

  /** Columns for the given slots (as returned by add), ordered by step. */
  columnsForSlots(slots: readonly number[]): ScalarColumns {
    const uniq = Array.from(new Set(slots)).sort((a, b) => this.steps[a] - this.steps[b]);
    const out: ScalarColumns = { wallTimes: [], steps: [], values: [] };
    for (const s of uniq) this.pushSlot(out, s);
    return out;
  }

  /** Columns of the kept points with ordered index in [from, to) (see ReservoirCore.indexAfter). */
  columnsBetween(from: number, to: number): ScalarColumns {
    this.ensureOrdered();
    return this.columnsOfSlots(Math.max(0, from), Math.min(this.n, to));
  }

  /** Wall time of the i-th kept point in step order. */
  orderedWallTime(i: number): number {
    this.ensureOrdered();
    return this.wall[i];
  }

  private columnsOfSlots(from: number, to: number): ScalarColumns {
    const out: ScalarColumns = { wallTimes: [], steps: [], values: [] };
    for (let i = from; i < to; i++) this.pushSlot(out, i);
    return out;
  }

  private pushSlot(out: ScalarColumns, i: number): void {
    const v = this.vals[i];
    out.wallTimes.push(this.wall[i]);
    out.steps.push(this.steps[i]);
    out.values.push(Number.isFinite(v) ? v : null);
  }

  protected growColumns(length: number): void {
    const w = new Float64Array(length);
    w.set(this.wall.subarray(0, this.n));
    this.wall = w;
    const v = new Float64Array(length);
    v.set(this.vals.subarray(0, this.n));
    this.vals = v;
  }

  protected permuteColumns(order: Uint32Array): void {
    const w = new Float64Array(this.wall.length);
    const v = new Float64Array(this.vals.length);
    for (let i = 0; i < order.length; i++) {
      w[i] = this.wall[order[i]];
      v[i] = this.vals[order[i]];
    }
    this.wall = w;
    this.vals = v;
  }

  protected releaseSlots(): void {
    // numbers hold no references
  }
}
