// `trainscope export` and GET /api/export as a stream: run by run, each run's files read in bounded slices
// into typed-array columns (export-columns.ts), its JSON written in slices with the writer's backpressure
// respected. Memory holds one run's columns, never the whole document; the text is the same as
// exportToJson(buildExport(loadRunsFromPath(path))).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EventDecoder } from './event-codec.ts';
import { EventFileTailer } from './event-file-reader.ts';
import { readEmbeddings } from './export-plugins.ts';
import { RunExport } from './export-columns.ts';
import { discoverRuns } from './export.ts';
import { stringifyExact } from '../../shared/exact-int.ts';
import { dict } from '../../shared/dict.ts';

/** Bytes of an event file decoded at once (records of one slice die young, as in the logdir watcher). */
const SLICE_BYTES = 512 << 10;
/** Characters buffered before one write to the stream. */
const WRITE_CHARS = 256 << 10;

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

  async write(text: string): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.out.write(text)) {
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
}

/** Reads one run's files in slices into a RunExport. */
async function readRun(files: string[], lenient: boolean | undefined): Promise<{ run: RunExport; warnings: string[] }> {
  const run = new RunExport();
  const warnings: string[] = [];
  const decoder = new EventDecoder();
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

/**
 * Writes the export document of `path` (an event file: run "."; or a logdir) to `sink`, followed by a
 * newline. Throws only when the path itself cannot be read (before anything is written) or the sink fails.
 * Returns the number of runs.
 */
export async function streamExport(path: string, sink: StreamSink, opts: StreamExportOptions = {}): Promise<number> {
  const st = await stat(path);
  const groups = st.isDirectory() ? await discoverRuns(path) : new Map([['.', [path]]]);
  let pending = '{"runs":{';
  let first = true;
  // As an object orders its keys (integer-like names first), so the text matches exportToJson's.
  const order = dict<true>();
  for (const name of [...groups.keys()].sort()) order[name] = true;
  for (const name of Object.keys(order)) {
    const { run, warnings } = await readRun(groups.get(name)!, opts.lenient);
    if (st.isDirectory()) {
      const embeddings = await readEmbeddings(path, name === '.' ? path : join(path, ...name.split('/')), warnings);
      if (embeddings.length > 0) run.doc.embeddings = embeddings;
    }
    run.doc.warnings = warnings;
    opts.onWarnings?.(name, warnings);
    pending += `${first ? '' : ','}${stringifyExact(name)}:`;
    first = false;
    for (const slice of run.json()) {
      pending += slice;
      if (pending.length >= WRITE_CHARS) {
        await sink.write(pending);
        pending = '';
      }
    }
  }
  await sink.write(`${pending}}}\n`);
  return groups.size;
}
