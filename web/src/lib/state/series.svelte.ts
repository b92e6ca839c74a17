// Client-side data of every run: scalars in typed arrays, histograms / images as small arrays.
// Deltas mutate plain data; one $state counter (`frame`) is bumped at most once per animation frame,
// so any number of deltas in a frame cause a single redraw.
import type { SeriesDelta } from '../../../../shared/protocol.ts';
import { dict } from '../../../../shared/dict.ts';
import type { HistogramTuple, ImageRef } from '../../../../shared/types.ts';
import { ScalarSeries } from './scalar-series.ts';

/** Histogram / image points kept per series on the client (the server samples too). */
const MAX_LIST = 2000;

type Kind = 'scalars' | 'histograms' | 'images';

function nested<T>(m: Map<string, Map<string, T>>, run: string): Map<string, T> {
  let inner = m.get(run);
  if (!inner) m.set(run, (inner = new Map()));
  return inner;
}

export class SeriesState {
  /** Bumped once per animation frame in which data changed. */
  frame = $state(0);
  /** Bumped when a run or tag appears or disappears (tag lists, card lists). */
  structure = $state(0);

  private scalarMap = new Map<string, Map<string, ScalarSeries>>();
  private histMap = new Map<string, Map<string, HistogramTuple[]>>();
  private imageMap = new Map<string, Map<string, ImageRef[]>>();
  private scheduled = false;
  private structureDirty = false;

  /** Render cost of the last redraw (ms, from our rAF to the next one) and when it ended. */
  private frameCost = 0;
  private frameEnd = 0;

  /**
   * One redraw per animation frame at most; and when redraws are expensive (a big initial load drawing
   * many runs), wait as long as the last one took, so socket messages keep being processed in between.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const hasRaf = typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden;
    const run = () => {
      this.scheduled = false;
      const start = performance.now();
      this.frame++;
      if (this.structureDirty) {
        this.structureDirty = false;
        this.structure++;
      }
      if (hasRaf)
        requestAnimationFrame(() => {
          this.frameEnd = performance.now();
          this.frameCost = Math.min(1000, this.frameEnd - start);
        });
    };
    if (!hasRaf) {
      setTimeout(run, 16);
      return;
    }
    // The page's first data is shown right after the task that brought it: its first chart is drawn before
    // the next backlog chunk (~650 kB, often in already) is decoded and then drawn with it, at ~10x the points.
    if (this.frame === 0) {
      queueMicrotask(run);
      return;
    }
    const wait = this.frameCost > 50 ? this.frameEnd + this.frameCost - performance.now() : 0;
    if (wait > 4) setTimeout(() => requestAnimationFrame(run), wait);
    else requestAnimationFrame(run);
  }

  apply(d: SeriesDelta): void {
    const map: Map<string, Map<string, unknown>> =
      d.kind === 'scalars' ? this.scalarMap : d.kind === 'histograms' ? this.histMap : this.imageMap;
    const inner = nested(map, d.run);
    if (!inner.has(d.tag)) this.structureDirty = true;
    if (d.kind === 'scalars') {
      let s = this.scalarMap.get(d.run)!.get(d.tag);
      if (!s) this.scalarMap.get(d.run)!.set(d.tag, (s = new ScalarSeries()));
      if (d.reset) s.clear();
      s.append(d.wallTimes, d.steps, d.values);
      if (d.decimated && d.steps.length) s.decimatedThrough = Math.max(s.decimatedThrough, d.steps[d.steps.length - 1]);
    } else if (d.kind === 'histograms') {
      const prev = d.reset ? [] : (this.histMap.get(d.run)!.get(d.tag) ?? []);
      const last = prev.length ? prev[prev.length - 1][1] : -Infinity;
      // A new array each time so readers' $derived see a change.
      const next = prev.concat(d.points.filter((p) => p[1] > last));
      this.histMap.get(d.run)!.set(d.tag, next.length > MAX_LIST ? next.slice(next.length - MAX_LIST) : next);
    } else {
      const prev = d.reset ? [] : (this.imageMap.get(d.run)!.get(d.tag) ?? []);
      const lastRef = prev[prev.length - 1];
      const fresh = d.points.filter((p) => !lastRef || p.step > lastRef.step || (p.step === lastRef.step && p.sample > lastRef.sample));
      const next = prev.concat(fresh);
      this.imageMap.get(d.run)!.set(d.tag, next.length > MAX_LIST ? next.slice(next.length - MAX_LIST) : next);
    }
    this.schedule();
  }

  /** Drops every series of a run (kept as known run). Used when a replay of it starts. */
  clearRun(run: string): void {
    for (const m of [this.scalarMap, this.histMap, this.imageMap] as Map<string, Map<string, unknown>>[]) m.delete(run);
    this.structureDirty = true;
    this.schedule();
  }

  removeRun(run: string): void {
    this.clearRun(run);
  }

  /** Per run, per tag: last step held (for zero-gap resume). Runs in `omit` are left out entirely. */
  have(omit: ReadonlySet<string> = new Set()): Record<string, Record<string, number>> {
    // Null-prototype maps: on a plain {}, a run named "__proto__" would make out[run] Object.prototype
    // and r[tag] = step would write every tag onto every object of the page.
    const out = dict<Record<string, number>>();
    const note = (run: string, tag: string, step: number) => {
      if (omit.has(run) || !Number.isFinite(step)) return;
      const r = (out[run] ??= dict<number>());
      // A tag name used by two kinds: resume from the smaller step so neither misses points.
      r[tag] = tag in r ? Math.min(r[tag], step) : step;
    };
    for (const [run, tags] of this.scalarMap) for (const [tag, s] of tags) if (s.n > 0) note(run, tag, s.lastStep);
    for (const [run, tags] of this.histMap) for (const [tag, l] of tags) if (l.length) note(run, tag, l[l.length - 1][1]);
    for (const [run, tags] of this.imageMap) for (const [tag, l] of tags) if (l.length) note(run, tag, l[l.length - 1].step);
    return out;
  }

  private tagsOf(kind: Kind, runs: readonly string[]): string[] {
    void this.structure;
    const map: Map<string, Map<string, unknown>> =
      kind === 'scalars' ? this.scalarMap : kind === 'histograms' ? this.histMap : this.imageMap;
    const set = new Set<string>();
    for (const r of runs) for (const t of map.get(r)?.keys() ?? []) set.add(t);
    return [...set].sort();
  }

  scalarTags(runs: readonly string[]): string[] {
    return this.tagsOf('scalars', runs);
  }
  histogramTags(run: string): string[] {
    return this.tagsOf('histograms', [run]);
  }
  imageTags(run: string): string[] {
    return this.tagsOf('images', [run]);
  }

  /** Reactive on `frame`: the series object is stable, compare its version. */
  scalar(run: string, tag: string): ScalarSeries | undefined {
    void this.frame;
    return this.scalarMap.get(run)?.get(tag);
  }
  /** All scalar series of a run (non-reactive snapshot of the map). */
  scalarsOf(run: string): Map<string, ScalarSeries> {
    void this.frame;
    return this.scalarMap.get(run) ?? new Map();
  }
  histograms(run: string, tag: string): HistogramTuple[] {
    void this.frame;
    return this.histMap.get(run)?.get(tag) ?? [];
  }
  images(run: string, tag: string): ImageRef[] {
    void this.frame;
    return this.imageMap.get(run)?.get(tag) ?? [];
  }
  /** Total scalar points held (status line / debugging). */
  totalPoints(): number {
    void this.frame;
    let n = 0;
    for (const tags of this.scalarMap.values()) for (const s of tags.values()) n += s.n;
    return n;
  }
}
