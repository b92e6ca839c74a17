// The worker-thread side of the TrainingManager: starting training workers, keeping one idle warm
// worker as a spare, and the backend probe. A slot's worker events go to the handlers for the entry
// (run) the slot serves at the time, so a worker can serve several runs in turn; the manager owns
// the runs and decides when a worker is reused, kept or terminated.
import type { Worker } from 'node:worker_threads';
import type { BackendChoice, BackendName } from '../../shared/types.ts';
import { spawnTrainingWorker } from './worker-spawn.ts';
import { isWorkerToMain, type FaultInjection, type MainToWorker, type WorkerInit } from './worker-protocol.ts';

/** A worker thread and the entry (run) it currently serves. */
export interface Slot<T> {
  worker: Worker;
  entry: T | null;
  /** The worker finished its last job ('done') and is idle: it may take another run. */
  idle: boolean;
  exited: boolean;
}

/** Called for a slot's worker events while the slot serves an entry (ignored while it serves none). */
export interface SlotHandlers<T> {
  message(entry: T, m: unknown): void;
  error(entry: T, err: Error): void;
  exit(entry: T, code: number): void;
}

export interface WorkerSlotsOptions {
  /** Write histograms/images in runs. */
  summaries: boolean;
  /** TEST ONLY: per run name, a fault the worker injects. */
  faultInjection?: Record<string, FaultInjection>;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class WorkerSlots<T> {
  private startedCount = 0;
  private probeWorker: Worker | undefined;
  /** An idle warm worker (the probe's, or one a run left), unref'd, for the next run to start. */
  private spare: Slot<T> | undefined;
  private closed = false;

  constructor(
    private readonly opts: WorkerSlotsOptions,
    private readonly handlers: SlotHandlers<T>,
  ) {}

  /** Worker threads started so far (probe included). */
  get started(): number {
    return this.startedCount;
  }

  /** Fault injection is fixed per worker at spawn: such runs neither take nor hand over a warm worker. */
  hasFault(run: string): boolean {
    return this.opts.faultInjection?.[run] !== undefined;
  }

  /** A new worker whose events go to whichever entry its slot serves at the time. Throws if it cannot start. */
  create(mode: WorkerInit['mode'], run?: string): Slot<T> {
    const worker = spawnTrainingWorker(this.workerInit(mode, run));
    this.startedCount++;
    const slot: Slot<T> = { worker, entry: null, idle: false, exited: false };
    worker.on('message', (m: unknown) => {
      if (slot.entry) this.handlers.message(slot.entry, m);
    });
    worker.on('error', (err: Error) => {
      if (slot.entry) this.handlers.error(slot.entry, err);
    });
    worker.on('exit', (code: number) => {
      slot.exited = true;
      if (this.spare === slot) this.spare = undefined;
      if (slot.entry) this.handlers.exit(slot.entry, code);
    });
    return slot;
  }

  /** The spare, if there is a live one; it is no longer the spare. */
  takeSpare(): Slot<T> | undefined {
    const s = this.spare;
    if (!s || s.exited) return undefined;
    this.spare = undefined;
    return s;
  }

  /** Keeps an idle worker as the spare (one at most, unref'd so it never holds the process open). */
  keepSpare(slot: Slot<T>): boolean {
    if (this.closed || slot.exited || this.spare) return false;
    slot.idle = true;
    slot.entry = null;
    slot.worker.unref();
    this.spare = slot;
    return true;
  }

  /** Terminates a slot's worker (its 'exit' handler still runs). */
  discard(slot: Slot<T>): void {
    void slot.worker.terminate().catch(() => undefined);
  }

  /** Resolves `choice` in a probe worker, which then becomes the spare if there is none. */
  probe(choice: BackendChoice): Promise<BackendName> {
    return new Promise<BackendName>((resolve, reject) => {
      let slot: Slot<T>;
      try {
        slot = this.create('probe');
      } catch (err) {
        reject(new Error(`could not start the backend probe worker: ${errorMessage(err)}`));
        return;
      }
      const worker = slot.worker;
      this.probeWorker = worker;
      let settled = false;
      const settle = (err: Error | null, b?: BackendName) => {
        if (settled) return;
        settled = true;
        this.probeWorker = undefined;
        if (err || !this.keepSpare(slot)) this.discard(slot);
        if (err) reject(err);
        else resolve(b!);
      };
      worker.on('message', (m: unknown) => {
        if (!isWorkerToMain(m)) return;
        if (m.type === 'backend') settle(null, m.backend);
        else if (m.type === 'error') settle(new Error(`training backend "${choice}": ${m.message}`));
      });
      worker.on('error', (err) => settle(new Error(`training backend probe failed: ${err.message}`)));
      worker.on('exit', (code) => settle(new Error(`training backend probe exited (code ${code}) before reporting a backend`)));
      worker.postMessage({ type: 'probe', backend: choice } satisfies MainToWorker);
    });
  }

  /** Terminates the probe and the spare; no spare is kept afterwards. */
  close(): void {
    this.closed = true;
    if (this.probeWorker) void this.probeWorker.terminate().catch(() => undefined);
    if (this.spare) this.discard(this.spare);
    this.spare = undefined;
  }

  private workerInit(mode: WorkerInit['mode'], run?: string): WorkerInit {
    return {
      mode,
      fault: run ? this.opts.faultInjection?.[run] : undefined,
      batchMs: 50,
      flushMs: 500,
      summaries: this.opts.summaries,
    };
  }
}
