// Discovers runs under a logdir and tails their event files. A run is any directory (at any depth)
// holding a file whose name contains "tfevents"; it is named by its path relative to the logdir with
// "/" separators ("." for the logdir itself). Appends are noticed through node's fs.watch on the
// directories holding known event files (one watch per directory; the changed file alone is read, within
// a few ms of the write). chokidar discovers new directories and files; its 'change' events are a
// fallback only (it drops changes less than 50 ms apart and stats before emitting). A timer polls anyway
// because file watchers miss events (network filesystems, editors, inotify limits). The runs and files
// known are kept in known-runs.ts, whole runs are read (initial load, reread, resume) by run-reading.ts.
import type { FSWatcher } from 'chokidar';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { EventDecoder } from './event-codec.ts';
import type { Progress } from './initial-load.ts';
import type { PackedRecords } from './packed-records.ts';
import { EventFileTailer, type ReadOptions } from './event-file-reader.ts';
import { DirWatches } from './dir-watches.ts';
import { IgnoredFiles } from './ignored-files.ts';
import { KnownRuns } from './known-runs.ts';
import { scanLogdir } from './logdir-scan.ts';
import { treeWatchReady, watchLogdirTree } from './logdir-tree-watch.ts';
import type { LogRecord } from './records.ts';
import { MAX_BYTES_PER_POLL, RunReading, type ReaderState } from './run-reading.ts';

export { MAX_BYTES_PER_POLL, type ReaderState } from './run-reading.ts';
export { CACHE_DIR_NAME } from './logdir-tree-watch.ts';

export interface LogdirWatcherOptions {
  /** Poll period in seconds (default 1). */
  reloadIntervalSec?: number;
  lenient?: boolean;
  onRecords: (run: string, records: LogRecord[]) => void;
  onRun?: (run: string) => void;
  onRunRemoved?: (run: string) => void;
  onWarning?: (run: string, message: string) => void;
  /** Worker threads for the initial load (default 0: the main thread reads everything). */
  loadWorkers?: number;
  /** The initial load uses the workers only from this many bytes on (default 64 MiB; smaller loads are quicker without). */
  parallelMinBytes?: number;
  /** Records of the workers, packed (default: unpacked and given to onRecords). */
  onPacked?: (run: string, packed: PackedRecords) => void;
  /** A run's initial-load progress changed (loadProgress), or it is loaded (loadProgress undefined). */
  onLoadProgress?: (run: string) => void;
}

/** Directory depth below the logdir that is searched. */
const MAX_DEPTH = 64;
/** A timer-driven rescan waits this many times the previous rescan's duration (bounds its cost on huge trees). */
const RESCAN_COST_FACTOR = 10;

export class LogdirWatcher {
  readonly logdir: string;
  private readonly opts: LogdirWatcherOptions;
  private readonly intervalMs: number;
  private rootReal: string | null = null;
  private readonly known: KnownRuns;
  private readonly ignored = new IgnoredFiles(() => this.dropIgnored());
  private readonly warnedOnce = new Set<string>();
  private watcher: FSWatcher | null = null;
  /** fs.watch per real directory holding known event files. */
  private readonly dirWatches = new DirWatches({
    onEvent: (dir, ev, name) => this.onDirEvent(dir, ev, name),
    // Directory gone or watch lost: the next rescan decides (chokidar and the poll still work).
    onLost: () => this.kick(true),
    onFailed: (dir, reason) => this.warnOnce('.', `cannot watch ${dir} (${reason}); polling it`),
  });
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Work for the next tick: a rescan, a poll of every file, or just the files named as changed. */
  private rescanWanted = true;
  private pollAllWanted = false;
  private timerDue = false;
  private readonly dirty = new Set<string>();
  private lastRescan = 0;
  private rescanCost = 0;
  private stopped = false;
  private readonly reading: RunReading;

