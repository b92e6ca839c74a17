// Clients see a run's initial-load progress in its RunInfo (loading). Workers report after every batch
// (many a second); this passes a run's change on at most once per interval, and its end at once.
export class ProgressPublisher {
  private readonly due = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly publish: (run: string) => void,
    private readonly intervalMs = 500,
  ) {}

  /** `done`: the run finished loading (published now, with nothing pending after it). */
  changed(run: string, done: boolean): void {
    if (done) {
      this.due.delete(run);
      this.publish(run);
      return;
    }
    this.due.add(run);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due.clear();
  }

  private flush(): void {
    this.timer = null;
    const runs = [...this.due];
    this.due.clear();
    for (const r of runs) this.publish(r);
  }
}
