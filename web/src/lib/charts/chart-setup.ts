// Chart.js, tree-shaken: only what our line charts need (the distribution chart's tooltip included). Also a registry of live charts for the debug hook
// (window.__trainscope) that tests and the UI benchmark read.
import { Chart, Filler, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Filler, Tooltip);

export { Chart };

/** Options every chart of ours shares: data arrives pre-parsed and sorted, and is drawn without animation. */
export const FAST_LINE_OPTIONS = {
  parsing: false,
  normalized: true,
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
} as const;

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

