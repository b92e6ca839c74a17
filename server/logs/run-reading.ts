// Reading runs as wholes, for the logdir watcher (logdir.ts): the initial load (every run known and sized
// at once, read in the order that matters, on worker threads when the logdir is big), and a run read again
// after its data left memory: from the start (reread), or from a state captured earlier (resume, the log
// cache's snapshot: decoder memory and each file's read offset), so only what is newer is read.
import { stat } from 'node:fs/promises';
import { annotate } from './annotate.ts';
import type { DecoderState, EventDecoder } from './event-codec.ts';
import type { EventFileTailer, TailerState } from './event-file-reader.ts';
import type { FoundFile } from './logdir-scan.ts';
import { LoadState, parallelLoad, type LoadRun, type Progress } from './initial-load.ts';
import { unpackRecords, type PackedRecords } from './packed-records.ts';
import type { LogRecord } from './records.ts';

export interface FileState extends Omit<FoundFile, 'name'> {
  tailer: EventFileTailer;
  /** Warnings of the previous poll: identical ones are not repeated every tick. */
  lastWarnings: Set<string>;
}
export interface RunState {
  name: string;
  decoder: EventDecoder;
  /** Keyed by real path; read in file-name order. */
  files: Map<string, FileState>;
  /** Tags whose metadata was already put on a record. */
  annotated: Set<string>;
}

/** Where a run's reading stands between two polls: enough to read on from there in another process. */
export interface ReaderState {
  decoder: DecoderState;
  annotated: string[];
  /** Per file (real path, in reading order): the tailer's state. */
  files: [real: string, state: TailerState][];
}

/** What RunReading needs of the watcher. */
export interface ReadingHost {
  readonly logdir: string;
  readonly lenient: boolean | undefined;
  loadWorkers: number;
  parallelMinBytes: number;
  runState(run: string): RunState | undefined;
  runNames(): string[];
  allRuns(): Iterable<RunState>;
  stopped(): boolean;
  rescan(): Promise<void>;
  tick(drain: boolean): Promise<void>;
  schedule(): void;
  newDecoder(): EventDecoder;
  newTailer(real: string, decoder: EventDecoder): EventFileTailer;
  onRecords(run: string, records: LogRecord[]): void;
  onPacked?: (run: string, packed: PackedRecords) => void;
  onWarning(run: string, message: string): void;
  onLoadProgress(run: string): void;
  warnOnce(run: string, message: string): void;
}

/**
 * Bytes one file may contribute per poll. Small slices also read faster: one slice's records die young
 * in V8's nursery instead of being promoted (bench:ingest measures ~1.7x the MB/s of 16 MiB slices).
 */
export const MAX_BYTES_PER_POLL = 512 << 10;
/** A worker's poll: its records are packed and handed over, so bigger slices cost the main thread nothing. */
const PARALLEL_BYTES_PER_POLL = 2 << 20;

export class RunReading {
  /** Runs whose data left memory: their files are not read until reread() or resume(). */
  private readonly parked = new Set<string>();
  private readonly requests = new Map<string, { from: ReaderState | undefined; waiters: (() => void)[] }>();
  /** The initial load in progress (null after it), and the bytes it found to read. */
  private load: LoadState | null = null;
  private loadBytes = 0;
  /** The run whose file is being polled (its reading state is between two records' effects). */
  private pollingRun: string | null = null;

  constructor(private readonly host: ReadingHost) {}

  /** Find the runs without reading them; runs parked already (their data is elsewhere) are not part of the load. */
  async discover(): Promise<void> {
    const h = this.host;
    try {
      await h.rescan();
      // Sizes too: a run listed from here on says it is loading (loadProgress) until it is read.
      const load = new LoadState();
      this.loadBytes = await load.measure(h.runNames().flatMap((r) => this.loadRun(r) ?? []));
      this.load = load;
    } catch (e) {
      h.warnOnce('.', `logdir ${h.logdir}: ${(e as Error).message}`);
    }
  }

  get discovered(): boolean {
    return this.load !== null;
  }

