// The streamed export's worker threads (export-worker.ts): each reads a run and writes its JSON bytes,
// handing them over in chunks (transferred, not copied); this thread writes them to the sink in run order.
// Bounded: a worker has at most CHUNK_CREDITS chunks out at once (it waits for the sink to take one before
// it hands over another), so memory stays a few chunks and one run's columns per worker, whatever the
// logdir's size; a worker done with its run starts the next one meanwhile.
import { Worker } from 'node:worker_threads';
import { workerExecArgv, workerPreload } from '../training/worker-spawn.ts';
import { workerEntryUrl } from '../worker-entry.ts';
import type { RunJob, StreamSink } from './export-stream.ts';

/** Chunks a worker may have handed over and not yet seen written. */
export const CHUNK_CREDITS = 4;

export type ToExportWorker =
  | { type: 'job'; id: number; job: RunJob; chunkBytes: number }
  /** The sink took one of the worker's chunks: it may hand over another. */
  | { type: 'credit' }
  /** A chunk's buffer, written: the worker fills it again instead of allocating one. */
  | { type: 'buffer'; buffer: ArrayBuffer };

export type FromExportWorker =
  | { type: 'warnings'; id: number; warnings: string[] }
  | { type: 'chunk'; id: number; buffer: ArrayBuffer; length: number }
  | { type: 'done'; id: number }
  | { type: 'error'; id: number; message: string };

const WORKER_URL = workerEntryUrl(new URL('./export-worker.ts', import.meta.url), 'export-worker');

function spawn(): Worker {
  try {
    return new Worker(WORKER_URL, { execArgv: workerExecArgv() });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(WORKER_URL, { execArgv: workerPreload() });
  }
}

/** What this thread knows of one run while a worker exports it. */
interface RunState {
  worker: Worker | null;
  warnings: string[] | null;
  chunks: { buffer: ArrayBuffer; length: number }[];
  done: boolean;
  error: string | null;
  /** Chunks written to the sink so far (a run that failed before its first one can be redone here). */
  written: number;
  wake: (() => void) | null;
}

export interface PoolOptions {
  chunkBytes: number;
  onWarnings?: (run: string, warnings: string[]) => void;
  /** Exports one run in this thread: for a run whose worker died before any of its bytes were written. */
  inProcess: (job: RunJob) => Promise<void>;
  /** Tests: called with the number of chunks handed over and not yet written, whenever it changes. */
  onInFlight?: (chunks: number) => void;
}

/**
 * Writes `jobs` (in order) to `sink` with `size` workers. Throws when a run cannot be read (its worker's
 * error) or the sink fails; the workers are ended either way.
 */
export async function exportWithWorkers(jobs: RunJob[], size: number, sink: StreamSink, o: PoolOptions): Promise<void> {
  const states: RunState[] = jobs.map(() => ({ worker: null, warnings: null, chunks: [], done: false, error: null, written: 0, wake: null }));
  const workers = new Set<Worker>();
  let nextJob = 0;
  let inFlight = 0;
  const wake = (s: RunState) => {
    s.wake?.();
    s.wake = null;
  };
  const start = (): void => {
    const w = spawn();
    workers.add(w);
    let current = -1;
    const feed = () => {
      if (nextJob >= jobs.length) {
        current = -1;
        workers.delete(w);
        void w.terminate();
        return;
      }
      current = nextJob++;
      states[current].worker = w;
      w.postMessage({ type: 'job', id: current, job: jobs[current], chunkBytes: o.chunkBytes } satisfies ToExportWorker);
    };
    w.on('message', (m: FromExportWorker) => {
      const s = states[m.id];
      if (!s || m.id !== current) return;
      if (m.type === 'warnings') s.warnings = m.warnings;
      else if (m.type === 'chunk') {
        s.chunks.push({ buffer: m.buffer, length: m.length });
        o.onInFlight?.(++inFlight);
      } else if (m.type === 'done') {
        s.done = true;
        feed();
      } else {
        s.error = m.message;
        feed();
      }
      wake(s);
    });
    const died = (why: string) => {
      if (!workers.delete(w)) return;
      if (current >= 0) {
        const s = states[current];
        s.error ??= why;
        s.worker = null;
        wake(s);
      }
      current = -1;
      // The jobs nobody took yet still get a worker.
      if (workers.size === 0 && nextJob < jobs.length) start();
    };
    w.on('error', (e) => died(`export worker failed: ${e.message}`));
    w.on('exit', (code) => died(`export worker exited (code ${code})`));
    feed();
  };
  try {
    for (let i = 0; i < Math.min(size, jobs.length); i++) start();
    for (let i = 0; i < jobs.length; i++) {
      const s = states[i];
      for (;;) {
        if (s.warnings) {
          o.onWarnings?.(jobs[i].name, s.warnings);
          s.warnings = null;
        }
        const c = s.chunks.shift();
        if (c) {
          const w = s.worker;
          await sink.write(new Uint8Array(c.buffer, 0, c.length), () => {
            if (w && workers.has(w)) w.postMessage({ type: 'buffer', buffer: c.buffer } satisfies ToExportWorker, [c.buffer]);
          });
          s.written++;
          o.onInFlight?.(--inFlight);
          if (w && workers.has(w)) w.postMessage({ type: 'credit' } satisfies ToExportWorker);
          continue;
        }
        if (s.done) break;
        if (s.error !== null) {
          // A worker that died before any of the run's bytes were out: the run is redone here.
          if (s.written === 0 && s.worker === null) {
            await o.inProcess(jobs[i]);
            break;
          }
          throw new Error(s.error);
        }
        await new Promise<void>((r) => (s.wake = r));
      }
    }
  } finally {
    for (const w of workers) void w.terminate();
    workers.clear();
  }
}
