// The persistent log cache ("restart is instant"): a snapshot of each run's store data (run-codec.ts) kept
// beside the logs (cache-db.ts), with the reader's state at that moment: per event file the offset read up
// to and a fingerprint of the bytes before it, and the decoder's memory. On start, runs whose files still
// match are listed at once without reading anything; a run's data comes back from the cache when it is
// viewed (or in the background while memory allows), its histograms only when touched, and its files are
// tailed from the snapshot's offsets. It is also the --max-memory reloader (a RunReloader): a dropped run
// comes back from its snapshot, else from its files. The cache is never the source of truth: a missing,
// stale or corrupt cache costs a full read, never data, and never stops the server.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import type { ReaderState } from '../logs/run-reading.ts';
import { HistogramSeries } from '../store/histogram-series.ts';
import type { RunReloader } from '../store/run-reloader.ts';
import type { SeriesStore } from '../store/series-store.ts';
import { CacheDb, type CachedFile, type CachedRunHead } from './cache-db.ts';
import { codecLayout, decodeRun, decodeSeries, encodeRun } from './run-codec.ts';

/** The watcher's side (LogdirWatcher). */
export interface CacheReader {
  capture(run: string): ReaderState | undefined;
  canResume(run: string, files: readonly string[]): boolean;
  resume(run: string, from: ReaderState): Promise<void>;
  reread(run: string): Promise<void>;
  park(run: string): void;
}

export interface LogCacheOptions {
  /** Folder of the cache file. */
  dir: string;
  logdir: string;
  warn: (message: string) => void;
}

/** Bytes hashed at a file's start and just before the cached offset. */
const HEAD_BYTES = 4096;
const TAIL_BYTES = 64;
/** A resident run's snapshot is written again once its files grew this much past it (and always when it leaves memory). */
const RESAVE_FRACTION = 0.25;
const RESAVE_MIN_BYTES = 1 << 20;

/** Fingerprint of a file's bytes before `offset`: its first and last few bytes (sha1 each). Throws when unreadable. */
export function fingerprint(file: string, offset: number): { head: string; tail: string } {
  const fd = openSync(file, 'r');
  try {
    const hash = (from: number, len: number): string => {
      const buf = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const n = readSync(fd, buf, got, len - got, from + got);
        if (n === 0) break;
        got += n;
      }
      return createHash('sha1').update(buf.subarray(0, got)).digest('hex');
    };
    return { head: hash(0, Math.min(offset, HEAD_BYTES)), tail: hash(Math.max(0, offset - TAIL_BYTES), Math.min(offset, TAIL_BYTES)) };
  } finally {
    closeSync(fd);
  }
}

/** Why a snapshot's files no longer match the disk, or null when they all do. */
export function staleReason(files: readonly CachedFile[]): string | null {
  if (files.length === 0) return 'no files';
  for (const f of files) {
    let size: number;
    try {
      size = statSync(f.path).size;
    } catch {
      return `${f.path} is gone`;
    }
    if (size < f.offset) return `${f.path} shrank below the cached offset`;
    try {
      const fp = fingerprint(f.path, f.offset);
      if (fp.head !== f.head || fp.tail !== f.tail) return `${f.path} was rewritten`;
    } catch (e) {
      return `${f.path}: ${(e as Error).message}`;
    }
  }
  return null;
}

const readBytes = (files: readonly { offset: number }[]): number => files.reduce((s, f) => s + f.offset, 0);

export class LogCache implements RunReloader {
  private db: CacheDb | null;
  private readonly layout = codecLayout();
  /** Runs with a snapshot in the cache (checked against the disk at start). */
  private readonly heads = new Map<string, CachedRunHead>();
  private readonly inflight = new Map<string, Promise<void>>();
  /** Restored runs whose files are being read on from the snapshot. */
  private readonly resuming = new Set<Promise<void>>();
  private store: SeriesStore | null = null;
  private reader: CacheReader | null = null;
  private onLost: (run: string) => void = () => {};
  private onRestored: (run: string) => void = () => {};
  private closed = false;
  /** Runs brought back from the cache so far (for tests and diagnostics). */
  restored = 0;

  /** Bytes of the cache file read through a memory map now: only while the start-up restore runs (diagnostics, tests). */
  get mappedBytes(): number {
    return this.db?.mappedBytes() ?? 0;
  }