  /** Bytes read of the bytes found, for a run still in its initial load; undefined once loaded. */
  loadProgress(run: string): Progress | undefined {
    const rs = this.host.runState(run);
    return this.load?.progress(run, (real) => rs?.files.get(real)?.tailer.position ?? 0);
  }

  isParked(run: string): boolean {
    return this.parked.has(run);
  }

  /** Stop reading this run's files (its data left memory); reread() or resume() brings it back. */
  park(run: string): void {
    this.parked.add(run);
    // A reread/resume not served yet would read into a store that dropped the run: it is called off.
    const r = this.requests.get(run);
    this.requests.delete(run);
    for (const w of r?.waiters ?? []) w();
  }

  /** Read a run's files again from their start (after park()); resolves once they are read to their end. */
  reread(run: string): Promise<void> {
    return this.request(run, undefined);
  }

  /**
   * Read on from a captured state (after park()): files it names continue at their offset, others start at
   * 0 (check canResume first). Resolves once the files are read to their end.
   */
  resume(run: string, from: ReaderState): Promise<void> {
    return this.request(run, from);
  }

  /** The run's files as found now continue `files` (a captured state's): no file new to it sorts before a known one. */
  canResume(run: string, files: readonly string[]): boolean {
    const rs = this.host.runState(run);
    if (!rs) return false;
    const known = new Set(files);
    let fresh = false;
    for (const real of rs.files.keys()) {
      if (!known.has(real)) fresh = true;
      else if (fresh) return false;
    }
    return true;
  }

  /** The run's reading state now, if it is between two polls (not loading, parked, or mid-read). */
  capture(run: string): ReaderState | undefined {
    const rs = this.host.runState(run);
    if (!rs || this.parked.has(run) || this.requests.has(run) || this.loadProgress(run) !== undefined || this.pollingRun === run) return undefined;
    return {
      decoder: rs.decoder.exportState(),
      annotated: [...rs.annotated],
      files: [...rs.files.values()].map((f) => [f.real, f.tailer.exportState()]),
    };
  }

