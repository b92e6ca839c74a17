// How a run whose data left memory (SeriesStore.evictRun) comes back: something re-ingests its records
// through the usual ingest path. The default re-reads its event files (LogdirWatcher.reread); a
// persistent cache can implement the same interface and serve it from there instead.
export interface RunReloader {
  /** Bring the run's data back into the store; resolves when it is there. */
  reload(run: string): Promise<void>;
  /** Stop feeding the run's records to the store (its data was just dropped). */
  release(run: string): void;
}

/** The default: the logdir watcher re-reads the run's files from their start. */
export function diskReloader(watcher: { park(run: string): void; reread(run: string): Promise<void> }): RunReloader {
  return {
    reload: (run) => watcher.reread(run),
    release: (run) => watcher.park(run),
  };
}
