// The initial load of a logdir: every run known at once (with its size), read in the order that
// matters to the user (runs a client asked for first, then the newest), on worker threads when the
// logdir is big enough to pay for them. Progress per run is bytes read of the bytes found at the start.
import { stat } from 'node:fs/promises';
import type { EventDecoder } from './event-codec.ts';
import type { EventFileTailer } from './event-file-reader.ts';
import { runLoadPool } from './load-pool.ts';
import type { PackedRecords } from './packed-records.ts';

export interface LoadFile {
  real: string;
  tailer: EventFileTailer;
  setLastWarnings(w: string[]): void;
}
export interface LoadRun {
  run: string;
  /** Same object while the run is the same run (a run removed and found again gets a new one). */
  key: object;
  decoder: EventDecoder;
  annotated: Set<string>;
  files: LoadFile[];
}

export interface Progress {
  bytesRead: number;
  totalBytes: number;
}

/**
 * Which pending run to read next: the most recently requested one (`wanted`, latest last), else the
 * newest (latest file modification), ties by name. Pure.
 */
export function pickNext(
  pending: ReadonlySet<string>,
  wanted: readonly string[],
  newest: ReadonlyMap<string, number>,
  ok: (run: string) => boolean = () => true,
): string | undefined {
  for (let i = wanted.length - 1; i >= 0; i--) if (pending.has(wanted[i]) && ok(wanted[i])) return wanted[i];
  let best: string | undefined;
  let bestT = -Infinity;
  for (const r of pending) {
    if (!ok(r)) continue;
    const t = newest.get(r) ?? -Infinity;
    if (best === undefined || t > bestT || (t === bestT && r < best)) {
      best = r;
      bestT = t;
    }
  }
  return best;
}

/** Bookkeeping of one initial load: sizes, positions, order. */
export class LoadState {
  private readonly total = new Map<string, number>();
  private readonly newest = new Map<string, number>();
  /** Read offset per file (real path) of runs still loading. */
  private readonly pos = new Map<string, number>();
  private readonly filesOf = new Map<string, string[]>();
  readonly pending = new Set<string>();
  private wanted: string[] = [];

  /** Stat every file (sizes and times decide progress and order). */
  async measure(runs: LoadRun[]): Promise<number> {
    let sum = 0;
    await Promise.all(
      runs.map(async (r) => {
        let total = 0;
        let newest = -Infinity;
        for (const f of r.files) {
          try {
            const st = await stat(f.real);
            total += st.size;
            newest = Math.max(newest, st.mtimeMs);
          } catch {
            // gone: read (and warned about) by the poll
          }
        }
        this.total.set(r.run, total);
        this.newest.set(r.run, newest);
        this.filesOf.set(r.run, r.files.map((f) => f.real));
        this.pending.add(r.run);
        sum += total;
      }),
    );
    return sum;
  }

  want(runs: readonly string[]): void {
    const s = new Set(runs);
    this.wanted = [...this.wanted.filter((r) => !s.has(r)), ...runs].slice(-10_000);
  }

  /** The next run to read; with `maxBytes`, the next of at most that many bytes (undefined if none is). */
  next(maxBytes = Infinity): string | undefined {
    const r = pickNext(this.pending, this.wanted, this.newest, maxBytes === Infinity ? undefined : (run) => (this.total.get(run) ?? 0) <= maxBytes);
    if (r !== undefined) this.pending.delete(r);
    return r;
  }

  setPosition(real: string, p: number): void {
    this.pos.set(real, p);
  }

  /** Undefined once the run is loaded (or was never part of the load). */
  progress(run: string, position: (real: string) => number): Progress | undefined {
    const total = this.total.get(run);
    if (total === undefined) return undefined;
    let read = 0;
    for (const real of this.filesOf.get(run) ?? []) read += this.pos.get(real) ?? position(real);
    return { bytesRead: Math.min(read, total), totalBytes: total };
  }

  loaded(run: string): void {
    this.total.delete(run);
    this.pending.delete(run);
    for (const real of this.filesOf.get(run) ?? []) this.pos.delete(real);
    this.filesOf.delete(run);
  }

  runs(): string[] {
    return [...this.total.keys()];
  }
}

export interface ParallelLoadOptions {
  workers: number;
  lenient?: boolean;
  maxBytesPerPoll: number;
  stopped(): boolean;
  /** The run as it is now (undefined once removed); files may have changed since the job started. */
  current(run: string): LoadRun | undefined;
  /** `packed` is valid during the call only (its buffers go back to the worker). */
  onPacked(run: string, packed: PackedRecords): void;
  onWarning(run: string, message: string): void;
  onLoaded(run: string): void;
  onProgress(run: string): void;
  /** Read a run on the main thread (to its end), as the watcher's polls do. */
  readHere(run: string): Promise<void>;
}

/**
 * Largest run the main thread reads while the workers start. It reads a run to its end, several times
 * slower than a worker (records one by one into the store): a 548 MB run taken this way kept the main
 * thread busy for 20 s while the worker, up a second later, had nothing to do.
 */
export const MAIN_THREAD_RUN_BYTES = 8 * 2 ** 20;

/**
 * Read every pending run of `state` on worker threads; a run a worker fails on is left to the caller.
 * Workers take a while to start (a second or more on a busy machine): until the first one delivers,
 * the main thread reads small runs too.
 */
export async function parallelLoad(state: LoadState, o: ParallelLoadOptions): Promise<void> {
  const inJob = new Map<string, LoadRun>();
  let workersUp = false;
  const here = (async () => {
    while (!workersUp && !o.stopped()) {
      const run = state.next(MAIN_THREAD_RUN_BYTES);
      if (run === undefined) break;
      await o.readHere(run);
      state.loaded(run);
      o.onLoaded(run);
    }
  })();
  const pool = runLoadPool(
    Math.min(o.workers, state.pending.size),
    () => {
      for (let run = state.next(); run !== undefined; run = state.next()) {
        const r = o.current(run);
        if (!r || r.files.length === 0) {
          state.loaded(run);
          o.onLoaded(run);
          continue;
        }
        inJob.set(run, r);
        const last = r.files.length - 1;
        return {
          run,
          files: r.files.map((f, i) => ({ real: f.real, complete: i < last })),
          ...(o.lenient === undefined ? {} : { lenient: o.lenient }),
          maxBytesPerPoll: o.maxBytesPerPoll,
        };
      }
      return undefined;
    },
    {
      batch(run, real, packed, warnings, position) {
        workersUp = true;
        if (o.current(run)?.key !== inJob.get(run)?.key) return; // removed while loading
        for (const w of warnings) o.onWarning(run, w);
        state.setPosition(real, position);
        if (packed.count > 0) o.onPacked(run, packed);
        o.onProgress(run);
      },
      file(run, real, st, lastWarnings) {
        const cur = o.current(run);
        const f = cur?.files.find((x) => x.real === real);
        if (!f || cur?.key !== inJob.get(run)?.key) return;
        f.tailer.importState(st);
        f.setLastWarnings(lastWarnings);
      },
      done(run, decoder, annotated) {
        const r = inJob.get(run);
        inJob.delete(run);
        if (r && o.current(run)?.key === r.key) {
          r.decoder.importState(decoder);
          for (const t of annotated) r.annotated.add(t);
        }
        state.loaded(run);
        o.onLoaded(run);
      },
      failed(run, message) {
        inJob.delete(run);
        o.onWarning(run, `${message}; reading the run on the main thread`);
      },
    },
    o.stopped,
  );
  await Promise.all([here, pool]);
}
