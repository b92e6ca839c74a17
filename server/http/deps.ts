// What the route groups need from the app.
import type { ResolvedConfig } from '../config.ts';
import type { RunsService } from '../live/runs-service.ts';
import type { SeriesStore } from '../store/series-store.ts';
import type { BackendName } from '../../shared/types.ts';

export interface HttpDeps {
  config: ResolvedConfig;
  store: SeriesStore;
  runs: RunsService;
  backend(): BackendName | null;
  version: string;
  /** A route reads these runs: count them as viewed (memory bound) and wait until their data is in memory. */
  beforeRead?: (runs: string[]) => Promise<void>;
}
