// Disk budgets of trainer runs: at most maxRunBytes per run's event file, and at most maxLogdirBytes for
// the logdir as a whole (its size when measured at start-up plus what runs wrote since). Specs are
// admitted on their estimated log size (log-estimate.ts); running runs are measured by a stat of their
// event file (the manager calls measure() on a timer and stops a run that is over).
import { statSync } from 'node:fs';
import { lstat, readdir, statfs } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from './log-estimate.ts';

export interface DiskLimits {
  /** Bytes one run's event file may reach; Infinity = no limit. */
  maxRunBytes: number;
  /** Bytes the logdir may hold (measured + written by runs); Infinity = no limit. */
  maxLogdirBytes: number;
}

interface Tracked {
  estimate: number;
  file?: string;
  bytes: number;
}

export class DiskBudget {
  private readonly active = new Map<string, Tracked>();
  /** Bytes written by runs that ended (their files stay on disk). */
  private endedBytes = 0;

  constructor(
    readonly limits: DiskLimits,
    /** The logdir's size before this server's runs (see measureDirBytes). */
    public baseline = 0,
  ) {}

  /** Bytes the logdir holds as far as we know. */
  used(): number {
    let n = this.baseline + this.endedBytes;
    for (const t of this.active.values()) n += t.bytes;
    return n;
  }

  /** What active runs are still expected to write (estimates, capped by the per-run budget). */
  private reserved(): number {
    let n = 0;
    for (const t of this.active.values()) n += Math.max(0, Math.min(t.estimate, this.limits.maxRunBytes) - t.bytes);
    return n;
  }

  /** Throws a readable Error when runs with these estimated log sizes do not fit the budgets. */
  admit(runs: { name: string; estimate: number; what: string }[]): void {
    const { maxRunBytes, maxLogdirBytes } = this.limits;
    for (const r of runs) {
      if (r.estimate > maxRunBytes) {
        throw new Error(
          `run "${r.name}": its log is estimated at ${formatBytes(r.estimate)} (${r.what}), over the per-run disk budget of ${formatBytes(maxRunBytes)}; ` +
            'log summaries less often (summaryEvery), or train fewer iterations (epochs, a larger batch, fewer samples)',
        );
      }
    }
    const total = runs.reduce((s, r) => s + r.estimate, 0);
    const left = maxLogdirBytes - this.used() - this.reserved();
    if (total > left) {
      throw new Error(
        `the logdir's disk budget of ${formatBytes(maxLogdirBytes)} has ${formatBytes(Math.max(0, left))} left ` +
          `(${formatBytes(this.used())} on disk, ${formatBytes(this.reserved())} expected from active runs); ` +
          `the requested run(s) are estimated at ${formatBytes(total)}`,
      );
    }
  }

  track(name: string, estimate: number): void {
    this.active.set(name, { estimate, bytes: 0 });
  }

  setFile(name: string, file: string): void {
    const t = this.active.get(name);
    if (t) t.file = file;
  }

  /** Stats the run's event file; returns its size (0 before the file exists). */
  measure(name: string): number {
    const t = this.active.get(name);
    if (!t?.file) return t?.bytes ?? 0;
    try {
      t.bytes = statSync(t.file).size;
    } catch {
      // removed under us: keep the last size
    }
    return t.bytes;
  }

  /** The run ended: one last measure, then its bytes count as the logdir's. */
  release(name: string): void {
    if (!this.active.has(name)) return;
    this.endedBytes += this.measure(name);
    this.active.delete(name);
  }

  /** Why the run must stop (its file reached the per-run budget), or null. */
  runOver(name: string): string | null {
    const t = this.active.get(name);
    if (!t || t.bytes < this.limits.maxRunBytes) return null;
    return `stopped: disk budget of ${formatBytes(this.limits.maxRunBytes)} for one run reached (${formatBytes(t.bytes)} written)`;
  }

  /** Why runs must stop (the logdir reached its budget), or null. */
  logdirOver(): string | null {
    const used = this.used();
    if (used < this.limits.maxLogdirBytes) return null;
    return `stopped: the logdir's disk budget of ${formatBytes(this.limits.maxLogdirBytes)} is reached (${formatBytes(used)})`;
  }
}

/** Bytes of regular files below dir (symlinks not followed; at most maxEntries entries looked at). */
export async function measureDirBytes(dir: string, maxEntries = 200_000): Promise<number> {
  let total = 0;
  let seen = 0;
  const stack = [dir];
  while (stack.length > 0 && seen < maxEntries) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const n of names) {
      if (++seen > maxEntries) break;
      const p = path.join(d, n);
      try {
        const st = await lstat(p);
        if (st.isDirectory()) stack.push(p);
        else if (st.isFile()) total += st.size;
      } catch {
        // vanished
      }
    }
  }
  return total;
}

/** The default logdir budget: what it holds now plus half the free space of its file system. */
export function defaultLogdirBudget(logdirBytes: number, freeBytes: number): number {
  return logdirBytes + Math.floor(freeBytes / 2);
}

/** Free bytes for an unprivileged user on dir's file system; Infinity when unknown. */
export async function freeDiskBytes(dir: string): Promise<number> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}
