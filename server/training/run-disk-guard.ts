// The training manager's disk budgets at work: admitting runs on their estimated log size, and a timer
// that stats running runs' files while any run is running and hands back those over budget (or all of
// them when the logdir is over its own). The arithmetic is disk-budget.ts's; this owns the schedule.
import type { TrainSpec } from '../../shared/types.ts';
import { DiskBudget } from './disk-budget.ts';
import { estimateLogBytes } from './log-estimate.ts';
import type { TrainingManagerOptions } from './manager-types.ts';

type GuardOptions = Pick<TrainingManagerOptions, 'maxRunBytes' | 'maxLogdirBytes' | 'estimateBytes' | 'diskCheckMs'>;

export class RunDiskGuard {
  readonly budget: DiskBudget;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: GuardOptions,
    /** The running runs' names, and how to stop one (with the reason it will report). */
    private readonly runs: { running(): string[]; stopFor(run: string, reason: string): void },
  ) {
    this.budget = new DiskBudget({ maxRunBytes: opts.maxRunBytes ?? Infinity, maxLogdirBytes: opts.maxLogdirBytes ?? Infinity });
  }

  /** Estimated log sizes of the runs; throws a readable Error when they do not fit the disk budgets. */
  admit(runs: readonly (readonly [string, TrainSpec])[]): number[] {
    const est = runs.map(([name, spec]) => {
      const e = estimateLogBytes(spec);
      return { name, ...e, bytes: this.opts.estimateBytes ? this.opts.estimateBytes(spec) : e.bytes };
    });
    this.budget.admit(
      est.map((e) => ({ name: e.name, estimate: e.bytes, what: `${e.iterations} iterations, ${e.summarySteps} summary steps, ${e.images} images` })),
    );
    return est.map((e) => e.bytes);
  }

  /** A run started: measure while any runs. */
  watch(): void {
    this.timer ??= setInterval(() => this.check(), this.opts.diskCheckMs ?? 250);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Measures running runs' files; stops those over their budget, or all when the logdir is over its own. */
  private check(): void {
    const running = this.runs.running();
    for (const name of running) {
      this.budget.measure(name);
      const over = this.budget.runOver(name);
      if (over) this.runs.stopFor(name, over);
    }
    const full = this.budget.logdirOver();
    if (full) for (const name of running) this.runs.stopFor(name, full);
    if (running.length === 0) this.close();
  }
}