  private constructor(
    db: CacheDb,
    private readonly opts: LogCacheOptions,
  ) {
    this.db = db;
  }

  /** Opens the cache; null (with a warning) when it cannot be had at all (e.g. a read-only logdir). */
  static open(opts: LogCacheOptions): LogCache | null {
    try {
      return new LogCache(CacheDb.open(opts.dir, opts.logdir, codecLayout(), opts.warn), opts);
    } catch (e) {
      opts.warn(`log cache disabled: cannot open it in ${opts.dir} (${(e as Error).message})`);
      return null;
    }
  }

  /**
   * `restored(run)`: the run's data is back in the store (tell its viewers); `lost(run)`: a restored run's data
   * could not be read back after all: drop it from memory (it is read from its files when viewed).
   */
  bind(store: SeriesStore, reader: CacheReader, on: { restored: (run: string) => void; lost: (run: string) => void }): void {
    this.store = store;
    this.reader = reader;
    this.onRestored = on.restored;
    this.onLost = on.lost;
  }

  /**
   * Checks every cached run against the disk (before the watcher's first scan): a run whose files still
   * match is listed (not in memory) and its files are left unread until its data is back; the others are
   * dropped from the cache, with a warning. Returns the runs listed.
   */
  prepare(): string[] {
    const { db, store, reader } = this;
    if (!db || !store || !reader) return [];
    let heads: CachedRunHead[];
    try {
      heads = db.heads();
    } catch (e) {
      this.rebuild(e as Error);
      return [];
    }
    const stale: string[] = [];
    for (const h of heads) {
      const why = staleReason(h.files);
      if (why) {
        stale.push(h.run);
        this.opts.warn(`[run ${h.run}] cached data is stale (${why}); reading the run again`);
        continue;
      }
      this.heads.set(h.run, h);
      store.addRunElsewhere(h.run, h.startTime ?? undefined);
      reader.park(h.run);
    }
    this.drop(stale);
    return [...this.heads.keys()];
  }

  /** Bytes the cached run takes in the store once back (0 when not cached). */
  cachedBytes(run: string): number {
    return this.heads.get(run)?.bytes ?? 0;
  }

  /** RunReloader: bring a dropped (or not yet restored) run back, from its snapshot when that is still good. */
  reload(run: string): Promise<void> {
    let p = this.inflight.get(run);
    if (!p) {
      p = this.reloadNow(run).finally(() => this.inflight.delete(run));
      this.inflight.set(run, p);
    }
    return p;
  }

  private async reloadNow(run: string): Promise<void> {
    const { store, reader } = this;
    if (!store || !reader) return;
    if (this.restore(run)) return;
    await reader.reread(run);
  }

  /** Put the run's snapshot into the store and tail its files from there; false when there is none to use. */
  private restore(run: string): boolean {
    const { db, store, reader } = this;
    const head = this.heads.get(run);
    if (!db || !store || !reader || !head || this.closed) return false;
    if (!store.isEvicted(run)) return true; // back already
    const why = staleReason(head.files) ?? (reader.canResume(run, head.files.map((f) => f.path)) ? null : 'a new event file sorts before a cached one');
    if (why) {
      this.opts.warn(`[run ${run}] cached data is stale (${why}); reading the run again`);
      this.drop([run]);
      return false;
    }
    try {
      const body = db.body(run, head.gen);
      if (!body) throw new Error('its row is gone');
      const gen = head.gen;
      const rd = decodeRun(body.core, store.sampler, (tag) => this.loadSeries(run, gen, tag));
      const from = deserialize(body.reader) as ReaderState;
      store.adoptRunData(run, rd);
      this.restored++;
      const p = reader.resume(run, from).finally(() => this.resuming.delete(p));
      this.resuming.add(p);
      this.onRestored(run);
      return true;
    } catch (e) {
      this.opts.warn(`[run ${run}] cached data cannot be read (${(e as Error).message}); reading the run again`);
      this.drop([run]);
      return false;
    }
  }

