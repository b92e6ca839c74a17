// The summary thread's entry: runs each SummaryJob it is sent, in order, and posts the output back.
import { parentPort, workerData } from 'node:worker_threads';
import { runSummaryJob, type BoundaryPoints, type SummaryJob } from './summary-job.ts';

const points = (workerData as { points: BoundaryPoints | null }).points;
parentPort!.on('message', (job: SummaryJob) => {
  try {
    const out = runSummaryJob(job, points);
    const pngs = out.entries.flatMap((e) => (e.kind === 'image' && e.png.buffer instanceof ArrayBuffer ? [e.png.buffer] : []));
    parentPort!.postMessage({ ok: true, out }, pngs);
  } catch (err) {
    parentPort!.postMessage({ ok: false, step: job.step, message: (err as Error).message });
  }
});
// Loaded and listening: the trainer starts posting (it works inline until then).
parentPort!.postMessage({ ready: true });
