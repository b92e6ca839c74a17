// Keeps a run's directory inside the logdir on disk, not just by name: a name like "shared/relu" is safe
// as text, but when "shared" is a symlink to /elsewhere the trainer would write there. Every existing
// component of the run's path is resolved (realpath) and must stay under the logdir's real path.
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

function within(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Throws a readable Error when a directory on the way from `logdir` to `logdir/name` (name "/"-separated,
 * already validated) resolves outside the logdir, or is a dangling symlink. Components that do not exist
 * yet are fine: the trainer creates them as plain directories below the last one checked.
 */
export function assertRunPathInside(logdir: string, name: string): void {
  const root = realOrSelf(logdir);
  let p = path.resolve(logdir);
  for (const seg of name.split('/')) {
    p = path.join(p, seg);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return; // does not exist: nothing below it does either
    }
    if (!st.isSymbolicLink()) {
      if (!st.isDirectory()) throw new Error(`run "${name}": ${p} exists and is not a directory`);
      continue;
    }
    let real;
    try {
      real = realpathSync(p);
    } catch {
      throw new Error(`run "${name}": ${p} is a symlink to a missing target; refusing to write through it`);
    }
    if (!within(root, real)) {
      throw new Error(`run "${name}": ${p} is a symlink to ${real}, outside the logdir ${root}; refusing to write there (pick another name)`);
    }
  }
}

/** Creates logdir/name (and its parents) and checks again where it landed; returns its path. Throws a readable Error. */
export function makeRunDir(logdir: string, name: string): string {
  assertRunPathInside(logdir, name);
  const dir = path.join(path.resolve(logdir), name);
  mkdirSync(dir, { recursive: true });
  const real = realpathSync(dir);
  const root = realOrSelf(logdir);
  if (!within(root, real)) throw new Error(`run "${name}": its directory resolves to ${real}, outside the logdir ${root}; refusing to write there`);
  return dir;
}
