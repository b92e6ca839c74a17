// Which runs have projector embeddings: asked of /data/plugin/projector/runs when the run list or a run's
// state changes (an epoch end writes a new embedding), at most once per interval, never two at a time.
import { fetchProjectorRuns } from './api.ts';

export class ProjectorRunsWatch {
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = false;

  constructor(
    private readonly onRuns: (runs: string[]) => void,
    private readonly intervalMs = 5000,
    private readonly fetchRuns: () => Promise<string[]> = fetchProjectorRuns,
  ) {}

  /** Something changed: ask again now, or once the interval since the last ask has passed. */
  poke(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.ask();
    }, wait);
  }

  private async ask(): Promise<void> {
    if (this.inFlight) return this.poke();
    this.inFlight = true;
    this.last = Date.now();
    try {
      let runs: string[] = [];
      try {
        runs = await this.fetchRuns();
      } catch {
        // The projector routes are optional (e.g. a logdir without any); the tab stays hidden.
      }
      this.onRuns(runs);
    } finally {
      this.inFlight = false;
    }
  }
}
