// Everything the routes can read of a store's runs, in one comparable shape: for tests that check two ways
// of filling a store (main thread / worker threads / log cache) give the same data.
import type { SeriesStore } from '../../server/store/series-store.ts';

/** Everything a route can read of a run, in a comparable shape. */
export function dump(store: SeriesStore): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const run of [...store.runs()].sort()) {
    const plugins = store.pluginSeries(run);
    out[run] = {
      startTime: store.startTime(run),
      scalars: Object.fromEntries(store.scalarTags(run).map((t) => [t, { pts: store.scalars(run, t), info: store.tagInfo(run, t) }])),
      histograms: Object.fromEntries(store.histogramTags(run).map((t) => [t, { pts: store.histograms(run, t), info: store.tagInfo(run, t) }])),
      images: Object.fromEntries(store.imageTags(run).map((t) => [t, store.images(run, t).map((r) => [r, store.imageData(run, t, r.index)?.data.length])])),
      texts: Object.fromEntries(store.textTags(run).map((t) => [t, store.text(run, t)])),
      tensors: store.tensorTags(run),
      plugins: plugins ? JSON.stringify(plugins) : null,
      graphs: store.graphs(run),
      hparams: store.hparamsInfo(run),
      detail: store.hparamsDetail(run),
      session: store.sessionInfo(run),
      warnings: store.warnings(run).sort(),
    };
  }
  return out;
}
