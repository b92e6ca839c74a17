// Gives memory back once clients have left. Their traffic (backlogs, replays, encoded frames) leaves
// hundreds of MB of garbage in V8's old space; an idle server allocates too little to start a major GC,
// so RSS stayed near the peak for as long as nobody came (bench/soak.ts: 1.5 GB after clients left, 0.8
// GB after one collection). After `quietMs` without a connection or disconnection, one full collection
// runs (~0.1 s on the main thread), as a browser's memory reducer does for a tab sent to the background;
// and, if it stays quiet, a second one `quietMs` later: pages the first collection emptied are only handed
// back to the OS at the next one (with --single-threaded-gc no background thread unmaps them), and
// snapshots or replays let go on timers after the first are collected too (bench/soak.ts: after the
// clients left, one collection left RSS at 1.11-1.13x its idle level, a second brought it to ~1.04x).
// Needs the collector exposed (--expose-gc, which bin/trainscope.mjs passes); without it, does nothing.
export interface QuietCollectorOptions {
  quietMs: number;
  collect: () => void;
  setTimer?: (fn: () => void, ms: number) => { unref?(): unknown };
  clearTimer?: (t: unknown) => void;
}

export class QuietCollector {
  private timer: unknown = null;
  private closed = false;
  /** Collections left in the current quiet period (two: see above). */
  private passes = 0;
  /** Collections run so far (diagnostics, tests). */
  collections = 0;

  constructor(private readonly opts: QuietCollectorOptions) {}

  /** A client came or went: (re)start the quiet period. */
  activity(): void {
    if (this.closed) return;
    this.cancel();
    this.passes = 2;
    this.arm();
  }

  private arm(): void {
    const set = this.opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    const t = set(() => this.fire(), this.opts.quietMs);
    t.unref?.(); // never keeps the process alive
    this.timer = t;
  }

  close(): void {
    this.closed = true;
    this.cancel();
  }

  private fire(): void {
    this.timer = null;
    if (this.closed) return;
    this.collections++;
    this.passes--;
    try {
      this.opts.collect();
    } catch {
      // A failed collection only means memory is given back later.
    }
    if (this.passes > 0) this.arm();
  }

  private cancel(): void {
    if (this.timer === null) return;
    (this.opts.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout)))(this.timer);
    this.timer = null;
  }
}

/** The runtime's full collection, if the process was started with --expose-gc. */
export function exposedGc(): (() => void) | undefined {
  return (globalThis as { gc?: () => void }).gc;
}
