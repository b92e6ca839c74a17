// The run list clients see: runs in the store (from disk) merged with the trainer's runs (with status).
import os from 'node:os';
import path from 'node:path';
import type { RunInfo, RunState } from '../../shared/types.ts';
import type { SeriesStore } from '../store/series-store.ts';
import type { TrainingManager } from '../training/manager.ts';
import { hostTag } from '../logs/own-writer.ts';
import { loggedRunStatus, writerState } from './disk-run-status.ts';

/** Signal 0 only checks that the process exists (EPERM: it does, owned by someone else). */
function processAliveNow(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long an answer of processAlive is reused. */
const ALIVE_TTL_MS = 2000;
const aliveSeen = new Map<number, { alive: boolean; at: number }>();

/**
 * processAliveNow, answered from a short-lived memo: every run list asks it for every run our writer
 * wrote, mostly for the same few (dead) writers, and a throw per run cost 0.5 s of CPU in a load of
 * 5,000 runs that clients kept listing.
 */
function processAlive(pid: number): boolean {
  const now = Date.now();
  const seen = aliveSeen.get(pid);
  if (seen && now - seen.at < ALIVE_TTL_MS) return seen.alive;
  if (aliveSeen.size >= 10_000) aliveSeen.clear();
  const alive = processAliveNow(pid);
  aliveSeen.set(pid, { alive, at: now });
  return alive;
}

/** TensorBoard's session-end status as a run state (our writer records a stopped run as STATUS_UNKNOWN). */
export function logRunState(status: string | undefined): RunState | undefined {
  switch (status) {
    case 'STATUS_SUCCESS':
      return 'finished';
    case 'STATUS_FAILURE':
      return 'failed';
    case 'STATUS_UNKNOWN':
      return 'stopped';
    case 'STATUS_RUNNING':
      return 'running';
    default:
      return undefined;
  }
}

export class RunsService {
  constructor(
    private readonly store: SeriesStore,
    /** The trainer's runs (a TrainingManager, or the cluster's runs with --redis). */
    private readonly manager: Pick<TrainingManager, 'list'> | null,
    private readonly isAlive: (pid: number) => boolean = processAlive,
  ) {}

  private readonly host = hostTag(os.hostname());
  /** Initial-load progress of a run read from disk (set by the app once the logdir watcher exists). */
  loadProgress: (run: string) => RunInfo['loading'] | undefined = () => undefined;

  private trainerRuns(): Map<string, RunInfo> {
    const m = new Map<string, RunInfo>();
    if (!this.manager) return m;
    for (const info of this.manager.list()) m.set(info.name, info);
    return m;
  }

  private withHparams(info: RunInfo): RunInfo {
    if (!this.store.hasRun(info.name)) return info;
    const logStatus = info.source === 'disk' ? logRunState(this.store.hparamsInfo(info.name).status) : undefined;
    if (logStatus) info = { ...info, logStatus };
    if (info.hparams) return info;
    const hp = this.store.hparams(info.name);
    return hp ? { ...info, hparams: hp } : info;
  }

  private diskInfo(run: string): RunInfo {
    const info: RunInfo = { name: run, source: 'disk', group: run === '.' ? '.' : path.posix.dirname(run) };
    // Not trained by this process now (trainer runs never get here): the log tells how it ended, if it did.
    const session = this.store.sessionInfo(run);
    const here = { pid: process.pid, host: this.host, trainingIt: false, isAlive: this.isAlive };
    const status = loggedRunStatus(session, writerState(session.writer, here));
    if (status) info.status = status;
    const loading = this.loadProgress(run);
    if (loading) info.loading = loading;
    return this.withHparams(info);
  }

  /** Every run, sorted by name. */
  list(): RunInfo[] {
    const trainer = this.trainerRuns();
    const out = new Map<string, RunInfo>();
    for (const run of this.store.runs()) out.set(run, trainer.get(run) ? this.withHparams(trainer.get(run)!) : this.diskInfo(run));
    for (const [name, info] of trainer) if (!out.has(name)) out.set(name, this.withHparams(info));
    return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  info(run: string): RunInfo | undefined {
    const t = this.trainerRuns().get(run);
    if (t) return this.withHparams(t);
    return this.store.hasRun(run) ? this.diskInfo(run) : undefined;
  }

  exists(run: string): boolean {
    return this.store.hasRun(run) || this.trainerRuns().has(run);
  }
}
