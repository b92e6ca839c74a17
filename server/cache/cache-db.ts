// The log cache's SQLite file (better-sqlite3): per run, the snapshot of its store data (run-codec.ts), the
// event files it was read from with the offset read up to and a fingerprint, and the reader's state there;
// histogram series in rows of their own, read one by one when touched. SQLite was chosen over LMDB
// (bench/cache-stores.ts): a corrupt SQLite file answers an error, a corrupt LMDB file can crash the process,
// and the cache must never crash the server. Synchronous on purpose: a lazily restored series is read in
// the middle of a store read.
import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Most of the cache file SQLite may map for reading (address space, not memory: pages are the OS's file cache). */
const MMAP_BYTES = 256 * 2 ** 20;

/** Bump when the tables change (the codec's own layout is checked too): an older cache is rebuilt, not misread. */
export const CACHE_SCHEMA = '2';
export const CACHE_FILE = 'trainscope-cache.sqlite';

export interface CachedFile {
  path: string;
  /** Bytes read (the end of a whole record) when the snapshot was taken. */
  offset: number;
  /** Fingerprint of the bytes before offset (log-cache.ts). */
  head: string;
  tail: string;
}
export interface CachedRunHead {
  run: string;
  /** Snapshot generation (its series rows carry it). */
  gen: number;
  startTime: number | null;
  /** The store's bytes for the run (what --max-memory counts). */
  bytes: number;
  files: CachedFile[];
}
export interface CachedRunBody {
  /** The reader's state at the snapshot (v8: ReaderState of logs/run-reading.ts). */
  reader: Buffer;
  core: Buffer;
}

function createSchema(db: Database.Database, logdir: string, layout: string): void {
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE runs (run TEXT PRIMARY KEY, gen INTEGER NOT NULL, start_time REAL, bytes INTEGER NOT NULL,
                       files TEXT NOT NULL, reader BLOB NOT NULL, core BLOB NOT NULL);
    CREATE TABLE series (run TEXT NOT NULL, gen INTEGER NOT NULL, tag TEXT NOT NULL, data BLOB NOT NULL,
                         PRIMARY KEY (run, gen, tag));
  `);
  const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  put.run('schema', CACHE_SCHEMA);
  put.run('layout', layout);
  put.run('logdir', logdir);
}

export class CacheDb {
  private readonly q: {
    heads: Database.Statement;
    body: Database.Statement;
    series: Database.Statement;
  };

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {
    this.q = {
      heads: db.prepare('SELECT run, gen, start_time, bytes, files FROM runs'),
      body: db.prepare('SELECT reader, core FROM runs WHERE run = ? AND gen = ?'),
      series: db.prepare('SELECT data FROM series WHERE run = ? AND gen = ? AND tag = ?'),
    };
  }

  /**
   * Opens (or creates) the cache in `dir` for `logdir`. A file that is not a cache of this schema, code layout
   * and logdir (garbage, another version, another logdir's) is deleted and made again, with a warning;
   * throws only when even a fresh file cannot be made (e.g. a read-only directory).
   */
  static open(dir: string, logdir: string, layout: string, warn: (m: string) => void): CacheDb {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, CACHE_FILE);
    try {
      return CacheDb.openAs(file, logdir, layout);
    } catch (e) {
      warn(`log cache ${file} cannot be used (${(e as Error).message}); rebuilding it from the logs`);
      CacheDb.remove(file);
      return CacheDb.openAs(file, logdir, layout);
    }
  }

  static remove(file: string): void {
    for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(f, { force: true });
  }

  private static openAs(file: string, logdir: string, layout: string): CacheDb {
    const db = new Database(file, { timeout: 2000 });
    try {
      // Big pages: a run's snapshot is a few long blobs, read in fewer page hops (only a new file takes it).
      db.pragma('page_size = 65536');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Start-up restores read through a memory map (mapForReading): a warm restart's blobs (19 MB for the
      // 1 GB logdir) came out in 36-41 ms instead of 114-160 ms by copying page by page.
      db.pragma(`mmap_size = ${MMAP_BYTES}`);
      const hasMeta = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() as { n: number };
      if (hasMeta.n === 0) {
        const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
        if (tables.n > 0) throw new Error('not a Trainscope cache');
        db.transaction(() => createSchema(db, logdir, layout))();
      } else {
        const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
        if (meta.get('schema') !== CACHE_SCHEMA) throw new Error(`cache schema ${meta.get('schema') ?? '?'}, this version uses ${CACHE_SCHEMA}`);
        if (meta.get('layout') !== layout) throw new Error('written by another version of the store');
        if (meta.get('logdir') !== logdir) throw new Error(`made for logdir ${meta.get('logdir') ?? '?'}`);
      }
      // Preparing the statements reads the schema: a damaged one shows now (damaged rows show when read).
      return new CacheDb(db, file);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Every cached run, without its blobs. Throws on rows that are not what this code writes. */
  heads(): CachedRunHead[] {
    return (this.q.heads.all() as { run: string; gen: number; start_time: number | null; bytes: number; files: string }[]).map((r) => {
      const files = JSON.parse(r.files) as CachedFile[];
      if (!Array.isArray(files)) throw new Error(`run ${r.run}: bad file list`);
      return { run: r.run, gen: r.gen, startTime: r.start_time, bytes: r.bytes, files };
    });
  }

  body(run: string, gen: number): CachedRunBody | undefined {
    return this.q.body.get(run, gen) as CachedRunBody | undefined;
  }

  series(run: string, gen: number, tag: string): Buffer | undefined {
    return (this.q.series.get(run, gen, tag) as { data: Buffer } | undefined)?.data;
  }

  /** Replace a run's snapshot (one transaction). */
  put(head: CachedRunHead, body: CachedRunBody, series: [string, Buffer][]): void {
    const d = this.db;
    d.transaction(() => {
      d.prepare('DELETE FROM series WHERE run = ?').run(head.run);
      const ins = d.prepare('INSERT INTO series (run, gen, tag, data) VALUES (?, ?, ?, ?)');
      for (const [tag, data] of series) ins.run(head.run, head.gen, tag, data);
      d.prepare('INSERT OR REPLACE INTO runs (run, gen, start_time, bytes, files, reader, core) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        head.run,
        head.gen,
        head.startTime,
        head.bytes,
        JSON.stringify(head.files),
        body.reader,
        body.core,
      );
    })();
  }

  drop(runs: readonly string[]): void {
    const d = this.db;
    const a = d.prepare('DELETE FROM series WHERE run = ?');
    const b = d.prepare('DELETE FROM runs WHERE run = ?');
    d.transaction(() => {
      for (const r of runs) {
        a.run(r);
        b.run(r);
      }
    })();
  }

  /**
   * Reads through a memory map, or by copies. The map is for the start-up restore only: were another
   * program to cut the file short while it is mapped, reading it would kill the process (SIGBUS), and
   * the cache must never crash the server; afterwards a read costs a copy, not a risk.
   */
  mapForReading(on: boolean): void {
    if (this.db.open) this.db.pragma(`mmap_size = ${on ? MMAP_BYTES : 0}`);
  }

  /** Bytes of the file SQLite may read through its map now (0: copies). */
  mappedBytes(): number {
    return this.db.open ? Number(this.db.pragma('mmap_size', { simple: true })) : 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
