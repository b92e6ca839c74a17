// `trainscope export` and GET /api/export as a stream: run by run, each run's files read in bounded slices
// into typed-array columns (export-columns.ts), its JSON written in slices with the writer's backpressure
// respected. Memory holds one run's columns, never the whole document; the text is the same as
// exportToJson(buildExport(loadRunsFromPath(path))). The text is written as bytes (export-bytes.ts), and a
// logdir of several runs is read and written by worker threads, a run each (export-pool.ts), its bytes
// handed on in run order.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EventDecoder } from './event-codec.ts';
import { EventFileTailer } from './event-file-reader.ts';
import { readEmbeddings } from './export-plugins.ts';
import { ColumnPool, RunExport } from './export-columns.ts';
import { ByteOut } from './export-bytes.ts';
import { PackBuilder } from './packed-records.ts';
import { discoverRuns } from './export.ts';
import { exportWithWorkers } from './export-pool.ts';
import { availableParallelism } from 'node:os';
import { stringifyExact } from '../../shared/exact-int.ts';
import { dict } from '../../shared/dict.ts';

/** Bytes of an event file decoded at once (records of one slice die young, as in the logdir watcher). */
const SLICE_BYTES = 512 << 10;

/** Writes text to a stream, waiting for 'drain' when it says its buffer is full; fails once the stream does. */
export class StreamSink {
  private failed: Error | null = null;
  constructor(private readonly out: NodeJS.WritableStream) {
    // Streams without events (test doubles) just take writes.
    if (typeof out.on === 'function') {
      out.on('error', (e: Error) => (this.failed ??= e));
      out.on('close', () => (this.failed ??= new Error('the receiving end closed')));
    }
  }

  /**
   * `written`: called once the stream is done with `chunk`, whose buffer may then be reused. A stream
   * without events (a test double) gets a copy, and `written` is called at once.
   */
  async write(chunk: string | Uint8Array, written?: () => void): Promise<void> {
    if (this.failed) throw this.failed;
    let accepted: boolean;
    if (!written) accepted = this.out.write(chunk);
    else if (typeof this.out.on !== 'function') {
      accepted = this.out.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk));
      written();
    } else accepted = this.out.write(chunk, () => written());
    if (accepted) {
      // Let other work (sockets, timers) run between slices even when the stream never pushes back.
      await new Promise<void>((r) => setImmediate(r));
      return;
    }
    if (typeof this.out.once !== 'function') return;
    await new Promise<void>((resolve, reject) => {
      const done = (e?: Error) => {
        this.out.off?.('drain', onDrain);
        this.out.off?.('close', onClose);
        this.out.off?.('error', onClose);
        if (e) reject(e);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = (e?: Error) => done(e instanceof Error ? e : new Error('the receiving end closed'));
      this.out.once('drain', onDrain);
      this.out.once('close', onClose);
      this.out.once('error', onClose);
    });
  }
}

export interface StreamExportOptions {
  lenient?: boolean;
  /** Called with each run's warnings once the run is read (before its JSON is written). */
  onWarnings?: (run: string, warnings: string[]) => void;
  /**
   * Worker threads reading and writing runs at once (the main thread writes their bytes in run order);
   * 0: all in this thread. Default: one per core (at most 4) for a logdir of several runs and at least
   * WORKERS_FROM_BYTES of event files, else 0.
   */
  workers?: number;
  /** Bytes handed to the sink at once (tests). */
  chunkBytes?: number;
  /** A worker thread failed to start or died (the runs it leaves are exported in this thread). */
  onWorkerFailure?: (message: string) => void;
  /** Tests: the number of chunks worker threads have handed over and the sink has not yet written out. */
  onChunksInFlight?: (chunks: number) => void;
}

/** Below this many bytes of event files, starting worker threads costs more than it saves. */
export const WORKERS_FROM_BYTES = 16 << 20;
/** Bytes of JSON handed to the stream at once. */
export const CHUNK_BYTES = 4 << 20;

