// Which embedded store holds the log cache (server/cache/): SQLite through better-sqlite3 or LMDB through
// lmdb. Writes a 1 GB logdir's worth of series blobs the way the cache does (per run, kind, tag and chunk,
// batched in transactions), then measures bytes on disk, write throughput, the time to open the store and
// list every (run, kind, tag), and the time to read one series back (all its chunks).
// Usage: npm run bench:cache-stores [-- --mb 1000 --dir /tmp]
import Database from 'better-sqlite3';
import { open as openLmdb } from 'lmdb';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const totalBytes = Number(arg('mb', '1000')) * 1e6;
const baseDir = arg('dir', tmpdir());

// 50 runs; per run 8 scalar tags and 10 histogram tags; chunks as one 512 KiB poll produces them.
const RUNS = 50;
const SCALAR_TAGS = 8;
const HIST_TAGS = 10;
const perRun = totalBytes / RUNS;
// ~90 % of a tensorboardX logdir's bytes are histograms.
const HIST_CHUNK = 64 << 10;
const SCALAR_CHUNK = 8 << 10;
const histChunks = Math.max(1, Math.round((perRun * 0.9) / HIST_TAGS / HIST_CHUNK));
const scalarChunks = Math.max(1, Math.round((perRun * 0.1) / SCALAR_TAGS / SCALAR_CHUNK));

function blob(n: number, seed: number): Buffer {
  const f = new Float64Array(n / 8);
  for (let i = 0; i < f.length; i++) f[i] = Math.sin(i * 0.001 + seed) * 1e3;
  return Buffer.from(f.buffer);
}
const hblob = blob(HIST_CHUNK, 1);
const sblob = blob(SCALAR_CHUNK, 2);

interface Row {
  run: string;
  kind: number;
  tag: string;
  seq: number;
  data: Buffer;
}
function* rows(): Generator<Row[]> {
  const chunks = Math.max(histChunks, scalarChunks);
  for (let r = 0; r < RUNS; r++) {
    const run = `run_${String(r).padStart(3, '0')}`;
    for (let c = 0; c < chunks; c++) {
      const batch: Row[] = [];
      if (c < scalarChunks) for (let t = 0; t < SCALAR_TAGS; t++) batch.push({ run, kind: 0, tag: `scalar/${t}`, seq: c, data: sblob });
      if (c < histChunks) for (let t = 0; t < HIST_TAGS; t++) batch.push({ run, kind: 1, tag: `hist/${t}`, seq: c, data: hblob });
      yield batch;
    }
  }
}

async function dirBytes(d: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(d)) n += (await stat(join(d, f))).size;
  return n;
}

interface Figures {
  name: string;
  bytes: number;
  written: number;
  writeMs: number;
  openListMs: number;
  keys: number;
  readMs: number;
  readBytes: number;
}

async function benchSqlite(dir: string): Promise<Figures> {
  const file = join(dir, 'cache.db');
  let db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE chunks (run TEXT, kind INTEGER, tag TEXT, seq INTEGER, data BLOB, PRIMARY KEY (run, kind, tag, seq)) WITHOUT ROWID');
  const ins = db.prepare('INSERT INTO chunks VALUES (?, ?, ?, ?, ?)');
  const tx = db.transaction((b: Row[]) => {
    for (const r of b) ins.run(r.run, r.kind, r.tag, r.seq, r.data);
  });
  let written = 0;
  const t0 = performance.now();
  let pending: Row[] = [];
  for (const b of rows()) {
    pending.push(...b);
    for (const r of b) written += r.data.length;
    if (pending.length >= 200) {
      tx(pending);
      pending = [];
    }
  }
  tx(pending);
  db.close();
  const writeMs = performance.now() - t0;
  const t1 = performance.now();
  db = new Database(file, { readonly: true });
  const keys = db.prepare('SELECT DISTINCT run, kind, tag FROM chunks').all().length;
  const openListMs = performance.now() - t1;
  const t2 = performance.now();
  let readBytes = 0;
  for (const r of db.prepare('SELECT data FROM chunks WHERE run = ? AND kind = ? AND tag = ? ORDER BY seq').iterate('run_025', 1, 'hist/5')) {
    readBytes += (r as { data: Buffer }).data.length;
  }
  const readMs = performance.now() - t2;
  db.close();
  return { name: 'SQLite (better-sqlite3, WAL)', bytes: await dirBytes(dir), written, writeMs, openListMs, keys, readMs, readBytes };
}

async function benchLmdb(dir: string): Promise<Figures> {
  const path = join(dir, 'cache.mdb');
  let db = openLmdb<Buffer, (string | number)[]>({ path, encoding: 'binary', compression: false });
  let written = 0;
  const t0 = performance.now();
  let n = 0;
  for (const b of rows()) {
    for (const r of b) {
      void db.put([r.run, r.kind, r.tag, r.seq], r.data);
      written += r.data.length;
    }
    // Bound the writes in flight (lmdb batches puts into one transaction per event-loop turn).
    if (++n % 20 === 0) await db.flushed;
  }
  await db.flushed;
  await db.close();
  const writeMs = performance.now() - t0;
  const t1 = performance.now();
  db = openLmdb<Buffer, (string | number)[]>({ path, encoding: 'binary', compression: false, readOnly: true });
  const seen = new Set<string>();
  for (const k of db.getKeys()) seen.add(`${k[0]}\u0000${k[1]}\u0000${k[2]}`);
  const openListMs = performance.now() - t1;
  const t2 = performance.now();
  let readBytes = 0;
  for (const { value } of db.getRange({ start: ['run_025', 1, 'hist/5'], end: ['run_025', 1, 'hist/5', Infinity] })) readBytes += value.length;
  const readMs = performance.now() - t2;
  await db.close();
  return { name: 'LMDB (lmdb-js)', bytes: await dirBytes(dir), written, writeMs, openListMs, keys: seen.size, readMs, readBytes };
}

const out: Figures[] = [];
for (const [fn, label] of [
  [benchSqlite, 'sqlite'],
  [benchLmdb, 'lmdb'],
] as const) {
  const dir = await mkdtemp(join(baseDir, `trainscope-cache-bench-${label}-`));
  try {
    out.push(await fn(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const mb = (b: number) => (b / 1e6).toFixed(0);
console.log(`cache stores, ${mb(totalBytes)} MB of series blobs in ${RUNS} runs (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
console.log('| store | on disk MB | write MB/s | open + list keys | read one series |');
console.log('|---|---|---|---|---|');
for (const f of out) {
  console.log(
    `| ${f.name} | ${mb(f.bytes)} | ${(f.written / 1e6 / (f.writeMs / 1000)).toFixed(0)} | ${f.openListMs.toFixed(0)} ms (${f.keys} keys) | ${f.readMs.toFixed(1)} ms (${(f.readBytes / 1e6).toFixed(1)} MB) |`,
  );
}
