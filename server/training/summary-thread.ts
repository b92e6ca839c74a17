// Summary steps' histogram, scalar and image work on a thread of its own, so the training loop only
// pays for the forward pass on the probe batch and the reads (about 14% of W1's iterations/s inline,
// see bench/train.ts). Jobs are handled in order and their outputs delivered in order, so every tag's
// steps stay increasing (the store reads a step going back as a restart). At most MAX_IN_FLIGHT jobs
// wait; beyond that submit() waits for the oldest, so a slow thread slows training instead of
// piling up memory. Until the thread has started (~0.1-0.2 s) and if it dies, summaries are made inline.
import type { Worker } from 'node:worker_threads';
import { jobTransferList, runSummaryJob, type BoundaryPoints, type SummaryJob, type SummaryOutput } from './summary-job.ts';
import { spawnTsWorker } from './worker-spawn.ts';

export const MAX_IN_FLIGHT = 8;

const ENTRY = new URL('./summary-thread-worker.ts', import.meta.url);

type Reply = { ready: true } | { ok: true; out: SummaryOutput } | { ok: false; step: number; message: string };

export class SummaryThread {
  private worker: Worker | null;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private failed: Error | null = null;
  private ready = false;

  /**
   * `deliver` gets each output, in submission order; `warn` hears of lost summaries (a job that threw,
   * or jobs in flight when the thread died).
   */
  constructor(
    private readonly points: BoundaryPoints | null,
    private readonly deliver: (out: SummaryOutput) => void,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {
    this.worker = spawnTsWorker(ENTRY, { points });
    this.worker.on('message', (r: Reply) => {
      if ('ready' in r) {
        this.ready = true;
        return;
      }
      this.settle();
      if (r.ok) this.deliver(r.out);
      else this.warn(`summaries of step ${r.step} lost: ${r.message}`);
    });
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('exit', (code) => {
      if (this.worker) this.die(new Error(`summary thread exited with code ${code}`));
    });
  }

  private settle(): void {
    this.inFlight--;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private die(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.worker = null;
    const lost = this.inFlight > 0 ? `summaries of ${this.inFlight} step(s) lost; ` : '';
    this.warn(`summary thread failed (${err.message}): ${lost}the rest are made inline`);
    this.inFlight = 0;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Jobs posted and not yet delivered. */
  get pending(): number {
    return this.inFlight;
  }

  /** Hands the job (and its buffers) to the thread; waits first while MAX_IN_FLIGHT jobs are pending. */
  async submit(job: SummaryJob): Promise<void> {
    while (this.worker && this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => this.waiters.push(r));
    // Inline before the thread is up (nothing is in flight then, so the order holds) or after it died.
    if (!this.worker || !this.ready) {
      this.deliver(runSummaryJob(job, this.points));
      return;
    }
    this.inFlight++;
    this.worker.postMessage(job, jobTransferList(job));
  }

  /** Resolves once every submitted job's output has been delivered (or lost with a warning). */
  async drain(): Promise<void> {
    while (this.worker && this.inFlight > 0) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Stops the thread (after drain(), or to drop what is pending). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.waiters.forEach((f) => f());
    this.waiters = [];
    if (w) await w.terminate();
  }
}
