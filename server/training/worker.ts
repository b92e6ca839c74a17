// Worker-thread entry: trains one run (or probes the backend) and reports to the TrainingManager.
// It writes its own event file into the run directory and posts its summaries as they are made,
// batched (at most one 'records' and one 'progress' message per batchMs) so a fast trainer cannot
// flood the main thread. Loaded through tsx (see manager.ts), so it imports TypeScript directly.
// Jobs run one at a time; after one ends ('done'/'error') the manager may send the next 'start' to
// the same (warm) worker, which skips the tsx + tfjs/wasm start-up of a fresh one.
import { parentPort, workerData } from 'node:worker_threads';
import type { RunProgress } from '../../shared/types.ts';
import type { LogRecord } from '../logs/records.ts';
import { packRecords, wireTransferList } from './record-wire.ts';
import type { MainToWorker, WorkerInit, WorkerToMain } from './worker-protocol.ts';

if (!parentPort) throw new Error('server/training/worker.ts must run in a worker thread');
const port = parentPort;
const init = workerData as WorkerInit;
/** The running job's stop signal; null while idle (a late 'stop' for an ended job is then ignored). */
let abort: AbortController | null = null;

function post(m: WorkerToMain, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

/** Coalesces records and progress into at most one message each per batchMs. */
class Batcher {
  private records: LogRecord[] = [];
  private progress: RunProgress | null = null;
  private last = 0;
  private timer: NodeJS.Timeout | undefined;

  addRecords(rs: LogRecord[]): void {
    if (rs.length === 0) return;
    for (const r of rs) this.records.push(r);
    this.maybeFlush();
  }

  setProgress(p: RunProgress): void {
    this.progress = p;
    this.maybeFlush();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.last = performance.now();
    if (this.records.length > 0) {
      const blocks = packRecords(this.records);
      post({ type: 'records', blocks }, wireTransferList(blocks));
      this.records = [];
    }
    if (this.progress) {
      post({ type: 'progress', progress: this.progress });
      this.progress = null;
    }
  }

  private maybeFlush(): void {
    const wait = init.batchMs - (performance.now() - this.last);
    if (wait <= 0) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), wait);
  }
}

async function probe(choice: MainToWorker & { type: 'probe' }): Promise<void> {
  const { initBackend } = await import('./backend.ts');
  post({ type: 'backend', backend: await initBackend(choice.backend) });
}

async function train(msg: MainToWorker & { type: 'start' }, abort: AbortController): Promise<void> {
  const [{ initBackend }, { RunLogger }, { trainRun }, { EventWriter }, { ProjectorWriter }] = await Promise.all([
    import('./backend.ts'),
    import('./run-logger.ts'),
    import('./trainer.ts'),
    import('../logs/event-writer.ts'),
    import('./projector-writer.ts'),
  ]);
  const backend = await initBackend(msg.backend);
  post({ type: 'backend', backend });
  // A failed write (disk full) ends the run at once as failed, instead of training on without a log.
  let writeError: Error | null = null;
  const writer = await EventWriter.open(msg.runDir, {
    flushMs: init.flushMs,
    onError: (err) => {
      writeError ??= err;
      abort.abort();
    },
  });
  post({ type: 'file', path: writer.path });
  const logger = new RunLogger(writer);
  const batcher = new Batcher();
  let progressSeen = 0;
  try {
    const result = await trainRun(msg.spec, {
      logger,
      backend,
      signal: abort.signal,
      summaries: init.summaries,
      // The projector's files beside the event file (only MNIST runs make an embedding).
      embedding: init.summaries === false ? undefined : new ProjectorWriter(msg.runDir),
      onRecords: (rs) => batcher.addRecords(rs),
      onProgress: (p) => {
        batcher.setProgress(p);
        if (++progressSeen === 1 && init.fault === 'throw') throw new Error('injected fault: trainer exception');
        if (progressSeen === 1 && init.fault === 'exit') process.exit(3);
      },
    });
    if (writeError) throw writeError;
    const stopped = abort.signal.aborted;
    // Whatever the trainer made after its last onRecords call (e.g. the hparams session end).
    batcher.addRecords(logger.takeRecords());
    batcher.flush();
    await logger.close();
    if (writeError) throw writeError; // failed while closing (the last flush)
    post({ type: 'done', result, stopped });
  } catch (err) {
    // Best effort: mark the session failed and keep what was logged readable.
    try {
      logger.end('STATUS_FAILURE');
      batcher.addRecords(logger.takeRecords());
      batcher.flush();
      await logger.close();
    } catch {
      // the original error is what matters
    }
    throw err;
  }
}

port.on('message', (msg: MainToWorker) => {
  if (msg.type === 'stop') {
    if (init.fault !== 'hang-on-stop') abort?.abort();
    return;
  }
  if (abort) return; // one job at a time (the manager never sends two)
  const ac = (abort = new AbortController());
  const job = msg.type === 'probe' ? probe(msg) : train(msg, ac);
  job
    .catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      post({ type: 'error', message: e.message, stack: e.stack });
    })
    .finally(() => {
      if (abort === ac) abort = null;
    });
});
