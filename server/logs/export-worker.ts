// A worker thread of the streamed export (export-pool.ts): reads one run at a time and writes its JSON
// bytes into shared slots (made as needed, up to CHUNK_SLOTS), handing each full one to the main thread by
// index; with every slot out, it waits for one to come back before it writes on.
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

let slotBytes = 0;

/** Slots are of one size: when it changes (between exports, in tests), they are dropped once all are back. */
async function ensureSlots(chunkBytes: number): Promise<void> {
  if (slotBytes === chunkBytes) return;
  while (free.length < slots.length) await new Promise<void>((r) => (wake = r));
  slots = [];
  free = [];
  slotBytes = chunkBytes;
  post({ type: 'slots', slots: [] });
}

/** A free slot, or a new one while there are fewer than CHUNK_SLOTS, or (every slot out: one text bigger
 * than them all) a buffer of its own, transferred. */
function take(): Uint8Array {
  const i = free.pop();
  if (i !== undefined) return slots[i];
  if (slots.length < CHUNK_SLOTS) {
    const buffer = new SharedArrayBuffer(slotBytes);
    slots.push(new Uint8Array(buffer));
    post({ type: 'slot', slot: slots.length - 1, buffer });
    return slots[slots.length - 1];
  }
  return new Uint8Array(slotBytes);
}

async function runJob(id: number, job: RunJob, chunkBytes: number): Promise<void> {
  await ensureSlots(chunkBytes);
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
    while (free.length === 0 && slots.length >= CHUNK_SLOTS) await new Promise<void>((r) => (wake = r));
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
