// What this server knows of the cluster's runs (queued, training on some worker, ended), fed by the
// statuses on the live stream and the runs hash. Pure. A status never moves a run backwards (queued <
// running < ended): updates from different producers may cross on their way.
import type { RunInfo, RunState } from '../../shared/types.ts';

const rank = (s: RunState | undefined): number => (s === 'queued' ? 0 : s === 'running' ? 1 : s === undefined ? -1 : 2);

export const isActive = (info: RunInfo | undefined) => info?.status?.state === 'queued' || info?.status?.state === 'running';

/** Ended runs remembered; older ones are forgotten (their logs stay on disk). */
export const MAX_ENDED = 1000;

export class RunRegistry {
  private runs = new Map<string, RunInfo>();

  /** Applies a status; false when it is stale (would move the run backwards) and was ignored. */
  apply(info: RunInfo): boolean {
    const old = this.runs.get(info.name);
    const ro = rank(old?.status?.state);
    const rn = rank(info.status?.state);
    if (old && rn < ro) return false;
    // Once ended, the first end wins (a failure seen by a server is not overwritten by a late "stopped").
    if (old && ro === 2 && rn === 2) return false;
    this.runs.delete(info.name); // re-insert: Map order is then "least recently changed first"
    this.runs.set(info.name, structuredClone(info));
    this.prune();
    return true;
  }

  get(run: string): RunInfo | undefined {
    const i = this.runs.get(run);
    return i && structuredClone(i);
  }

  has(run: string): boolean {
    return this.runs.has(run);
  }

  list(): RunInfo[] {
    return [...this.runs.values()].map((i) => structuredClone(i));
  }

  private prune(): void {
    let ended = 0;
    for (const i of this.runs.values()) if (!isActive(i)) ended++;
    for (const [name, i] of this.runs) {
      if (ended <= MAX_ENDED) break;
      if (!isActive(i)) {
        this.runs.delete(name);
        ended--;
      }
    }
  }
}