  constructor(logdir: string, opts: LogdirWatcherOptions) {
    this.logdir = path.resolve(logdir);
    this.opts = opts;
    const sec = opts.reloadIntervalSec ?? 1;
    this.intervalMs = Math.max(50, (Number.isFinite(sec) && sec > 0 ? sec : 1) * 1000);
    const newTailer = (real: string, decoder: EventDecoder) => new EventFileTailer(real, this.tailerOptions(decoder));
    this.known = new KnownRuns({
      newDecoder: () => new EventDecoder(),
      newTailer,
      onRun: (run) => this.safe(run, () => this.opts.onRun?.(run)),
      onRunRemoved: (run) => this.safe(run, () => this.opts.onRunRemoved?.(run)),
    });
    this.reading = new RunReading({
      logdir: this.logdir,
      lenient: opts.lenient,
      loadWorkers: opts.loadWorkers ?? 0,
      parallelMinBytes: opts.parallelMinBytes ?? 64 << 20,
      runState: (run) => this.known.states.get(run),
      runNames: () => [...this.known.states.keys()],
      allRuns: () => this.known.states.values(),
      stopped: () => this.stopped,
      rescan: () => this.rescan(),
      tick: (drain) => this.tick(drain),
      schedule: () => this.schedule(),
      newDecoder: () => new EventDecoder(),
      newTailer,
      onRecords: (run, records) => this.safe(run, () => this.opts.onRecords(run, records)),
      ...(opts.onPacked ? { onPacked: (run: string, p: PackedRecords) => this.safe(run, () => opts.onPacked!(run, p)) } : {}),
      onWarning: (run, m) => this.safe(run, () => this.opts.onWarning?.(run, m)),
      onLoadProgress: (run) => this.safe(run, () => this.opts.onLoadProgress?.(run)),
      warnOnce: (run, m) => this.warnOnce(run, m),
    });
  }

  /**
   * Reads everything on disk (resolves after it), then watches and polls. Every run is known (onRun) before
   * any is read; with loadWorkers, runs are read on worker threads, those named by want() first.
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.running = this.reading.initialLoad();
    await this.running;
    this.running = null;
    if (this.stopped) return;
    await this.startWatcher();
    // Anything that appeared while the watcher was starting up is caught by a tick right away.
    this.kick(true);
    this.timer = setInterval(() => {
      this.timerDue = true;
      this.kick(false);
    }, this.intervalMs);
    this.timer.unref?.();
  }

  /** Find the runs (onRun for each) without reading them: start() reads them. */
  async discover(): Promise<void> {
    this.stopped = false;
    await this.reading.discover();
  }

  /** Bytes read of the bytes found, for a run still in its initial load; undefined once loaded. */
  loadProgress(run: string): Progress | undefined {
    return this.reading.loadProgress(run);
  }

  /** Stop reading this run's files (its data left memory); reread() or resume() brings it back. */
  park(run: string): void {
    this.reading.park(run);
  }

  /** Read a run's files again from their start (after park()); resolves once they are read to their end. */
  reread(run: string): Promise<void> {
    return this.reading.reread(run);
  }

  /** Read a parked run on from a state captured earlier (the log cache's); resolves once read to the end. */
  resume(run: string, from: ReaderState): Promise<void> {
    return this.reading.resume(run, from);
  }

  /** The run's files as found continue those of a captured state (see RunReading.canResume). */
  canResume(run: string, files: readonly string[]): boolean {
    return this.reading.canResume(run, files);
  }

  /** The run's reading state if it is between two polls (for the log cache's snapshot). */
  capture(run: string): ReaderState | undefined {
    return this.reading.capture(run);
  }

  /** Runs a client is looking at: read them first while the initial load lasts. */
  want(runs: readonly string[]): void {
    this.reading.want(runs);
  }

  /** Never read this file (our own trainers write it; their points arrive in-process). */
  ignoreFile(absPath: string): void {
    this.ignored.addFile(absPath);
  }

  /**
   * Never read event files directly in this directory (not its subdirectories): for a trainer's run
   * directory, call this before the trainer creates its file so no early poll can race ignoreFile().
   */
  ignoreDir(absDir: string): void {
    this.ignored.addDir(absDir);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reading.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const w = this.watcher;
    this.watcher = null;
    this.dirWatches.close();
    if (w) await w.close();
    if (this.running) await this.running.catch(() => {});
  }

  /** Directories given their own fs.watch for prompt append notice (for diagnostics/tests). */
  watchedDirs(): string[] {
    return this.dirWatches.dirs();
  }

  /** Runs currently known (for diagnostics/tests). */
  runs(): string[] {
    return [...this.known.states.keys()];
  }

  // ---------- scheduling ----------

  private async startWatcher(): Promise<void> {
    try {
      // A change to a known file polls that file only; anything else (new file or directory, removal) rescans.
      const onEvent = (ev: string, p: string) => {
        const real = ev === 'change' ? this.known.realPathOf(path.resolve(p)) : undefined;
        if (!real) this.kick(ev !== 'change');
        else if (!this.dirWatches.has(path.dirname(real))) this.kickFile(real); // else fs.watch has it
      };
      const onError = (e: Error) => this.warnOnce('.', `watching ${this.logdir} failed (${e.message}); polling only`);
      this.watcher = watchLogdirTree(this.logdir, MAX_DEPTH, onEvent, onError);
      await treeWatchReady(this.watcher);
    } catch (e) {
      this.warnOnce('.', `cannot watch ${this.logdir} (${(e as Error).message}); polling only`);
    }
  }

