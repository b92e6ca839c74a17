// Work the first chart need not wait for. Rendering the sidebar's run rows when the run list arrives
// (hello) took 76-270 ms of the main thread on a busy machine, right when the subscribe's ack and first
// backlog chunk came in: the first chart waited for it. Such work runs once the first chart is on screen
// (the frame after its draw), or `fallbackMs` after it was asked for (a page with no scalar chart).

type Timers = {
  setTimeout: (fn: () => void, ms: number) => unknown;
  requestAnimationFrame?: (fn: () => void) => unknown;
};

export class AfterFirstChart {
  private drawn = false;
  private waiting: (() => void)[] = [];

  constructor(private readonly timers: Timers) {}

  /** Runs fn after the first chart is shown, or after fallbackMs, whichever is first (at once if shown already). */
  run(fn: () => void, fallbackMs: number): void {
    if (this.drawn) return fn();
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      fn();
    };
    this.waiting.push(once);
    this.timers.setTimeout(once, fallbackMs);
  }

  /** The first chart was drawn: what waits runs after the frame that shows it. */
  chartDrawn(): void {
    if (this.drawn) return;
    this.drawn = true;
    const list = this.waiting;
    this.waiting = [];
    const flush = () => this.timers.setTimeout(() => list.forEach((f) => f()), 0);
    if (this.timers.requestAnimationFrame) this.timers.requestAnimationFrame(flush);
    else flush();
  }
}

/** The page's one instance. */
export const afterFirstChart = new AfterFirstChart({
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  requestAnimationFrame: typeof requestAnimationFrame === 'function' ? (fn) => requestAnimationFrame(fn) : undefined,
});
