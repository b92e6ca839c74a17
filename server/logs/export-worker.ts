// A worker thread of the streamed export (export-pool.ts): reads one run at a time and writes its JSON
// bytes, handing each full chunk to the main thread (transferred) once it has a credit for it.
import { parentPort } from 'node:worker_threads';
import { ByteOut } from './export-bytes.ts';
import { ColumnPool } from './export-columns.ts';
import type { FromExportWorker, ToExportWorker } from './export-pool.ts';
import { CHUNK_CREDITS } from './export-pool.ts';
import { exportRun } from './export-stream.ts';

const port = parentPort!;
let credits = CHUNK_CREDITS;
let wake: (() => void) | null = null;
const spare: ArrayBuffer[] = [];
/** Columns reused from run to run (this worker's whole life: it lives for one export). */
const pool = new ColumnPool();

function post(m: FromExportWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

async function runJob(id: number, job: Extract<ToExportWorker, { type: 'job' }>['job'], chunkBytes: number): Promise<void> {
  const take = () => {
    const b = spare.pop();
    return b && b.byteLength === chunkBytes ? new Uint8Array(b) : new Uint8Array(chunkBytes);
  };
  const ready: Uint8Array[] = [];
  const out = new ByteOut(take(), (filled) => {
    ready.push(filled);
    return take();
  });
  const send = async () => {
    for (const c of ready.splice(0)) {
      while (credits <= 0) await new Promise<void>((r) => (wake = r));
      credits--;
      post({ type: 'chunk', id, buffer: c.buffer as ArrayBuffer, length: c.length }, [c.buffer as ArrayBuffer]);
    }
  };
  for await (const _ of exportRun(job, out, pool, (warnings) => post({ type: 'warnings', id, warnings }))) await send();
  out.flush();
  await send();
}

let queue = Promise.resolve();
port.on('message', (m: ToExportWorker) => {
  if (m.type === 'credit') {
    credits++;
    wake?.();
    wake = null;
  } else if (m.type === 'buffer') {
    if (spare.length < CHUNK_CREDITS + 2) spare.push(m.buffer);
  } else {
    queue = queue.then(() =>
      runJob(m.id, m.job, m.chunkBytes).then(
        () => post({ type: 'done', id: m.id }),
        (e: Error) => post({ type: 'error', id: m.id, message: e.message }),
      ),
    );
  }
});
