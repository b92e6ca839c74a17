// Full-resolution points for zoomed scalar charts: when a chart's zoom covers a downsampled stretch of
// its runs' series, the points of that step window are fetched (once the zoom has rested for a moment)
// and drawn in place of the coarse ones; zooming out drops them, back to the downsampled view.
import { fetchScalarWindow } from '../api.ts';
import { mergeWindow, stepWindowFor, ZOOM_POINTS_TOTAL, zoomPointsPerRun, type WindowPoints } from '../zoom-window.ts';
import type { ScalarSeries } from './scalar-series.ts';

/** Wait this long after the last zoom change before fetching (wheel zooms come in bursts). */
const SETTLE_MS = 150;

export interface ZoomRun {
  name: string;
  series: ScalarSeries;
  /** x values of the series on the chart's axis. */
  xs: ArrayLike<number>;
}

interface TagDetail {
  key: string;
  minStep: number;
  maxStep: number;
  points: Map<string, WindowPoints>;
  merged: Map<string, { version: number; series: ScalarSeries }>;
}

export class ZoomDetail {
  private byTag = $state.raw<ReadonlyMap<string, TagDetail>>(new Map());
  private wanted = new Map<string, string>();
  private timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** `onError` gets a failed fetch's message (the dashboard's notice). */
  constructor(private readonly onError: (message: string) => void = () => undefined) {}

  /** Called whenever a chart's zoom (or its runs) change: null view = not zoomed. */
  request(tag: string, view: [number, number] | null, runs: readonly ZoomRun[], plotWidth: number): void {
    let lo = Infinity;
    let hi = -Infinity;
    const names: string[] = [];
    if (view) {
      for (const r of runs) {
        const w = stepWindowFor(r.series, r.xs, view[0], view[1]);
        if (!w) continue;
        names.push(r.name);
        lo = Math.min(lo, w[0]);
        hi = Math.max(hi, w[1]);
      }
    }
    clearTimeout(this.timers.get(tag));
    if (names.length === 0) {
      this.wanted.delete(tag);
      if (this.byTag.has(tag)) this.set(tag, null);
      return;
    }
    const key = `${lo}|${hi}|${names.join('\u0000')}`;
    if (this.wanted.get(tag) === key) return;
    this.wanted.set(tag, key);
    this.timers.set(tag, setTimeout(() => {
      this.timers.delete(tag);
      fetchScalarWindow(tag, names, lo, hi, zoomPointsPerRun(names.length, plotWidth))
        .then((res) => {
          if (this.wanted.get(tag) !== key) return; // the zoom moved on
          const points = new Map<string, WindowPoints>();
          for (const [run, rows] of Object.entries(res)) {
            points.set(run, { walls: rows.map((t) => t[0]), steps: rows.map((t) => t[1]), values: rows.map((t) => t[2]) });
          }
          this.set(tag, { key, minStep: lo, maxStep: hi, points, merged: new Map() });
        })
        .catch((e: unknown) => {
          if (this.wanted.get(tag) === key) this.wanted.delete(tag);
          this.onError(`zoom of ${tag}: ${e instanceof Error ? e.message : String(e)}`);
        });
    }, SETTLE_MS));
  }

  /**
   * Series as logged, for downloads: a downsampled one is fetched whole first (up to the server's limit
   * per series, zoom-window.ts' ZOOM_POINTS_TOTAL) and merged with what arrived live after it.
   */
  async complete(tag: string, runs: readonly { name: string; series: ScalarSeries }[]): Promise<{ name: string; series: ScalarSeries }[]> {
    const coarse = runs.filter((r) => r.series.n > 0 && r.series.decimatedThrough >= r.series.steps[0]);
    if (coarse.length === 0) return [...runs];
    const lo = Math.min(...coarse.map((r) => r.series.steps[0]));
    const hi = Math.max(...coarse.map((r) => r.series.decimatedThrough));
    const res = await fetchScalarWindow(tag, coarse.map((r) => r.name), lo, hi, ZOOM_POINTS_TOTAL);
    return runs.map((r) => {
      const rows = coarse.includes(r) ? res[r.name] : undefined;
      if (!rows) return r;
      const pts = { walls: rows.map((t) => t[0]), steps: rows.map((t) => t[1]), values: rows.map((t) => t[2]) };
      return { name: r.name, series: mergeWindow(r.series, pts, lo, hi) };
    });
  }

  /** The series to draw for (tag, run): with the zoomed window at full resolution once fetched. */
  seriesFor(tag: string, run: string, base: ScalarSeries): ScalarSeries {
    const d = this.byTag.get(tag);
    const pts = d?.points.get(run);
    if (!d || !pts) return base;
    const hit = d.merged.get(run);
    if (hit && hit.version === base.version) return hit.series;
    const series = mergeWindow(base, pts, d.minStep, d.maxStep);
    d.merged.set(run, { version: base.version, series });
    return series;
  }

  private set(tag: string, d: TagDetail | null): void {
    const next = new Map(this.byTag);
    if (d) next.set(tag, d);
    else next.delete(tag);
    this.byTag = next;
  }
}
