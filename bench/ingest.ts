// Ingest benchmark: write a ~200 MB event file of scalars and histograms with EventWriter, then read
// it back with CRCs checked (single thread). Prints MB/s and records/s for both — by wall clock and
// by this process's CPU time (fairer on a shared machine) — and deletes the file. Reads are done
// twice: readEventFile keeping all ~1.7 M records in memory (GC-heavy: every histogram bucket is a
// JS array), and streamed in 16 MB polls the way the logdir watcher ingests.
// Usage: npm run bench:ingest [-- --mb 200]
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWriter } from '../server/logs/event-writer.ts';
import { EventFileTailer, readEventFile } from '../server/logs/event-file-reader.ts';

const mbArg = process.argv.indexOf('--mb');
const targetBytes = (mbArg > 0 ? Number(process.argv[mbArg + 1]) : 200) * 1e6;

// Per step: 16 scalars; every 4th step 2 histograms of 1000 values (~100 buckets each).
const SCALAR_TAGS = Array.from({ length: 16 }, (_, i) => `train/metric_${i}`);
const HIST_TAGS = ['layer1/weights', 'layer1/activations'];

function values(seed: number, n: number): Float64Array {
  let s = seed >>> 0 || 1;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (rnd() + rnd() + rnd() - 1.5) * (1 + seed / 100);
  return out;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function line(what: string, bytes: number, records: number, wallMs: number, cpu: number): string {
  const mb = bytes / 1e6;
  return (
    `${what}: ${(mb / (wallMs / 1000)).toFixed(1)} MB/s, ${Math.round(records / (wallMs / 1000))} records/s wall ` +
    `(${(wallMs / 1000).toFixed(2)} s) | ${(mb / (cpu / 1000)).toFixed(1)} MB/s, ${Math.round(records / (cpu / 1000))} records/s per CPU-second`
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'trainscope-bench-'));
  try {
    const hist = Array.from({ length: 64 }, (_, i) => values(i + 1, 1000));
    const w = await EventWriter.open(dir, { flushMs: 500 });
    let records = 1;
    const wall0 = Date.now() / 1000;
    const t0 = performance.now();
    const c0 = cpuMs();
    for (let step = 0; w.size < targetBytes; step++) {
      const wt = wall0 + step * 1e-3;
      for (let i = 0; i < SCALAR_TAGS.length; i++) w.scalar(SCALAR_TAGS[i], Math.sin(step * 0.001 + i), step, wt);
      records += SCALAR_TAGS.length;
      if (step % 4 === 0) {
        for (let i = 0; i < HIST_TAGS.length; i++) w.histogram(HIST_TAGS[i], hist[(step + i) % 64], step, wt);
        records += HIST_TAGS.length;
      }
      if (step % 2000 === 0) await new Promise((r) => setImmediate(r)); // let flushes run
    }
    await w.close();
    const writeWall = performance.now() - t0;
    const writeCpu = cpuMs() - c0;
    const bytes = (await stat(w.path)).size;

    const t1 = performance.now();
    const c1 = cpuMs();
    const r = await readEventFile(w.path, { lenient: false }); // CRCs checked, bad records would be skipped
    const readWall = performance.now() - t1;
    const readCpu = cpuMs() - c1;
    if (r.warnings.length) console.error('warnings:', r.warnings.slice(0, 5));
    if (r.records.length !== records) throw new Error(`read ${r.records.length} records, wrote ${records}`);
    const scalars = r.records.filter((x) => x.kind === 'scalar').length;
    r.records.length = 0;

    // Streaming read, as the logdir watcher ingests: 16 MB slices, records handed on and dropped.
    const t2 = performance.now();
    const c2 = cpuMs();
    const tailer = new EventFileTailer(w.path, { lenient: false });
    let streamed = 0;
    for (;;) {
      const s = await tailer.poll(16e6);
      if (s.records.length === 0) break;
      streamed += s.records.length;
    }
    const streamWall = performance.now() - t2;
    const streamCpu = cpuMs() - c2;
    if (streamed !== records) throw new Error(`streamed ${streamed} records, wrote ${records}`);

    console.log(`file: ${(bytes / 1e6).toFixed(1)} MB, ${records} records (${scalars} scalars, ${records - scalars - 1} histograms)`);
    console.log(line('write', bytes, records, writeWall, writeCpu));
    console.log(line('read (all records kept)', bytes, records, readWall, readCpu));
    console.log(line('read (streamed, 16 MB polls)', bytes, records, streamWall, streamCpu));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
