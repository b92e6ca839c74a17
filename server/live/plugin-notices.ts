// Which HTTP-served plugins (text, pr_curves, audio, custom_scalars) a run holds data of, and which a batch
// of records touched: the dashboard learns of them through DeltaBatch.plugins (tab visibility, live
// refetch). Pure.
import type { PluginNotice } from '../../shared/protocol.ts';
import type { LogRecord } from '../logs/records.ts';
import type { SeriesStore } from '../store/series-store.ts';
import { isKeptPlugin } from '../store/plugin-series.ts';

/** The plugins announced; their data is fetched over HTTP, not pushed as series. */
export const NOTICE_PLUGINS = ['text', 'pr_curves', 'audio', 'custom_scalars'] as const;

/** Plugins of the run with kept data, in NOTICE_PLUGINS order. */
export function runPlugins(store: SeriesStore, run: string): string[] {
  const out: string[] = [];
  if (store.textTags(run).length > 0) out.push('text');
  const ps = store.pluginSeries(run);
  for (const p of NOTICE_PLUGINS) if (p !== 'text' && ps && isKeptPlugin(p) && ps.tags(p).length > 0) out.push(p);
  return out;
}

/** Notices for every plugin the runs hold (the subscribe ack's `plugins`). */
export function subscribedPlugins(store: SeriesStore, runs: '*' | string[]): PluginNotice[] {
  const list = runs === '*' ? store.runs() : runs.filter((r) => store.hasRun(r));
  return list.flatMap((run) => runPlugins(store, run).map((plugin) => ({ run, plugin })));
}

/** Plugins a batch of (accepted) records brings data of. */
export function recordPlugins(records: readonly LogRecord[]): Set<string> {
  const out = new Set<string>();
  for (const r of records) {
    if (r.kind === 'text') out.add('text');
    else if (r.kind === 'tensor' && isKeptPlugin(r.plugin)) out.add(r.plugin);
  }
  return out;
}
