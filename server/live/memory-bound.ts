// --max-memory: the store's bytes (typed arrays, exact enough to count) stay under a limit by dropping
// the data of the runs viewed least recently (viewed = read by a route or subscribed to by a socket).
// A dropped run stays listed; viewing it brings it back through a RunReloader. Checked after every
// ingest batch, so the store exceeds the limit by at most one batch, and by one run while it is read back.
import type { SeriesStore } from '../store/series-store.ts';
import type { RunReloader } from '../store/run-reloader.ts';

export class MemoryBound {
  /** Last view per run (a counter, not a clock: order is all that matters). */
  private readonly lastView = new Map<string, number>();
  private seq = 0;
  private readonly reloading = new Map<string, Promise<void>>();
  evictions = 0;

  constructor(
    private readonly store: SeriesStore,
    readonly limitBytes: number,
    private readonly reloader: RunReloader,
    /** Runs that may leave memory (not, e.g., runs our own trainer writes). */
    private readonly evictable: (run: string) => boolean = () => true,
  ) {}

  /** The runs were just viewed; resolves once any of them that had left memory is back. */
  touch(runs: readonly string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const run of runs) {
      this.lastView.set(run, ++this.seq);
      if (this.lastView.size > 100_000) this.lastView.delete(this.lastView.keys().next().value as string);
      const busy = this.reloading.get(run);
      if (busy) waits.push(busy);
      else if (this.store.isEvicted(run)) {
        const p = this.reloader
          .reload(run)
          .catch(() => {})
          .finally(() => {
            this.reloading.delete(run);
            this.enforce();
          });
        this.reloading.set(run, p);
        waits.push(p);
      }
    }
    return waits.length === 0 ? Promise.resolve() : Promise.all(waits).then(() => {});
  }

  /** Drop least recently viewed runs until the store is under the limit (a run being read back is kept). */
  enforce(): void {
    if (this.store.totalBytes <= this.limitBytes) return;
    const candidates = this.store
      .residentRuns()
      .filter((r) => !this.reloading.has(r) && this.evictable(r))
      .sort((a, b) => (this.lastView.get(a) ?? 0) - (this.lastView.get(b) ?? 0));
    for (const run of candidates) {
      if (this.store.totalBytes <= this.limitBytes) break;
      if (this.store.runBytes(run) === 0) continue;
      this.reloader.release(run);
      this.store.evictRun(run);
      this.evictions++;
    }
  }
}
