// Event files the logdir watcher must not read (our own trainers write them; their points arrive
// in-process): single files, and folders whose event files are all ignored. Paths match as given and as
// resolved through symlinks in their folder path.
import { realpath } from 'node:fs/promises';
import path from 'node:path';

export class IgnoredFiles {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();

  /** `changed`: called after each addition (and again once its real path is known). */
  constructor(private readonly changed: () => void) {}

  addFile(absPath: string): void {
    const p = path.resolve(absPath);
    this.files.add(p);
    this.changed();
    realpath(path.dirname(p))
      .then((d) => {
        this.files.add(path.join(d, path.basename(p)));
        this.changed();
      })
      .catch(() => {});
  }

  /** Event files directly in this folder (not its subfolders). */
  addDir(absDir: string): void {
    const p = path.resolve(absDir);
    this.dirs.add(p);
    this.changed();
    realpath(p)
      .then((d) => {
        this.dirs.add(d);
        this.changed();
      })
      .catch(() => {});
  }

  has(found: string, real: string): boolean {
    return (
      this.files.has(found) ||
      this.files.has(real) ||
      (this.dirs.size > 0 && (this.dirs.has(path.dirname(found)) || this.dirs.has(path.dirname(real))))
    );
  }
}