  /** A restored run's histogram series, read when first touched. */
  private loadSeries(run: string, gen: number, tag: string): HistogramSeries {
    const store = this.store!;
    try {
      const data = this.db?.series(run, gen, tag);
      if (!data) throw new Error('its row is gone');
      return decodeSeries(data, store.sampler);
    } catch (e) {
      this.opts.warn(`[run ${run}] cached histograms "${tag}" cannot be read (${(e as Error).message}); reading the run again`);
      this.drop([run]);
      // Not in the middle of the read that asked: the run leaves memory and is read from its files when viewed.
      setImmediate(() => this.onLost(run));
      return new HistogramSeries(store.limits.histograms, store.sampler);
    }
  }

  /** Resolves once the restored runs' files are read on to their end. */
  async settled(): Promise<void> {
    while (this.resuming.size > 0) await Promise.all([...this.resuming]);
  }

  /** RunReloader: the run's data is about to leave memory. Its snapshot is brought up to date first, so it comes back from there. */
  release(run: string): void {
    this.save(run, 0);
    this.reader?.park(run);
  }

  /**
   * Writes the run's snapshot when it is resident, between two reads, and its files grew past the snapshot
   * by more than `slack` of what the snapshot had read (0: any growth). True when the cache is up to date.
   */
  save(run: string, slack = RESAVE_FRACTION): boolean {
    const { db, store, reader } = this;
    if (!db || !store || !reader || this.closed) return false;
    const rd = store.heldRunData(run);
    const from = rd && reader.capture(run);
    if (!rd || !from || from.files.length === 0) return false;
    const prev = this.heads.get(run);
    const now = from.files.reduce((s, [, st]) => s + st.offset, 0);
    if (prev && prev.files.length === from.files.length) {
      const before = readBytes(prev.files);
      if (now === before || (slack > 0 && now - before < Math.max(RESAVE_MIN_BYTES, before * slack))) return now === before;
    }
    try {
      const enc = encodeRun(run, rd);
      const files = from.files.map(([path, st]): CachedFile => ({ path, offset: st.offset, ...fingerprint(path, st.offset) }));
      const head: CachedRunHead = { run, gen: (prev?.gen ?? 0) + 1, startTime: rd.startTime ?? null, bytes: rd.bytes, files };
      db.put(head, { reader: serialize(from), core: enc.core }, enc.series);
      this.heads.set(run, head);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE')) this.rebuild(e as Error);
      else this.opts.warn(`[run ${run}] not cached: ${(e as Error).message}`);
      return false;
    }
  }

  /** save() every resident run, one per event-loop turn (until `deadline`, a Date.now() value). */
  async saveAll(slack = RESAVE_FRACTION, deadline = Infinity): Promise<void> {
    for (const run of this.store?.residentRuns() ?? []) {
      if (this.closed || Date.now() > deadline) return;
      this.save(run, slack);
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /**
   * Brings cached runs back in the background, newest first, while the store stays under `limitBytes`
   * (counting each run's whole size, histograms included, though those load only when touched).
   */
  async restoreAll(limitBytes: number): Promise<void> {
    const store = this.store;
    if (!store) return;
    const order = [...this.heads.values()].sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0));
    try {
      for (const h of order) {
        if (this.closed) return;
        if (!store.isEvicted(h.run)) continue;
        if (store.totalBytes + h.bytes > limitBytes) continue;
        await this.reload(h.run);
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.db?.mapForReading(false); // the start-up restore is over (cache-db.ts)
    }
  }

  /** The runs are gone (or their snapshot is): forget them. */
  drop(runs: readonly string[]): void {
    if (runs.length === 0) return;
    for (const r of runs) this.heads.delete(r);
    try {
      this.db?.drop(runs);
    } catch (e) {
      this.rebuild(e as Error);
    }
  }

  close(): void {
    this.closed = true;
    this.db?.close();
    this.db = null;
  }

  /** The file failed under us: start an empty one (every run is read from its files next time). */
  private rebuild(e: Error): void {
    const file = this.db?.file;
    this.opts.warn(`log cache ${file ?? ''} failed (${e.message}); starting it again`);
    this.heads.clear();
    try {
      this.db?.close();
    } catch {
      // closing a broken file may fail too
    }
    this.db = null;
    if (!file) return;
    try {
      CacheDb.remove(file);
      this.db = CacheDb.open(this.opts.dir, this.opts.logdir, this.layout, this.opts.warn);
    } catch (err) {
      this.opts.warn(`log cache disabled: ${(err as Error).message}`);
      this.db = null;
    }
  }
}
