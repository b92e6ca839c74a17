// Entry: state root and the one socket (boot.ts, first: it connects while the rest loads), the app, and a
// debug hook tests and the UI bench read.
import { dash } from './boot.ts';
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { chartRegistry } from './lib/charts/chart-setup.ts';
import { bulkLines, restrokedLayers } from './lib/charts/bulk-lines.ts';
import { markOnce } from './lib/page-marks.ts';

mount(App, { target: document.getElementById('app')!, props: { dash } });
markOnce('mounted');

declare global {
  interface Window {
    __trainscope?: unknown;
  }
}

window.__trainscope = {
  dash,
  /** Every live chart: id, dataset lengths (points handed to Chart.js, then those of lines drawn in bulk), full-resolution points, last draw time,
   *  redraw count and the last redraw's JS time. */
  charts: () =>
    [...chartRegistry.values()].map((e) => ({
      id: e.id,
      lengths: e.chart.data.datasets.map((d) => d.data.length).concat(bulkLines(e.chart).map((l) => l.n)),
      fullPoints: e.fullPoints,
      drawnAt: e.drawnAt,
      draws: e.draws,
      drawMs: e.drawMs,
      /** Layer bitmaps re-stroked by the last redraw (null: drawn without layers, line-layers.ts). */
      restroked: restrokedLayers(e.chart),
    })),
  /** Only when each chart was last drawn, how often and how long it took (cheap enough to poll every frame). */
  draws: () => [...chartRegistry.values()].map((e) => ({ id: e.id, drawnAt: e.drawnAt, draws: e.draws, drawMs: e.drawMs })),
  /** The Chart.js instance of a chart (benchmarks time redraws with it). */
  chart: (id: string) => chartRegistry.get(id)?.chart,
};
