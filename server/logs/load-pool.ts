// Worker threads for the initial logdir load: one run at a time per worker (its files in order, one
// decoder), records handed back packed and ingested here, on the main thread. Jobs are pulled as a
// worker frees up, so the caller can reorder what is left while loading (selected and newest runs first);
// each worker holds JOBS_IN_FLIGHT of them, so that it starts its next run without waiting for the main
// thread to take in the last one (5,000 runs of 42 KB: the worker sat idle 65 % of the load).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { startWorker } from '../training/worker-spawn.ts';
import { workerEntryUrl } from '../worker-entry.ts';
import type { DecoderState } from './event-codec.ts';
import type { TailerState } from './event-file-reader.ts';
import type { FromWorker, LoadJob, ToWorker } from './load-protocol.ts';
import { columnBuffers, type PackedRecords } from './packed-records.ts';

/** Jobs queued in a worker at once: the one it reads and the next. */
const JOBS_IN_FLIGHT = 2;

const WORKER_URL = workerEntryUrl(new URL('./load-worker.ts', import.meta.url), 'load-worker');

export interface LoadHandlers {
  /** `packed` is valid during the call only: its column buffers then go back to the worker for reuse. */
  batch(run: string, real: string, packed: PackedRecords, warnings: string[], position: number): void;
  file(run: string, real: string, state: TailerState, lastWarnings: string[]): void;
  done(run: string, decoder: DecoderState, annotated: string[]): void;
  /** The worker failed on this run (or died): the caller reads what is left itself. */
  failed(run: string, message: string): void;
}

/** Default pool size: every core but one, which the main thread needs to ingest what the workers read. */
export function defaultLoadWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

const spawn = (): Worker => startWorker(WORKER_URL);

/**
 * Runs jobs from `next()` on `size` workers until it returns undefined and every job is done; the
 * workers are ended afterwards (their memory goes back; tailing is the main thread's).
 * `stopped()` ends the load early (jobs in progress are abandoned).
 */
export function runLoadPool(
  size: number,
  next: () => Omit<LoadJob, 'id'> | undefined,
  h: LoadHandlers,
  stopped: () => boolean,
): Promise<void> {
  let seq = 0;
  return new Promise<void>((resolve) => {
    const workers = new Set<Worker>();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      for (const w of workers) void w.terminate();
      resolve();
    };
    const start = (): void => {
      const w = spawn();
      workers.add(w);
      // The worker's jobs in the order it runs them; its messages are about the first.
      const inFlight: LoadJob[] = [];
      const feed = (): void => {
        while (inFlight.length < JOBS_IN_FLIGHT) {
          const j = stopped() ? undefined : next();
          if (!j) break;
          const job = { ...j, id: ++seq };
          inFlight.push(job);
          w.postMessage({ type: 'job', job } satisfies ToWorker);
        }
        if (inFlight.length === 0) {
          workers.delete(w);
          void w.terminate();
          if (workers.size === 0) finish();
        }
      };
      w.on('message', (m: FromWorker) => {
        const current = inFlight[0];
        if (!current || m.id !== current.id) return;
        const run = current.run;
        switch (m.type) {
          case 'batch':
            try {
              h.batch(run, m.real, m.packed, m.warnings, m.position);
            } finally {
              const buffers = columnBuffers(m.packed);
              w.postMessage({ type: 'ack', buffers } satisfies ToWorker, buffers);
            }
            break;
          case 'file':
            h.file(run, m.real, m.state, m.lastWarnings);
            break;
          case 'done':
            inFlight.shift();
            h.done(run, m.decoder, m.annotated);
            feed();
            break;
          case 'error':
            inFlight.shift();
            h.failed(run, m.message);
            feed();
            break;
        }
      });
      const died = (why: string) => {
        if (!workers.has(w)) return;
        workers.delete(w);
        for (const job of inFlight.splice(0)) h.failed(job.run, why);
        if (workers.size === 0) finish();
      };
      w.on('error', (e) => died(`load worker failed: ${e.message}`));
      w.on('exit', (code) => died(`load worker exited (code ${code})`));
      feed();
    };
    for (let i = 0; i < Math.max(1, size); i++) start();
  });
}
