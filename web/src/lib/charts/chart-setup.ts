// Chart.js, tree-shaken: only what our line charts need (the distribution chart's tooltip included). Also a registry of live charts for the debug hook
// (window.__trainscope) that tests and the UI benchmark read.
import { Chart, Filler, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from 'chart.js';

import { bulkLinesPlugin } from './bulk-lines.ts';
import { fmt } from './line-data.ts';
import { xAxisTicks, yAxisTicks } from './nice-scale.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Filler, Tooltip, bulkLinesPlugin);

export { Chart };

/** Options every chart of ours shares: data arrives pre-parsed and sorted, and is drawn without animation. */
export const FAST_LINE_OPTIONS = {
  parsing: false,
  normalized: true,
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
} as const;

/**
 * A LineChart's Chart.js chart: no events (hover and zoom are the component's), no legend or tooltip,
 * round tick values inside the range (nice-scale.ts) rather than Chart.js' labels at the range's ends.
 */
export function createLineChart(canvas: HTMLCanvasElement, o: { fg: string; grid: string; formatX: (v: number | string) => string; xLabel: () => string }): ManyLineChart {
  return new ManyLineChart(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      ...FAST_LINE_OPTIONS,
      events: [],
      spanGaps: false,
      elements: { point: { radius: 0, hitRadius: 0 }, line: { borderWidth: 1.6, tension: 0 } },
      scales: {
        x: { type: 'linear', ticks: { color: o.fg, maxTicksLimit: 6, callback: o.formatX, maxRotation: 0 }, grid: { color: o.grid },
          afterBuildTicks: (s) => { s.ticks = xAxisTicks(s.min, s.max, s.width, o.xLabel()); } },
        y: { type: 'linear', ticks: { color: o.fg, maxTicksLimit: 6, callback: (v) => fmt(Number(v)) }, grid: { color: o.grid },
          afterBuildTicks: (s) => { s.ticks = yAxisTicks(s.min, s.max, s.height, s.type === 'logarithmic'); } },
      },
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
    },
  });
}

export interface ChartEntry {
  id: string;
  chart: Chart;
  /** Points held (full resolution) by the lines drawn, excluding faint raw lines. */
  fullPoints: number;
  drawnAt: number;
  /** Redraws so far and the time the last one took in JS (ms; canvas rasterization may come later). */
  draws: number;
  drawMs: number;
}

export const chartRegistry = new Map<string, ChartEntry>();

/** CSS custom property of the page (theme colors for axes). */
export function cssVar(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}


type Meta = ReturnType<Chart['getDatasetMeta']>;
interface ChartInternals {
  _metasets: (Meta & { _dataset: object })[];
  _stacks?: unknown;
  _destroyDatasetMeta(index: number): void;
}

/**
 * Chart.js finds a dataset's metadata by a linear search over all metasets (and drops stale metasets by
 * a linear search over all datasets), once per dataset per update: quadratic in the dataset count, about
 * a second per update with 1,000 runs overlaid. This subclass keeps a dataset -> meta map instead.
 */
export class ManyLineChart extends Chart<'line'> {
  private metaIndex?: Map<object, Meta>;

  override getDatasetMeta(datasetIndex: number): Meta {
    const dataset = this.data.datasets[datasetIndex] as object;
    const index = (this.metaIndex ??= new Map());
    const hit = index.get(dataset);
    if (hit) return hit;
    const meta = super.getDatasetMeta(datasetIndex);
    if (dataset) index.set(dataset, meta);
    return meta;
  }

  /** Chart.js' own, with a Set instead of a filter per metaset (metasets of removed datasets are destroyed). */
  _removeUnreferencedMetasets(): void {
    const self = this as unknown as ChartInternals;
    const live = new Set<object>(this.data.datasets);
    if (self._metasets.length > live.size) delete self._stacks;
    self._metasets.forEach((meta, i) => {
      if (!live.has(meta._dataset)) self._destroyDatasetMeta(i);
    });
  }

  _destroyDatasetMeta(index: number): void {
    const self = this as unknown as ChartInternals;
    const meta = self._metasets[index];
    if (meta) this.metaIndex?.delete(meta._dataset);
    (Chart.prototype as unknown as ChartInternals)._destroyDatasetMeta.call(this, index);
  }
}