/** Reads one run's files in slices into a RunExport. */
async function readRun(files: string[], lenient: boolean | undefined, pool?: ColumnPool): Promise<{ run: RunExport; warnings: string[] }> {
  const run = new RunExport(pool);
  const warnings: string[] = [];
  const decoder = new EventDecoder();
  // Plain scalars and histograms are packed into columns as they are decoded (no object per bucket).
  const packer = new PackBuilder();
  decoder.packInto(packer, new Set());
  for (const f of files) {
    const t = new EventFileTailer(f, { decoder, maxBytesPerPoll: SLICE_BYTES, ...(lenient === undefined ? {} : { lenient }) });
    t.markComplete(); // an export reads what is there: a record cut short is reported, not waited for
    let size: number;
    try {
      size = (await stat(f)).size;
    } catch (e) {
      warnings.push(`${f}: cannot stat (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      continue;
    }
    for (;;) {
      const before = t.position;
      const r = await t.poll();
      const { packed, transfer } = packer.finish();
      run.addPacked(packed);
      packer.recycle(transfer);
      run.add(r.records);
      warnings.push(...r.warnings);
      if (r.truncatedAt !== null) {
        if (!r.warnings.some((w) => w.includes(`truncated at offset ${r.truncatedAt}`))) {
          warnings.push(`${f}: truncated at offset ${r.truncatedAt} (last record cut short${r.truncatedReason ? `: ${r.truncatedReason}` : ''})`);
        }
        break;
      }
      if (t.position === before || t.position >= size) break;
    }
  }
  return { run, warnings };
}

/** One run of an export: what a worker (or this thread) needs to read and write it. */
export interface RunJob {
  name: string;
  files: string[];
  /** The logdir, when exporting one (its run directories may hold projector embeddings). */
  logdir?: string;
  lenient?: boolean;
  /** The text before the run's object: `"name":`, after a comma unless it is the first run. */
  prefix: string;
}

/**
 * Reads a run and writes `prefix` and its JSON object to `out`, yielding whenever `out` has handed on a
 * chunk. `warnings` is called once the run is read, before any of its text is written.
 */
export async function* exportRun(job: RunJob, out: ByteOut, pool: ColumnPool, onWarnings: (warnings: string[]) => void): AsyncGenerator<void> {
  const { run, warnings } = await readRun(job.files, job.lenient, pool);
  if (job.logdir !== undefined) {
    const embeddings = await readEmbeddings(job.logdir, job.name === '.' ? job.logdir : join(job.logdir, ...job.name.split('/')), warnings);
    if (embeddings.length > 0) run.doc.embeddings = embeddings;
  }
  run.doc.warnings = warnings;
  onWarnings(warnings);
  out.text(job.prefix);
  yield* run.writeJson(out);
  run.release();
}

/** The export's runs in document order, each with its text prefix. */
async function planRuns(path: string, lenient: boolean | undefined): Promise<{ jobs: RunJob[]; bytes: number }> {
  const st = await stat(path);
  const groups = st.isDirectory() ? await discoverRuns(path) : new Map([['.', [path]]]);
  // As an object orders its keys (integer-like names first), so the text matches exportToJson's.
  const order = dict<true>();
  for (const name of [...groups.keys()].sort()) order[name] = true;
  const jobs = Object.keys(order).map((name, i) => ({
    name,
    files: groups.get(name)!,
    ...(st.isDirectory() ? { logdir: path } : {}),
    ...(lenient === undefined ? {} : { lenient }),
    // The document's opening goes with the first run's bytes: nothing is written before a run is read.
    prefix: `${i === 0 ? '{"runs":{' : ','}${stringifyExact(name)}:`,
  }));
  let bytes = 0;
  if (jobs.length > 1) {
    for (const j of jobs) for (const f of j.files) bytes += await stat(f).then((s) => s.size, () => 0);
  }
  return { jobs, bytes };
}

/** Workers to use by default for `runs` runs holding `bytes` bytes of event files. */
export function defaultExportWorkers(runs: number, bytes: number): number {
  if (runs < 2 || bytes < WORKERS_FROM_BYTES) return 0;
  return Math.min(runs, 4, availableParallelism());
}

/**
 * Writes the export document of `path` (an event file: run "."; or a logdir) to `sink`, followed by a
 * newline. Throws only when the path itself cannot be read (before anything is written), when reading a
 * run fails, or when the sink fails. Returns the number of runs.
 */
export async function streamExport(path: string, sink: StreamSink, opts: StreamExportOptions = {}): Promise<number> {
  const { jobs, bytes } = await planRuns(path, opts.lenient);
  const chunkBytes = opts.chunkBytes ?? CHUNK_BYTES;
  const workers = Math.min(opts.workers ?? defaultExportWorkers(jobs.length, bytes), jobs.length);
  if (jobs.length === 0) await sink.write('{"runs":{');
  if (workers > 0) {
    await exportWithWorkers(jobs, workers, sink, {
      chunkBytes,
      onWarnings: opts.onWarnings,
      inProcess: (job, warned) => exportInProcess([job], sink, warned ? undefined : opts.onWarnings, chunkBytes),
      ...(opts.onWorkerFailure ? { onWorkerFailure: opts.onWorkerFailure } : {}),
      ...(opts.onChunksInFlight ? { onInFlight: opts.onChunksInFlight } : {}),
    });
  } else {
    await exportInProcess(jobs, sink, opts.onWarnings, chunkBytes);
  }
  await sink.write('}}\n');
  return jobs.length;
}

/** Runs read and written in this thread, chunk by chunk, each chunk's buffer reused once the sink is done with it. */
async function exportInProcess(jobs: RunJob[], sink: StreamSink, onWarnings: StreamExportOptions['onWarnings'], chunkBytes: number): Promise<void> {
  const spare: Uint8Array[] = [];
  const ready: Uint8Array[] = [];
  const take = () => spare.pop() ?? new Uint8Array(chunkBytes);
  const out = new ByteOut(take(), (filled) => {
    ready.push(filled);
    return take();
  });
  const drain = async () => {
    for (const c of ready.splice(0)) await sink.write(c, () => spare.length < 8 && spare.push(new Uint8Array(c.buffer, c.byteOffset, chunkBytes)));
  };
  const pool = new ColumnPool();
  for (const job of jobs) {
    for await (const _ of exportRun(job, out, pool, (w) => onWarnings?.(job.name, w))) await drain();
  }
  out.flush();
  await drain();
}
