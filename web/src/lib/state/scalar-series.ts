// One (run, tag) scalar series in growable typed arrays — deliberately outside Svelte's deep reactivity
// (100k-point proxies would be slow). Components redraw on SeriesState.frame and compare `version`.
import { extendSmoothed, type SmoothState } from '../../../../shared/smoothing.ts';

/** Points kept per series on the client; beyond it the oldest tenth is dropped (bounded memory). */
export const MAX_POINTS_PER_SERIES = 2_000_000;

/** Versions are unique over all series (a series built from another, zoom-window.ts, never repeats one). */
let lastVersion = 0;

export class ScalarSeries {
  steps = new Float64Array(256);
  values = new Float64Array(256);
  walls = new Float64Array(256);
  n = 0;
  /** Changes on every change (to a value no series had before); consumers cache derived arrays against it. */
  version = ++lastVersion;
  /**
   * Last step of a backlog the server downsampled (subscribe's `points`): up to it, points between the
   * ones held were left out (a zoom fetches them, zoom-detail.svelte.ts); after it, every point is held.
   */
  decimatedThrough = -Infinity;
  private smoothed: Float64Array | null = null;
  private smoothState: SmoothState | null = null;

  get lastStep(): number {
    return this.n > 0 ? this.steps[this.n - 1] : -Infinity;
  }

  private grow(min: number): void {
    let cap = this.steps.length;
    while (cap < min) cap *= 2;
    if (cap === this.steps.length) return;
    for (const k of ['steps', 'values', 'walls'] as const) {
      const next = new Float64Array(cap);
      next.set(this[k].subarray(0, this.n));
      this[k] = next;
    }
  }

  /** Appends points with step > lastStep (duplicates from a resume are dropped). Returns how many were added. */
  append(walls: ArrayLike<number>, steps: ArrayLike<number>, values: ArrayLike<number | null>): number {
    const len = Math.min(walls.length, steps.length, values.length);
    this.grow(this.n + len);
    let added = 0;
    for (let i = 0; i < len; i++) {
      const step = steps[i];
      if (this.n > 0 && step <= this.steps[this.n - 1]) continue;
      const v = values[i];
      this.steps[this.n] = step;
      this.walls[this.n] = walls[i];
      this.values[this.n] = v === null || v === undefined ? NaN : v;
      this.n++;
      added++;
    }
    if (this.n > MAX_POINTS_PER_SERIES) this.dropOldest(Math.ceil(this.n / 10));
    if (added > 0) this.version = ++lastVersion;
    return added;
  }

  private dropOldest(k: number): void {
    for (const key of ['steps', 'values', 'walls'] as const) this[key].copyWithin(0, k, this.n);
    this.n -= k;
    this.smoothState = null;
  }

  clear(): void {
    this.n = 0;
    this.decimatedThrough = -Infinity;
    this.smoothState = null;
    this.version = ++lastVersion;
  }

  /** Smoothed values (same length as n), extended incrementally for appends. */
  smoothedValues(weight: number): Float64Array {
    if (!this.smoothed || this.smoothed.length < this.steps.length) {
      const next = new Float64Array(this.steps.length);
      if (this.smoothed && this.smoothState) next.set(this.smoothed.subarray(0, this.smoothState.done));
      this.smoothed = next;
    }
    if (this.smoothState && this.smoothState.done > this.n) this.smoothState = null;
    this.smoothState = extendSmoothed(this.values, this.n, this.smoothed, this.smoothState, weight);
    return this.smoothed;
  }
}