  /** Request a tick polling every file (coalesced; a tick in progress is followed by another). */
  private kick(rescan: boolean): void {
    if (rescan) this.rescanWanted = true;
    this.pollAllWanted = true;
    this.schedule();
  }

  /** Request a tick polling just this file (by real path). */
  private kickFile(real: string): void {
    this.dirty.add(real);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.running) return;
    this.running = this.tick(false).finally(() => {
      this.running = null;
      // Work requested while the tick ran is done right away (no extra event-loop turn).
      if (this.rescanWanted || this.pollAllWanted || this.dirty.size > 0 || this.reading.pending) this.schedule();
    });
  }

  /**
   * One pass: rescan when asked (or, on the timer, when due), then poll every file or only the changed
   * ones; `drain`: keep polling until every file is read to its end.
   */
  private async tick(drain: boolean): Promise<void> {
    try {
      if (this.reading.pending) await this.reading.serve();
      const now = Date.now();
      const timed = this.timerDue;
      this.timerDue = false;
      // Event-driven ticks never rescan by time: only the timer and discovery events do.
      if (this.rescanWanted || drain || (timed && now - this.lastRescan >= this.rescanCost * RESCAN_COST_FACTOR)) {
        this.rescanWanted = false;
        await this.rescan();
        this.lastRescan = Date.now();
        this.rescanCost = this.lastRescan - now;
        this.pollAllWanted = true; // new files are read right away
      }
      if (!this.pollAllWanted && this.dirty.size === 0) return;
      let more: boolean;
      if (this.pollAllWanted || drain) {
        this.pollAllWanted = false;
        this.dirty.clear();
        more = await this.reading.pollAll();
        while (drain && more && !this.stopped) more = await this.reading.pollAll();
      } else {
        const files = [...this.dirty];
        this.dirty.clear();
        more = await this.reading.pollList(this.known.filesAt(files), true);
      }
      if (more && !drain) this.pollAllWanted = true; // a big file: continue right after this tick
    } catch (e) {
      this.warnOnce('.', `logdir ${this.logdir}: ${(e as Error).message}`);
    }
  }

  // ---------- prompt change notice ----------

  /** After a rescan: index the known files and watch exactly the directories that hold them. */
  private syncDirWatches(): void {
    const dirs = this.known.reindex();
    if (!this.stopped) this.dirWatches.sync(dirs);
  }

  private onDirEvent(dir: string, ev: string, name: string | Buffer | null): void {
    if (this.stopped) return;
    if (name === null) {
      // No file name (some platforms): poll every known file of this directory.
      for (const real of this.known.realPathsIn(dir)) this.dirty.add(real);
      this.schedule();
      return;
    }
    const full = path.join(dir, String(name));
    const real = this.known.realPathOf(full);
    if (real && ev === 'change') this.kickFile(real);
    else if (ev === 'rename' && String(name).includes('tfevents') && !this.isIgnored(full, full)) {
      // Created, removed or renamed: discovery. Also read the file in case it was replaced in place.
      if (real) this.dirty.add(real);
      this.kick(true);
    }
  }

  // ---------- discovery ----------

  private async rescan(): Promise<void> {
    if (!this.rootReal) {
      try {
        this.rootReal = await realpath(this.logdir);
      } catch {
        return; // logdir absent for now; runs appear when it does
      }
    }
    const found = await scanLogdir(this.logdir, {
      rootReal: this.rootReal,
      maxDepth: MAX_DEPTH,
      isIgnored: (f, r) => this.isIgnored(f, r),
      warn: (run, m) => this.warnOnce(run, m),
      stopped: () => this.stopped,
    });
    if (this.stopped) return;
    this.known.merge(found);
    this.syncDirWatches();
  }

  private tailerOptions(decoder: EventDecoder): ReadOptions {
    return { decoder, maxBytesPerPoll: MAX_BYTES_PER_POLL, ...(this.opts.lenient === undefined ? {} : { lenient: this.opts.lenient }) };
  }

  private dropIgnored(): void {
    this.known.dropFiles((found, real) => this.isIgnored(found, real));
    this.syncDirWatches();
  }

  private isIgnored(found: string, real: string): boolean {
    return this.ignored.has(found, real);
  }

  // ---------- callbacks ----------

  private warnOnce(run: string, message: string): void {
    if (this.warnedOnce.has(message)) return;
    if (this.warnedOnce.size < 10_000) this.warnedOnce.add(message);
    this.safe(run, () => this.opts.onWarning?.(run, message));
  }

  /** A throwing callback must not stop the watcher. */
  private safe(run: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      try {
        this.opts.onWarning?.(run, `callback failed: ${(e as Error).message}`);
      } catch {
        // nothing more to do
      }
    }
  }
}
