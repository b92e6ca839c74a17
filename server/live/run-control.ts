// Starting and stopping training runs for clients: names, sweeps, who owns a run, and how many places of
// the trainer's queue one client may take (run-admission.ts). Validation happened in the socket layer
// (TrainRequestSchema, HandshakeAuthSchema).
import { createHash } from 'node:crypto';
import type { ClientRole, TrainRequest } from '../../shared/protocol.ts';
import { mayStopRun } from '../../shared/run-access.ts';
import type { Activation, TrainSpec } from '../../shared/types.ts';
import type { TrainingManager } from '../training/manager.ts';
import { admissionError, admissionLimits } from './run-admission.ts';

/** YYYYMMDD-HHMMSS in local time. */
export function timestampName(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * A client's public owner tag: a hash of its id (the dashboard's per-tab clientId, or the socket id), so
 * the runs list can say who started a run without handing out the id that would let others act as its owner.
 */
export function ownerTag(clientId: string): string {
  return createHash('sha256').update(`trainscope-owner:${clientId}`).digest('base64url').slice(0, 22);
}

/** The role of a connection: its owner tag, and admin when the server checks a token (every holder is trusted). */
export function clientRole(clientId: string, admin: boolean): ClientRole {
  return { owner: ownerTag(clientId), admin };
}

const isActive = (state: string | undefined) => state === 'queued' || state === 'running';

/** What run control needs of a trainer: a TrainingManager, or with --redis the cluster's queue (server/cluster/queue.ts). */
export type Trainer = Pick<TrainingManager, 'list' | 'capacity' | 'startRun' | 'startSweep' | 'stop'>;

export class RunControl {
  constructor(
    private readonly manager: Trainer | null,
    private readonly maxRunsPerClient: number,
  ) {}

  /** Starts one run per activation (a sweep when several); returns the run names. Throws a readable Error. */
  start(who: ClientRole, req: TrainRequest): string[] {
    if (!this.manager) throw new Error('training is disabled on this server');
    const { activations, name, ...rest } = req;
    const acts = [...new Set(activations)] as Activation[];
    let held = 0, total = 0;
    for (const info of this.manager.list()) {
      if (!isActive(info.status?.state)) continue;
      total++;
      if (info.startedBy === who.owner) held++;
    }
    const refused = admissionError(acts.length, { held, total }, admissionLimits(this.manager.capacity, this.maxRunsPerClient));
    if (refused) throw new Error(refused);
    const base = rest as unknown as Omit<TrainSpec, 'activation'>;
    // The manager validates names and adds "-2", "-3"... when one is taken.
    return acts.length === 1
      ? [this.manager.startRun(name ?? `${acts[0]}-${timestampName()}`, { ...base, activation: acts[0] }, undefined, who.owner).name]
      : this.manager.startSweep(name ?? `sweep-${timestampName()}`, base, acts, who.owner).map((r) => r.name);
  }

  /** Stops a run `who` may stop (shared/run-access.ts). Throws a readable Error. */
  stop(who: ClientRole, run: string): void {
    if (!this.manager) throw new Error('training is disabled on this server');
    const info = this.manager.list().find((r) => r.name === run);
    if (!info || !isActive(info.status?.state)) throw new Error(`run "${run}" is not queued or running on this server`);
    if (!mayStopRun(info, who)) throw new Error(`run "${run}" was started by another client; only it (or an admin, with --auth-token) may stop it`);
    if (!this.manager.stop(run)) throw new Error(`run "${run}" is not queued or running on this server`);
  }
}
