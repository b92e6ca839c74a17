// chokidar over the whole logdir, for the watcher (logdir.ts): it discovers new directories and event
// files. Only directories and event files are watched, never the log cache's folder (its writes are not
// log appends).
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';

/** The log cache's default folder inside the logdir (never watched: its writes are not log appends). */
export const CACHE_DIR_NAME = '.trainscope-cache';
/** Longest wait for chokidar's initial scan. */
const WATCHER_READY_MS = 10_000;

/** Start watching (throws if chokidar cannot); `onEvent` gets chokidar's event name and path. */
export function watchLogdirTree(
  logdir: string,
  maxDepth: number,
  onEvent: (ev: string, p: string) => void,
  onError: (e: Error) => void,
): FSWatcher {
  const w = watch(logdir, {
    ignoreInitial: true,
    followSymlinks: false,
    depth: maxDepth,
    persistent: true,
    ignored: (p: string, st?: { isFile(): boolean }) =>
      path.basename(p) === CACHE_DIR_NAME || (!!st?.isFile() && !path.basename(p).includes('tfevents')),
  });
  w.on('all', onEvent);
  w.on('error', (e) => onError(e as Error));
  return w;
}

/** Resolves once chokidar's initial scan is done, or after WATCHER_READY_MS at the latest. */
export function treeWatchReady(w: FSWatcher): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, WATCHER_READY_MS);
    w.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
