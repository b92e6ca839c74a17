// TensorBoard's /data/plugins_listing: every dashboard TensorBoard 2.21 knows, in its shape, with `enabled`
// saying whether the logdir has data for it. Pure: takes what the store holds, returns the JSON.
import type { SeriesStore } from '../store/series-store.ts';

interface Loading {
  type: 'CUSTOM_ELEMENT' | 'NG_COMPONENT' | 'IFRAME';
  element_name?: string;
  module_path?: string;
}
interface PluginEntry {
  disable_reload: boolean;
  enabled: boolean;
  loading_mechanism: Loading;
  remove_dom: boolean;
  tab_name: string;
}

/** What the logdir holds, per kind (computed from the store by `logdirContents`). */
export interface LogdirContents {
  scalars: boolean;
  histograms: boolean;
  images: boolean;
  text: boolean;
  graphs: boolean;
  hparams: boolean;
  /** Plugin names of other summaries (audio, pr_curves, custom_scalars, mesh, ...). */
  tensorPlugins: Set<string>;
}

export function logdirContents(store: SeriesStore, graphsOf: (run: string) => boolean): LogdirContents {
  const c: LogdirContents = { scalars: false, histograms: false, images: false, text: false, graphs: false, hparams: false, tensorPlugins: new Set() };
  for (const run of store.runs()) {
    c.scalars ||= store.scalarTags(run).length > 0;
    c.histograms ||= store.histogramTags(run).length > 0;
    c.images ||= store.imageTags(run).length > 0;
    c.text ||= store.textTags(run).length > 0;
    c.graphs ||= graphsOf(run);
    const hp = store.hparamsInfo(run);
    c.hparams ||= hp.hparams !== undefined || hp.metrics !== undefined;
    for (const t of Object.values(store.tensorTags(run))) c.tensorPlugins.add(t.plugin);
  }
  return c;
}

const el = (element_name: string): Loading => ({ element_name, type: 'CUSTOM_ELEMENT' });

/** TensorBoard's plugin order, tab names and loading mechanisms; `enabled` from the logdir's contents. */
export function pluginsListing(c: LogdirContents): Record<string, PluginEntry> {
  const t = (p: string) => c.tensorPlugins.has(p);
  const rows: [string, string, Loading, boolean, boolean?][] = [
    ['scalars', 'scalars', el('tf-scalar-dashboard'), c.scalars],
    ['custom_scalars', 'Custom Scalars', el('tf-custom-scalar-dashboard'), t('custom_scalars')],
    ['images', 'images', el('tf-image-dashboard'), c.images],
    ['audio', 'audio', el('tf-audio-dashboard'), t('audio')],
    ['debugger-v2', 'Debugger V2', { type: 'NG_COMPONENT' }, t('debugger-v2')],
    ['graphs', 'graphs', el('tf-graph-dashboard'), c.graphs, true],
    ['distributions', 'distributions', el('tf-distribution-dashboard'), c.histograms],
    ['histograms', 'histograms', el('tf-histogram-dashboard'), c.histograms],
    ['text', 'text', el('tf-text-dashboard'), c.text],
    ['pr_curves', 'PR Curves', el('tf-pr-curve-dashboard'), t('pr_curves')],
    // TensorBoard only enables the projector after a slow asynchronous check; it answered false here too.
    ['projector', 'projector', { module_path: '/data/plugin/projector/index.js', type: 'IFRAME' }, false, true],
    ['profile_redirect', 'Profile', el('tf-profile-redirect-dashboard'), false],
    ['hparams', 'hparams', el('tf-hparams-dashboard'), c.hparams],
    ['mesh', 'mesh', el('mesh-dashboard'), t('mesh')],
    ['timeseries', 'Time Series', { type: 'NG_COMPONENT' }, true],
    ['wit_redirect', 'What-If Tool', el('tf-wit-redirect-dashboard'), false],
  ];
  const out: Record<string, PluginEntry> = {};
  rows.sort((a, b) => (a[0] < b[0] ? -1 : 1)); // TensorBoard writes the keys sorted
  for (const [name, tab, loading, enabled, disableReload] of rows) {
    out[name] = { disable_reload: disableReload ?? false, enabled, loading_mechanism: loading, remove_dom: false, tab_name: tab };
  }
  return out;
}
