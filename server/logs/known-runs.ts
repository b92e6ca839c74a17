// The logdir watcher's bookkeeping of runs and their event files (logdir.ts decides when to scan and
// read): each scan's findings are merged into the known runs (new runs and files, vanished runs), and the
// files are indexed by path so that a change notice finds the file, and the run, it concerns.
import path from 'node:path';
import type { EventDecoder } from './event-codec.ts';
import type { EventFileTailer } from './event-file-reader.ts';
import type { ScanResult } from './logdir-scan.ts';
import type { FileState, RunState } from './run-reading.ts';

export interface KnownRunsHooks {
  newDecoder(): EventDecoder;
  newTailer(real: string, decoder: EventDecoder): EventFileTailer;
  /** A run was found (called as soon as it is known, before its files are). */
  onRun(run: string): void;
  /** A run's directory vanished or lost every event file. */
  onRunRemoved(run: string): void;
}

export class KnownRuns {
  /** Run name -> its reading state. */
  readonly states = new Map<string, RunState>();
  /** Known event files: real path and found path -> [run, real path]. */
  private readonly fileIndex = new Map<string, [string, string]>();

  constructor(private readonly hooks: KnownRunsHooks) {}

  /** Take in one scan: add new runs and files (known files keep their reading state), remove vanished runs. */
  merge({ runs: found, failed, onlyIgnored }: ScanResult): void {
    for (const [run, files] of found) {
      let rs = this.states.get(run);
      if (!rs) {
        rs = { name: run, decoder: this.hooks.newDecoder(), files: new Map(), annotated: new Set() };
        this.states.set(run, rs);
        this.hooks.onRun(run);
      }
      const next = new Map<string, FileState>();
      for (const f of files) {
        const prev = rs.files.get(f.real);
        next.set(
          f.real,
          prev ?? {
            real: f.real,
            found: f.found,
            tailer: this.hooks.newTailer(f.real, rs.decoder),
            lastWarnings: new Set(),
          },
        );
      }
      rs.files = next;
      // Like TensorBoard, a run's writer moves on to a newer file (names sort by creation time): every
      // file but the last is complete, so a record running past its end is corruption, not a record
      // still being written (the tailer stops waiting for it and warns).
      let i = 0;
      for (const f of next.values()) if (++i < next.size) f.tailer.markComplete();
    }
    // A run whose directory vanished (or lost every event file) is removed; not one we failed to list.
    for (const run of [...this.states.keys()]) {
      if (found.has(run)) continue;
      if (failed.some((f) => f === '.' || run === f || run.startsWith(`${f}/`))) continue;
      this.states.delete(run);
      // Only ignored files left (a trainer's run seen before ignoreFile): forget it quietly, it is not gone.
      if (!onlyIgnored.has(run)) this.hooks.onRunRemoved(run);
    }
  }

  /** Forget the files `drop` names (found path, real path); their runs stay known. */
  dropFiles(drop: (found: string, real: string) => boolean): void {
    for (const rs of this.states.values()) {
      for (const [k, f] of rs.files) if (drop(f.found, f.real)) rs.files.delete(k);
    }
  }

  /** Index the known files anew; returns the directories (real paths) that hold them. */
  reindex(): Set<string> {
    this.fileIndex.clear();
    const dirs = new Set<string>();
    for (const rs of this.states.values()) {
      for (const f of rs.files.values()) {
        this.fileIndex.set(f.real, [rs.name, f.real]);
        this.fileIndex.set(f.found, [rs.name, f.real]);
        dirs.add(path.dirname(f.real));
      }
    }
    return dirs;
  }

  /** The real path of the known file at this path (real or as found), as of the last reindex(). */
  realPathOf(p: string): string | undefined {
    return this.fileIndex.get(p)?.[1];
  }

  /** Real paths of the indexed files directly in this (real) directory. */
  realPathsIn(dir: string): string[] {
    const out: string[] = [];
    for (const [, real] of this.fileIndex.values()) if (path.dirname(real) === dir) out.push(real);
    return out;
  }

  /** The named files (real paths) that are still known, with their runs. */
  filesAt(reals: readonly string[]): [RunState, FileState][] {
    const list: [RunState, FileState][] = [];
    for (const real of reals) {
      const hit = this.fileIndex.get(real);
      const rs = hit && this.states.get(hit[0]);
      const f = rs?.files.get(real);
      if (rs && f) list.push([rs, f]);
    }
    return list;
  }
}
