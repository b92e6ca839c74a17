// The streamed export's worker threads (export-worker.ts): each reads a run and writes its JSON bytes,
// handing them over in chunks (in shared buffers, neither copied nor transferred); this thread writes them
// to the sink in run order. Bounded: a worker has at most CHUNK_SLOTS buffers and waits for the sink to be
// done with one before it writes on, so memory stays CHUNK_SLOTS chunks and one run's columns per worker,
// whatever the logdir's size; a worker done with its run starts the next one meanwhile.
import { Worker } from 'node:worker_threads';
import { startWorker } from '../training/worker-spawn.ts';
import { workerEntryUrl } from '../worker-entry.ts';
import type { RunJob, StreamSink } from './export-stream.ts';

/**
 * Shared buffers per worker (made as needed): a chunk is written into one, handed over by index and given
 * back once the sink is done with it (no copy, no transfer). A worker waits for a free one before writing
 * on, so this is the number of chunks it may have out at once. Many, because only the run being written
 * out drains: the workers on the next runs get this far ahead and then wait (with 4 slots of 1 MB, two
 * workers were no faster than one thread on the 1 GB logdir, whose runs are 62 MB of JSON each).
 */
export const CHUNK_SLOTS = 8;

export type ToExportWorker =
  | { type: 'job'; id: number; job: RunJob; chunkBytes: number }
  /** The sink is done with this slot's bytes: the worker may fill it again. */
  | { type: 'free'; slot: number };

export type FromExportWorker =
  /** The worker's slots are dropped (the chunk size changed). */
  | { type: 'slots'; slots: SharedArrayBuffer[] }
  /** A new slot, before the first chunk in it. */
  | { type: 'slot'; slot: number; buffer: SharedArrayBuffer }
  | { type: 'warnings'; id: number; warnings: string[] }
  /** A chunk in a slot, or (when every slot was out: a text bigger than the slots) in a buffer of its own. */
  | { type: 'chunk'; id: number; slot: number; buffer?: ArrayBuffer; length: number }
  | { type: 'done'; id: number }
  | { type: 'error'; id: number; message: string };

const WORKER_URL = workerEntryUrl(new URL('./export-worker.ts', import.meta.url), 'export-worker');

const spawn = (): Worker => startWorker(WORKER_URL);

/** What this thread knows of one run while a worker exports it. */
interface RunState {
  /** A worker took the run. */
  taken: boolean;
  worker: Worker | null;
  warnings: string[] | null;
  /** Its warnings were passed on. */
  warned: boolean;
  chunks: { bytes: Uint8Array; slot: number }[];
  done: boolean;
  error: string | null;
  /** Chunks written to the sink so far (a run whose worker died before its first one is redone here). */
  written: number;
}

export interface PoolOptions {
  chunkBytes: number;
  onWarnings?: (run: string, warnings: string[]) => void;
  /**
   * Exports one run in this thread: a run whose worker died before any of its bytes were written, or that
   * no worker is left to take. `warned`: its warnings were already passed on.
   */
  inProcess: (job: RunJob, warned: boolean) => Promise<void>;
  /** A worker failed to start or died; what is left is exported in this thread. */
  onWorkerFailure?: (message: string) => void;
  /** Tests: called with the number of chunks handed over and not yet written out, whenever it changes. */
  onInFlight?: (chunks: number) => void;
}

/**
 * Writes `jobs` (in order) to `sink` with `size` workers. Throws when a run cannot be read (its worker's
 * error), when a worker dies in the middle of a run's text, or when the sink fails; the workers are ended
 * either way.
 */
export async function exportWithWorkers(jobs: RunJob[], size: number, sink: StreamSink, o: PoolOptions): Promise<void> {
  const states: RunState[] = jobs.map(() => ({ taken: false, worker: null, warnings: null, warned: false, chunks: [], done: false, error: null, written: 0 }));
  const workers = new Set<Worker>();
  let nextJob = 0;
  let inFlight = 0;
  let wakeMain: (() => void) | null = null;
  const wake = () => {
    wakeMain?.();
    wakeMain = null;
  };
  const start = (): void => {
    let w: Worker;
    try {
      w = spawn();
    } catch (e) {
      o.onWorkerFailure?.(`export worker failed to start: ${(e as Error).message}`);
      return;
    }
    workers.add(w);
    let current = -1;
    let slots: SharedArrayBuffer[] = [];
    const feed = () => {
      if (nextJob >= jobs.length) {
        current = -1;
        workers.delete(w);
        void w.terminate();
        return;
      }
      current = nextJob++;
      states[current].taken = true;
      states[current].worker = w;
      w.postMessage({ type: 'job', id: current, job: jobs[current], chunkBytes: o.chunkBytes } satisfies ToExportWorker);
    };
    w.on('message', (m: FromExportWorker) => {
      if (m.type === 'slots') {
        slots = m.slots;
        return;
      }
      if (m.type === 'slot') {
        slots[m.slot] = m.buffer;
        return;
      }
      const s = states[m.id];
      if (!s || m.id !== current) return;
      if (m.type === 'warnings') s.warnings = m.warnings;
      else if (m.type === 'chunk') {
        const bytes = m.buffer ? new Uint8Array(m.buffer, 0, m.length) : new Uint8Array(slots[m.slot], 0, m.length);
        s.chunks.push({ bytes, slot: m.buffer ? -1 : m.slot });
        o.onInFlight?.(++inFlight);
      } else if (m.type === 'done') {
        s.done = true;
        feed();
      } else {
        s.error = m.message;
        feed();
      }
      wake();
    });
    // A worker that dies is not replaced: the runs it leaves are exported in this thread.
    const died = (why: string) => {
      if (!workers.delete(w)) return;
      o.onWorkerFailure?.(why);
      if (current >= 0) {
        const s = states[current];
        s.error ??= why;
        s.worker = null;
      }
      current = -1;
      wake();
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
          s.warned = true;
        }
        const c = s.chunks.shift();
        if (c) {
          const w = s.worker;
          // The slot goes back once the stream is done with its bytes (not before: it may still be queued).
          await sink.write(c.bytes, () => {
            o.onInFlight?.(--inFlight);
            if (c.slot >= 0 && w && workers.has(w)) w.postMessage({ type: 'free', slot: c.slot } satisfies ToExportWorker);
          });
          s.written++;
          continue;
        }
        if (s.done) break;
        const orphan = !s.taken && workers.size === 0;
        if (orphan || (s.error !== null && s.worker === null && s.written === 0)) {
          await o.inProcess(jobs[i], s.warned);
          break;
        }
        if (s.error !== null) throw new Error(s.error);
        await new Promise<void>((r) => (wakeMain = r));
      }
    }
  } finally {
    for (const w of workers) void w.terminate();
    workers.clear();
  }
}
