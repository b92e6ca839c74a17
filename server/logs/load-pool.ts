// Worker threads for the initial logdir load: one run at a time per worker (its files in order, one
// decoder), records handed back packed and ingested here, on the main thread. Jobs are pulled when a
// worker frees up, so the caller can reorder what is left while loading (selected and newest runs first).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerExecArgv, workerPreload } from '../training/worker-spawn.ts';
import { workerEntryUrl } from '../worker-entry.ts';
import type { DecoderState } from './event-codec.ts';
import type { TailerState } from './event-file-reader.ts';
import type { FromWorker, LoadJob, ToWorker } from './load-protocol.ts';
import { columnBuffers, type PackedRecords } from './packed-records.ts';

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

function spawn(): Worker {
  try {
    return new Worker(WORKER_URL, { execArgv: workerExecArgv() });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(WORKER_URL, { execArgv: workerPreload() });
  }
}

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
      let current: LoadJob | null = null;
      const feed = (): void => {
        const j = stopped() ? undefined : next();
        if (!j) {
          current = null;
          workers.delete(w);
          void w.terminate();
          if (workers.size === 0) finish();
          return;
        }
        current = { ...j, id: ++seq };
        w.postMessage({ type: 'job', job: current } satisfies ToWorker);
      };
      w.on('message', (m: FromWorker) => {
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
            h.done(run, m.decoder, m.annotated);
            feed();
            break;
          case 'error':
            h.failed(run, m.message);
            feed();
            break;
        }
      });
      const died = (why: string) => {
        if (!workers.has(w)) return;
        workers.delete(w);
        if (current) h.failed(current.run, why);
        current = null;
        if (workers.size === 0) finish();
      };
      w.on('error', (e) => died(`load worker failed: ${e.message}`));
      w.on('exit', (code) => died(`load worker exited (code ${code})`));
      feed();
    };
    for (let i = 0; i < Math.max(1, size); i++) start();
  });
}
