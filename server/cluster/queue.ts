// ClusterTrainer: TRAIN and sweeps on a server started with --redis. It has the TrainingManager's face
// (list, capacity, startRun, startSweep, stop: what RunControl and RunsService use) but trains nothing:
// it names the runs (as the manager would: suffixes against the shared logdir and the runs it knows),
// publishes their 'queued' status and adds one BullMQ job each; workers (worker-command.ts) train them.
// Stops go through Redis: a waiting job is removed, a running one's worker hears it on a channel.
// A worker that dies mid-run is seen by BullMQ's stalled-job check (in the other workers); every server
// hears it through QueueEvents and marks the run failed at once (its worker retries it once if asked).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Activation, RunInfo, TrainSpec } from '../../shared/types.ts';
import { estimateLogBytes, formatBytes } from '../training/log-estimate.ts';
import { isRootName, parentGroup, pickFreeNames, specHparams, validateRunName } from '../training/run-meta.ts';
import { assertRunPathInside } from '../training/run-paths.ts';
import { jobIdOf, runOfJobId, type JobData } from './job.ts';
import type { LivePublisher } from './live-stream.ts';
import { KEYS } from './redis.ts';
import { isActive, type RunRegistry } from './run-registry.ts';

export interface ClusterTrainerDeps {
  logdir: string;
  queue: Queue;
  redis: Redis;
  registry: RunRegistry;
  publisher: LivePublisher;
  /** Runs waiting or training in the whole cluster that this server admits. */
  capacity: number;
  maxRunBytes: number;
  /** A run's info changed here (queued, failed to enqueue, failed by a stall). */
  changed: (info: RunInfo) => void;
  warn: (m: string) => void;
}

export class ClusterTrainer {
  constructor(private readonly d: ClusterTrainerDeps) {}

  get capacity(): number {
    return this.d.capacity;
  }

  list(): RunInfo[] {
    return this.d.registry.list();
  }

  startRun(name: string, spec: TrainSpec, group?: string, owner?: string): RunInfo {
    const base = validateRunName(name);
    const [free] = pickFreeNames((s) => [base + s], (n) => this.isTaken(n));
    this.admit([[free, spec]]);
    return this.enqueue([{ name: free, group: group ?? parentGroup(free), owner, spec }])[0];
  }

  startSweep(sweepName: string, spec: Omit<TrainSpec, 'activation'>, activations: Activation[], owner?: string): RunInfo[] {
    if (activations.length === 0) throw new Error('a sweep needs at least one activation');
    if (new Set(activations).size !== activations.length) throw new Error(`duplicate activations in sweep: ${activations.join(',')}`);
    const root = isRootName(sweepName);
    const sweep = root ? '' : validateRunName(sweepName);
    const names = pickFreeNames((s) => activations.map((a) => (root ? `${a}${s}` : `${sweep}${s}/${a}`)), (n) => this.isTaken(n));
    const specs = names.map((n, i) => [n, { ...spec, activation: activations[i] } as TrainSpec] as const);
    this.admit(specs);
    return this.enqueue(specs.map(([n, s]) => ({ name: n, group: root ? '.' : parentGroup(n), owner, spec: s })));
  }

  /** Stops a queued or running run of the cluster; false when it is not active. */
  stop(run: string): boolean {
    const info = this.d.registry.get(run);
    if (!isActive(info)) return false;
    void this.stopAsync(run, info!);
    return true;
  }

  /** QueueEvents -> run states: a stalled job's run failed (its worker died); a failed job's run failed. */
  watch(events: QueueEvents): void {
    events.on('stalled', ({ jobId }) => {
      const run = runOfJobId(jobId);
      if (!run) return;
      // A retried run trains under another name (worker-command.ts notes it in the job's data).
      void this.d.queue
        .getJob(jobId)
        .then((job) => (job?.data as { trainedAs?: unknown } | undefined)?.trainedAs, () => undefined)
        .then((as) => {
          const name = typeof as === 'string' ? as : run;
          this.fail(name, `the worker training run "${name}" stopped answering (killed or lost); its log up to then is kept`);
        });
    });
    events.on('failed', ({ jobId, failedReason }) => {
      const run = runOfJobId(jobId);
      if (run) this.fail(run, failedReason || `run "${run}" failed on its worker`);
    });
  }

  // ---------- internals ----------

  private fail(run: string, error: string): void {
    const info = this.d.registry.get(run);
    if (!info || !isActive(info)) return;
    const failed: RunInfo = { ...info, status: { ...info.status, state: 'failed', endedAt: Date.now() / 1000, error } };
    if (this.d.registry.apply(failed)) {
      this.d.changed(failed);
      // Every server hears the same event; the hash (not the stream) keeps it for servers that start later.
      this.d.redis.hset(KEYS.runs, run, JSON.stringify(failed)).catch(() => {});
    }
  }

  private async stopAsync(run: string, info: RunInfo): Promise<void> {
    try {
      const removed = await this.d.queue.remove(jobIdOf(run));
      if (removed === 1) {
        const stopped: RunInfo = { ...info, status: { ...info.status, state: 'stopped', endedAt: Date.now() / 1000 } };
        this.d.registry.apply(stopped);
        this.d.publisher.status(stopped);
        this.d.changed(stopped);
        return;
      }
      // Taken by a worker (or about to be): it stops the run when it hears this, or when it starts it.
      await this.d.redis.multi().set(KEYS.stopKey(run), '1', 'EX', 86_400).publish(KEYS.stop, run).exec();
    } catch (e) {
      this.d.warn(`stopping run "${run}": ${(e as Error).message}`);
    }
  }

  private isTaken(name: string): boolean {
    for (const r of this.d.registry.list()) {
      const other = r.name;
      if (other === name || other.startsWith(name + '/') || name.startsWith(other + '/')) return true;
    }
    return existsSync(path.join(this.d.logdir, name));
  }

  /** Paths inside the logdir and logs within the per-run budget (the worker checks the logdir's own). */
  private admit(runs: readonly (readonly [string, TrainSpec])[]): void {
    for (const [name, spec] of runs) {
      assertRunPathInside(this.d.logdir, name);
      const e = estimateLogBytes(spec);
      if (e.bytes > this.d.maxRunBytes) {
        throw new Error(`run "${name}" would write about ${formatBytes(e.bytes)} of logs, over the ${formatBytes(this.d.maxRunBytes)} a run may use`);
      }
    }
  }

  private enqueue(jobs: JobData[]): RunInfo[] {
    const infos = jobs.map((j) => {
      const info: RunInfo = {
        name: j.name,
        source: 'trainer',
        group: j.group,
        status: { state: 'queued' },
        hparams: specHparams(j.spec, null),
        ...(j.owner !== undefined ? { startedBy: j.owner } : {}),
      };
      this.d.registry.apply(info);
      this.d.publisher.status(info); // on the stream before the job exists: 'queued' comes before 'running'
      this.d.changed(info);
      return info;
    });
    this.d.queue
      .addBulk(jobs.map((j) => ({ name: 'train', data: j, opts: { jobId: jobIdOf(j.name), removeOnComplete: true, removeOnFail: true } })))
      .catch((e: Error) => {
        for (const j of jobs) this.fail(j.name, `could not queue run "${j.name}": ${e.message}`);
      });
    return infos.map((i) => structuredClone(i));
  }
}
