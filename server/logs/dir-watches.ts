// One fs.watch per directory that holds known event files: prompt notice of appends (chokidar drops
// 'change' events that come less than 50 ms apart). Bounded; beyond the bound the poll still sees changes.
import { watch, type FSWatcher } from 'node:fs';

/** Directories given their own fs.watch (beyond it, changes are noticed by chokidar and the poll). */
export const MAX_DIR_WATCHES = 4096;

export interface DirWatchHandlers {
  onEvent(dir: string, ev: string, name: string | Buffer | null): void;
  /** The watch was lost (directory gone): the caller should rescan. */
  onLost(dir: string): void;
  onFailed(dir: string, reason: string): void;
}

export class DirWatches {
  private readonly watches = new Map<string, FSWatcher>();

  constructor(private readonly handlers: DirWatchHandlers) {}

  has(dir: string): boolean {
    return this.watches.has(dir);
  }

  dirs(): string[] {
    return [...this.watches.keys()];
  }

  /** Watch exactly `dirs` (up to the bound): close the watches of other directories, open missing ones. */
  sync(dirs: Set<string>): void {
    for (const [d, w] of this.watches) {
      if (!dirs.has(d)) {
        w.close();
        this.watches.delete(d);
      }
    }
    for (const d of dirs) {
      if (this.watches.has(d) || this.watches.size >= MAX_DIR_WATCHES) continue;
      try {
        const w = watch(d, { persistent: false }, (ev, name) => this.handlers.onEvent(d, ev, name));
        w.on('error', () => {
          w.close();
          if (this.watches.get(d) === w) this.watches.delete(d);
          this.handlers.onLost(d);
        });
        this.watches.set(d, w);
      } catch (e) {
        this.handlers.onFailed(d, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
      }
    }
  }

  close(): void {
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
  }
}
