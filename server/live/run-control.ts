// Starting and stopping training runs for clients: names, sweeps, and a per-client bound on the work
// one client can have queued or running. Validation happened in the socket layer (TrainRequestSchema).
import type { TrainRequest } from '../../shared/protocol.ts';
import type { Activation, TrainSpec } from '../../shared/types.ts';
import type { TrainingManager } from '../training/manager.ts';

/** YYYYMMDD-HHMMSS in local time. */
export function timestampName(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export class RunControl {
  private startedBy = new Map<string, Set<string>>();

  constructor(
    private readonly manager: TrainingManager | null,
    private readonly perClientLimit: number,
  ) {}

  private active(client: string): number {
    const mine = this.startedBy.get(client);
    if (!mine || !this.manager) return 0;
    let n = 0;
    for (const info of this.manager.list()) {
      if (!mine.has(info.name)) continue;
      const st = info.status?.state;
      if (st === 'queued' || st === 'running') n++;
      else mine.delete(info.name);
    }
    return n;
  }

  /** Starts one run per activation (a sweep when several); returns the run names. Throws a readable Error. */
  start(client: string, req: TrainRequest): string[] {
    if (!this.manager) throw new Error('training is disabled on this server');
    const { activations, name, ...rest } = req;
    const acts = [...new Set(activations)] as Activation[];
    const active = this.active(client);
    if (active + acts.length > this.perClientLimit) {
      throw new Error(
        `this client already has ${active} run(s) queued or running; at most ${this.perClientLimit} at once (asked for ${acts.length} more)`,
      );
    }
    const base = rest as unknown as Omit<TrainSpec, 'activation'>;
    // The manager validates names and adds "-2", "-3"... when one is taken.
    const names =
      acts.length === 1
        ? [this.manager.startRun(name ?? `${acts[0]}-${timestampName()}`, { ...base, activation: acts[0] }).name]
        : this.manager.startSweep(name ?? `sweep-${timestampName()}`, base, acts).map((r) => r.name);
    let mine = this.startedBy.get(client);
    if (!mine) this.startedBy.set(client, (mine = new Set()));
    for (const n of names) mine.add(n);
    return names;
  }

  stop(run: string): void {
    if (!this.manager) throw new Error('training is disabled on this server');
    if (!this.manager.stop(run)) throw new Error(`run "${run}" is not queued or running on this server`);
  }

  /** The client left; its runs keep going, only the accounting is dropped. */
  forget(client: string): void {
    this.startedBy.delete(client);
  }
}
