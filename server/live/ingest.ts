// The single ingest path for every record source (trainer 'records' events, the logdir watcher, the live
// benchmark's synthetic producer): store first, then the same accepted deltas out to clients.
import type { PackedRecords } from '../logs/packed-records.ts';
import type { LogRecord } from '../logs/records.ts';
import type { SeriesStore } from '../store/series-store.ts';
import type { LiveHub } from './hub.ts';
import type { RunsService } from './runs-service.ts';
import { recordPlugins } from './plugin-notices.ts';

export type Ingest = (run: string, records: LogRecord[]) => void;
export type PackedIngest = (run: string, packed: PackedRecords) => void;

export function createIngest(store: SeriesStore, hub: LiveHub, runs: RunsService, warn: (m: string) => void): Ingest {
  return (run, records) => {
    try {
      const isNew = !store.hasRun(run);
      hub.publish(store.ingest(run, records, hub.wantsRun(run)));
      announce(hub, runs, run, isNew, records);
    } catch (e) {
      // A bad record batch must never take the server down; say which run it came from.
      warn(`ingest failed for run "${run}" (${records.length} records): ${(e as Error).message}`);
    }
  };
}

/** The same path for a load worker's packed records (see packed-records.ts). */
export function createPackedIngest(store: SeriesStore, hub: LiveHub, runs: RunsService, warn: (m: string) => void): PackedIngest {
  return (run, packed) => {
    try {
      const isNew = !store.hasRun(run);
      hub.publish(store.ingestPacked(run, packed, hub.wantsRun(run)));
      const records = packed.segments.flatMap((seg) => (seg.kind === 'records' ? seg.records : []));
      announce(hub, runs, run, isNew, records);
    } catch (e) {
      warn(`ingest failed for run "${run}" (${packed.count} records): ${(e as Error).message}`);
    }
  };
}

/** What else the records change besides series: the run's info (new run, hparams), its graph, its plugins. */
function announce(hub: LiveHub, runs: RunsService, run: string, isNew: boolean, records: readonly LogRecord[]): void {
  let infoChanged = isNew;
  let graph = false;
  for (const r of records) {
    if (r.kind === 'hparams') infoChanged = true;
    else if (r.kind === 'graph') graph = true;
  }
  if (infoChanged) {
    const info = runs.info(run);
    if (info) hub.publishRuns([info]);
  }
  if (graph) hub.publishGraph(run);
  const plugins = recordPlugins(records);
  if (plugins.size > 0) hub.publishPlugins([...plugins].map((plugin) => ({ run, plugin })));
}
