// `trainscope worker --redis URL --logdir DIR`: takes runs from the BullMQ queue and trains them exactly as
// `serve` trains locally (a TrainingManager: worker threads, disk budgets, the same event files), writing
// into DIR (the logdir the servers read: a shared file system across machines). Each run's summaries and
// statuses also go to the live stream, so every dashboard server shows them at once.
// A job whose earlier attempt died with its worker (BullMQ saw it stall) is failed, or trained once more
// under a new name when its spec asked for `retry`; the killed attempt's log stays as it was written.
import os from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { BackendChoice } from '../../shared/types.ts';
import { TrainingManager } from '../training/manager.ts';
import { attemptDecision, parseJobData } from './job.ts';
import { LivePublisher } from './live-stream.ts';
import { connectRedis, KEYS, throttledWarn } from './redis.ts';

export interface WorkerConfig {
  redis: string;
  logdir: string;
  concurrency: number;
  backend: BackendChoice;
  /** A job's lock lasts this long (renewed at half of it); a dead worker's job is noticed within ~2x. */
  lockMs: number;
  maxRunBytes?: number;
  log: (m: string) => void;
  warn: (m: string) => void;
}

export interface RunningWorker {
  id: string;
  close(): Promise<void>;
}

export async function startWorker(c: WorkerConfig): Promise<RunningWorker> {
  const id = `${os.hostname()}:${process.pid}`;
  const warn = (m: string) => c.warn(`worker ${id}: ${m}`);
  const redis = connectRedis(c.redis, `trainscope-worker-pub:${id}`, (e) => warn(`Redis: ${e.message} (reconnecting)`), true);
  const sub = connectRedis(c.redis, `trainscope-worker-sub:${id}`, () => {});
  const publisher = new LivePublisher(redis, warn);
  const manager = new TrainingManager({
    logdir: c.logdir,
    maxRuns: c.concurrency,
    maxQueue: c.concurrency,
    backend: c.backend,
    maxRunBytes: c.maxRunBytes,
    statusIntervalMs: 250,
  });
  manager.on('records', (run, records) => publisher.records(run, records));
  manager.on('status', (info) => publisher.status(info));
  const backend = await manager.init();
  c.log(`worker ${id}: training on ${backend}, ${c.concurrency} run(s) at once, logdir ${c.logdir}`);

  // Stop requests for runs we train (the server removed waiting jobs itself).
  await sub.subscribe(KEYS.stop);
  sub.on('message', (_channel: string, run: string) => {
    if (manager.list().some((r) => r.name === run)) manager.stop(run);
  });

  const process_ = async (job: Job) => {
    const data = parseJobData(job.data);
    const decision = attemptDecision(job.stalledCounter ?? 0, data.spec.retry);
    const retry = decision === 'retry';
    if (decision !== 'train') {
      const earlier = data.trainedAs ?? data.name;
      const why = `the worker training run "${earlier}" died; its log up to then is kept${retry ? '; training it once more' : ''}`;
      publisher.status({ name: earlier, source: 'trainer', group: data.group, status: { state: 'failed', endedAt: Date.now() / 1000, error: why }, ...(data.owner ? { startedBy: data.owner } : {}) });
      if (!retry) throw new Error(why);
    }
    if ((await redis.exists(KEYS.stopKey(data.name))) === 1) {
      publisher.status({ name: data.name, source: 'trainer', group: data.group, status: { state: 'stopped', endedAt: Date.now() / 1000 }, ...(data.owner ? { startedBy: data.owner } : {}) });
      return { run: data.name, state: 'stopped' };
    }
    // The manager adds "-2" when the folder exists (a retry: the dead attempt's log stays under the old name).
    const info = manager.startRun(data.name, data.spec, data.group, data.owner);
    if (info.name !== data.name) await job.updateData({ ...data, trainedAs: info.name });
    c.log(`worker ${id}: run "${info.name}" started`);
    await manager.waitFor(info.name);
    const end = manager.list().find((r) => r.name === info.name)?.status;
    c.log(`worker ${id}: run "${info.name}" ${end?.state ?? 'ended'}`);
    if (end?.state === 'failed') throw new Error(end.error ?? `run "${info.name}" failed`);
    return { run: info.name, state: end?.state };
  };

  const worker = new Worker(KEYS.queue, process_, {
    connection: connectRedis(c.redis, `trainscope-worker-queue:${id}`, (e) => warn(`queue Redis: ${e.message}`)),
    concurrency: c.concurrency,
    lockDuration: c.lockMs,
    stalledInterval: c.lockMs,
    // One stall is handed to the processor above (fail, or retry once); a second fails the job in BullMQ.
    maxStalledCount: 1,
    // A lost lock (Redis restarted for a long time) must not start the same run twice.
    autorun: true,
  });
  const queueWarn = throttledWarn(warn);
  worker.on('error', (e) => queueWarn(`queue: ${e.message}`));

  let closing: Promise<void> | null = null;
  return {
    id,
    close() {
      closing ??= (async () => {
        await manager.close(); // running runs end as "stopped", their logs closed; the processors return
        await worker.close();
        await publisher.flush();
        sub.disconnect();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