  private request(run: string, from: ReaderState | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const r = this.requests.get(run) ?? { from, waiters: [] };
      r.from = from;
      r.waiters.push(resolve);
      this.requests.set(run, r);
      this.host.schedule();
    });
  }

  get pending(): boolean {
    return this.requests.size > 0;
  }

  /** Serve the reread/resume requests (from the watcher's tick). */
  async serve(): Promise<void> {
    const h = this.host;
    for (const [run, { from, waiters }] of [...this.requests]) {
      this.requests.delete(run);
      this.parked.delete(run);
      const rs = h.runState(run);
      if (rs) {
        // A fresh decoder and tailers: at their captured state, else at offset 0 (as if found for the first time).
        rs.decoder = h.newDecoder();
        rs.annotated = new Set(from?.annotated);
        if (from) rs.decoder.importState(from.decoder);
        const states = new Map(from?.files);
        let i = 0;
        for (const f of rs.files.values()) {
          f.tailer = h.newTailer(f.real, rs.decoder);
          const st = states.get(f.real);
          if (st) f.tailer.importState(st);
          if (++i < rs.files.size) f.tailer.markComplete();
          f.lastWarnings = new Set();
        }
        await this.readRun(run);
      }
      for (const w of waiters) w();
    }
  }

  /** Read a run's files to their end now. */
  async readRun(run: string): Promise<void> {
    const rs = this.host.runState(run);
    if (!rs) return;
    const list = [...rs.files.values()].map((f): [RunState, FileState] => [rs, f]);
    while (!this.host.stopped() && (await this.pollList(list))) {
      // read on until every file is at its end
    }
  }

  /** Runs a client is looking at: read them first while the initial load lasts. */
  want(runs: readonly string[]): void {
    this.load?.want(runs);
  }

  get loading(): boolean {
    return this.load !== null;
  }

  async initialLoad(): Promise<void> {
    const h = this.host;
    if (!this.load) await this.discover();
    const load = this.load ?? new LoadState();
    this.load = load;
    const bytes = this.loadBytes;
    try {
      for (const r of load.runs()) h.onLoadProgress(r);
      if (h.loadWorkers > 0 && bytes >= h.parallelMinBytes && !h.stopped()) {
        await parallelLoad(load, {
          workers: h.loadWorkers,
          maxBytesPerPoll: PARALLEL_BYTES_PER_POLL,
          ...(h.lenient === undefined ? {} : { lenient: h.lenient }),
          stopped: () => h.stopped(),
          current: (run) => this.loadRun(run),
          onPacked: (run, p) => (h.onPacked ? h.onPacked(run, p) : h.onRecords(run, unpackRecords(p))),
          onWarning: (run, m) => h.onWarning(run, m),
          onLoaded: (run) => h.onLoadProgress(run),
          onProgress: (run) => h.onLoadProgress(run),
          readHere: (run) => this.readRun(run),
        });
      }
    } catch (e) {
      h.warnOnce('.', `logdir ${h.logdir}: ${(e as Error).message}`);
    }
    await h.tick(true);
    this.load = null;
    for (const r of load.runs()) h.onLoadProgress(r);
  }

  /** Polls every file once, runs and files in order. Returns true if some file has unread bytes left. */
  async pollAll(): Promise<boolean> {
    const list: [RunState, FileState][] = [];
    for (const rs of this.host.allRuns()) for (const f of rs.files.values()) list.push([rs, f]);
    return this.pollList(list);
  }

  /**
   * `changed`: the files were named by a change notice, so the stat that spares unchanged files a read is
   * skipped (one filesystem round trip less between the append and its delivery).
   */
  async pollList(list: [RunState, FileState][], changed = false): Promise<boolean> {
    const h = this.host;
    let more = false;
    let read = false;
    for (const [rs, f] of list) {
      if (h.stopped() || h.runState(rs.name) !== rs || !rs.files.has(f.real) || this.parked.has(rs.name)) continue;
      // Let sockets and timers run between files that produced work.
      if (read) await new Promise<void>((res) => setImmediate(res));
      read = false;
      const before = f.tailer.position;
      let size = Infinity;
      if (!changed) {
        try {
          size = (await stat(f.real)).size;
        } catch (e) {
          h.warnOnce(rs.name, `${f.real}: cannot stat (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); skipped`);
          continue;
        }
        if (size === before) continue; // nothing new
      }
      this.pollingRun = rs.name;
      const r = await f.tailer.poll().finally(() => (this.pollingRun = null));
      read = true;
      // ignoreFile/stop/removal may have happened while reading: drop what this poll produced.
      if (h.stopped() || h.runState(rs.name) !== rs || !rs.files.has(f.real) || this.parked.has(rs.name)) continue;
      const fresh = new Set<string>();
      for (const w of r.warnings) {
        fresh.add(w);
        if (!f.lastWarnings.has(w)) h.onWarning(rs.name, w);
      }
      f.lastWarnings = fresh;
      if (r.records.length > 0) {
        annotate(rs.decoder.tagInfo, rs.annotated, r.records);
        h.onRecords(rs.name, r.records);
      }
      if (this.load) h.onLoadProgress(rs.name);
      // Unread bytes left (a bounded poll of a big file): continue right after this tick.
      const advanced = f.tailer.position - before;
      if (r.truncatedAt === null && advanced > 0 && (changed ? advanced >= MAX_BYTES_PER_POLL : f.tailer.position < size)) more = true;
    }
    return more;
  }

  private loadRun(run: string): LoadRun | undefined {
    const rs = this.host.runState(run);
    if (!rs || this.parked.has(run)) return undefined;
    const files = [...rs.files.values()].map((f) => ({ real: f.real, tailer: f.tailer, setLastWarnings: (w: string[]) => (f.lastWarnings = new Set(w)) }));
    return { run, key: rs, decoder: rs.decoder, annotated: rs.annotated, files };
  }

  /** Let everyone waiting go (the watcher stops). */
  stop(): void {
    for (const r of this.requests.values()) for (const w of r.waiters) w();
    this.requests.clear();
  }
}
