// A worker thread of the streamed export (export-pool.ts): reads one run at a time and writes its JSON
// bytes into its shared slots, handing each full one to the main thread by index; it waits for a free
// slot before it writes on.
import { parentPort } from 'node:worker_threads';
import { ByteOut } from './export-bytes.ts';
import { ColumnPool } from './export-columns.ts';
import { CHUNK_SLOTS, type FromExportWorker, type ToExportWorker } from './export-pool.ts';
import { exportRun, type RunJob } from './export-stream.ts';

const port = parentPort!;
let slots: Uint8Array[] = [];
let free: number[] = [];
let wake: (() => void) | null = null;
/** Columns reused from run to run (this worker's whole life: it lives for one export). */
const pool = new ColumnPool();

function post(m: FromExportWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

/** Slots of `chunkBytes` (new ones only when the size changes, i.e. between exports in tests). */
async function ensureSlots(chunkBytes: number): Promise<void> {
  if (slots.length > 0 && slots[0].length === chunkBytes) return;
  while (free.length < slots.length) await new Promise<void>((r) => (wake = r));
  const shared = Array.from({ length: CHUNK_SLOTS }, () => new SharedArrayBuffer(chunkBytes));
  slots = shared.map((b) => new Uint8Array(b));
  free = slots.map((_, i) => i).reverse();
  post({ type: 'slots', slots: shared });
}

async function runJob(id: number, job: RunJob, chunkBytes: number): Promise<void> {
  await ensureSlots(chunkBytes);
  // Every slot out (one text bigger than the free slots): a buffer of its own, transferred.
  const take = (): Uint8Array => {
    const i = free.pop();
    return i === undefined ? new Uint8Array(chunkBytes) : slots[i];
  };
  const ready: Uint8Array[] = [];
  const out = new ByteOut(take(), (filled) => {
    ready.push(filled);
    return take();
  });
  const send = async () => {
    for (const c of ready.splice(0)) {
      const slot = slots.findIndex((b) => b.buffer === c.buffer);
      if (slot >= 0) post({ type: 'chunk', id, slot, length: c.length });
      else post({ type: 'chunk', id, slot: -1, buffer: c.buffer as ArrayBuffer, length: c.length }, [c.buffer as ArrayBuffer]);
    }
    // The next chunk needs a free slot: wait here, between points, for the sink to catch up.
    while (free.length === 0) await new Promise<void>((r) => (wake = r));
  };
  try {
    for await (const _ of exportRun(job, out, pool, (warnings) => post({ type: 'warnings', id, warnings }))) await send();
    out.flush();
    await send();
  } finally {
    // The buffer ByteOut went on with was not handed over: its slot is free again.
    const last = slots.findIndex((b) => b.buffer === out.buf.buffer);
    if (last >= 0) free.push(last);
  }
}

let queue = Promise.resolve();
port.on('message', (m: ToExportWorker) => {
  if (m.type === 'free') {
    free.push(m.slot);
    wake?.();
    wake = null;
  } else {
    queue = queue.then(() =>
      runJob(m.id, m.job, m.chunkBytes).then(
        () => post({ type: 'done', id: m.id }),
        (e: Error) => post({ type: 'error', id: m.id, message: e.message }),
      ),
    );
  }
});
