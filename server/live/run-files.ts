// Locating a run's event files on disk without ever leaving the logdir: run names are validated, and
// every resolved path (symlinks included) must stay inside the logdir's real path.
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export class PathError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404,
  ) {
    super(message);
  }
}

/** Why a run name is not a safe relative name, or null. "." is the logdir itself. */
export function badRunNameReason(run: string): string | null {
  if (run.length === 0) return 'empty run name';
  if (run.length > 512) return 'run name too long';
  if (run.includes('\0')) return 'run name contains a NUL character';
  // A backslash is a path separator only on Windows; elsewhere it is an ordinary character of a folder name.
  if (process.platform === 'win32' && run.includes('\\')) return 'run name contains a backslash';
  if (run.startsWith('/') || /^[A-Za-z]:/.test(run)) return 'run name is an absolute path';
  if (run === '.') return null;
  const parts = run.split('/');
  if (parts.some((p) => p === '..')) return 'run name contains ".."';
  if (parts.some((p) => p === '' || p === '.')) return 'run name has empty or "." segments';
  return null;
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The run's directory (real path), refusing names or symlinks that lead outside the logdir. */
export async function safeRunDir(logdir: string, run: string): Promise<string> {
  const bad = badRunNameReason(run);
  if (bad) throw new PathError(`invalid run "${run}": ${bad}`, 400);
  const root = await realpath(logdir);
  const candidate = path.resolve(root, run === '.' ? '' : run);
  if (!inside(root, candidate)) throw new PathError(`run "${run}" is outside the logdir`, 403);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw new PathError(`run "${run}" has no directory in the logdir`, 404);
  }
  if (!inside(root, real)) throw new PathError(`run "${run}" resolves outside the logdir`, 403);
  return real;
}

export interface EventFileInfo {
  path: string;
  size: number;
}

/** Event files directly in a run directory (subdirectories are other runs), in name order. */
export async function listRunEventFiles(logdir: string, runDir: string): Promise<EventFileInfo[]> {
  const root = await realpath(logdir);
  const names = (await readdir(runDir)).filter((n) => n.includes('tfevents')).sort();
  const out: EventFileInfo[] = [];
  for (const name of names) {
    const p = path.join(runDir, name);
    try {
      const l = await lstat(p);
      const real = l.isSymbolicLink() ? await realpath(p) : p;
      if (!inside(root, real)) continue; // a symlink out of the logdir is never read
      const s = await stat(real);
      if (s.isFile()) out.push({ path: real, size: s.size });
    } catch {
      // Vanished or unreadable between readdir and stat: skip it.
    }
  }
  return out;
}

/**
 * Total bytes of event files under the logdir, walking at most `maxDepth` levels and never through
 * symlinked directories; stops early (returning a value > limit) once `limit` is passed.
 */
export async function eventBytesUnder(logdir: string, limit: number, maxDepth = 32): Promise<number> {
  let total = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > maxDepth || total > limit) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (total > limit) return;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.name.includes('tfevents') && (e.isFile() || e.isSymbolicLink())) {
        try {
          total += (await stat(p)).size;
        } catch {
          // dangling link or vanished file
        }
      }
    }
  };
  await walk(logdir, 0);
  return total;
}
