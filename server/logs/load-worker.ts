// A worker thread of the initial logdir load: reads a run's files one at a time (the same
// EventFileTailer and decoder as the main thread, the decoder packing records as it decodes them, each
// tag's metadata on its first record), and posts each poll's records packed (packed-records.ts, buffers
// transferred) to the main thread, which ingests them. At most LOAD_CREDITS batches are in flight: a slow main thread slows the reading down
// instead of letting batches pile up in memory.
import { stat } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { EventDecoder } from './event-codec.ts';
import { EventFileTailer } from './event-file-reader.ts';
import { LOAD_CREDITS, type FromWorker, type LoadJob, type ToWorker } from './load-protocol.ts';
import { PackBuilder } from './packed-records.ts';

const port = parentPort!;
let credits = LOAD_CREDITS;
let wake: (() => void) | null = null;
const jobs: LoadJob[] = [];
let busy = false;

function post(m: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

async function credit(): Promise<void> {
  while (credits <= 0) await new Promise<void>((res) => (wake = res));
  credits--;
}

/** One builder for every job: the main thread hands its buffers back with each ack (recycle). */
const out = new PackBuilder();

async function runJob(job: LoadJob): Promise<void> {
  const decoder = new EventDecoder();
  const annotated = new Set<string>();
  out.recycle(out.finish().transfer); // anything a failed job left
  // Records go straight into columns as they are decoded (tag metadata on first records included).
  decoder.packInto(out, annotated);
  for (const f of job.files) {
    const tailer = new EventFileTailer(f.real, { decoder, maxBytesPerPoll: job.maxBytesPerPoll, ...(job.lenient === undefined ? {} : { lenient: job.lenient }) });
    if (f.complete) tailer.markComplete();
    let size: number;
    try {
      size = (await stat(f.real)).size;
    } catch {
      continue; // gone: the main thread's next poll says so
    }
    let last = new Set<string>();
    while (size > tailer.position) {
      const before = tailer.position;
      const r = await tailer.poll();
      const fresh = new Set(r.warnings);
      const warnings = r.warnings.filter((w) => !last.has(w));
      last = fresh;
      const { packed, transfer } = out.finish();
      await credit();
      post({ type: 'batch', id: job.id, real: f.real, packed, warnings, position: tailer.position }, transfer);
      if (!(r.truncatedAt === null && tailer.position > before)) break;
    }
    post({ type: 'file', id: job.id, real: f.real, state: tailer.exportState(), lastWarnings: [...last] });
  }
  post({ type: 'done', id: job.id, decoder: decoder.exportState(), annotated: [...annotated] });
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  for (let job = jobs.shift(); job; job = jobs.shift()) {
    try {
      await runJob(job);
    } catch (e) {
      post({ type: 'error', id: job.id, message: (e as Error).message });
    }
  }
  busy = false;
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'ack') {
    if (m.buffers) out.recycle(m.buffers);
    credits++;
    wake?.();
    wake = null;
  } else {
    jobs.push(m.job);
    void pump();
  }
});
