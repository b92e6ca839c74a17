// Ingest benchmark: write a ~200 MB event file of scalars and histograms with EventWriter, then read
// it back with CRCs checked (single thread). Prints MB/s and records/s for both — by wall clock and
// by this process's CPU time (all threads incl. GC helpers; fairer on a shared machine) — and
// deletes the file. Reads: readEventFile keeping all ~1.7 M records in memory, then streamed polls
// the way the logdir watcher ingests, with its bound and with 512 KiB polls.
// Why poll size matters: decoding makes ~3.4 bytes of JS heap per file byte (a record object per
// event, a [left, right, count] array per histogram bucket). A poll's records live until it returns;
// with multi-MB polls they outgrow V8's young generation, get copied and promoted to old space and
// freed there (GC work + page faults); with ~512 KiB polls they die young and cost almost nothing.
// Usage: npm run bench:ingest [-- --mb 200]
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWriter } from '../server/logs/event-writer.ts';
import { EventFileTailer, readEventFile } from '../server/logs/event-file-reader.ts';
import { MAX_BYTES_PER_POLL } from '../server/logs/logdir.ts';

/** Small poll: its ~1.7 MB of records fit V8's young generation and die there (no promotion). */
const SMALL_POLL = 512 << 10;

function fmtBytes(n: number): string {
  return n >= 1 << 20 ? `${n / (1 << 20)} MiB` : `${n / 1024} KiB`;
}

const mbArg = process.argv.indexOf('--mb');
const targetBytes = (mbArg > 0 ? Number(process.argv[mbArg + 1]) : 200) * 1e6;

// Per step: 16 scalars; every 4th step 2 histograms of 1000 roughly normal values, bucketized with
// TF1's default edges: ~125 buckets each (TF1 HistogramProtos of real weights have ~60-150).
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

    // Streaming reads, as the logdir watcher ingests: bounded polls, records handed on and dropped.
    // Once with the watcher's current bound, once with small polls whose records die young (see header).
    const streamedAt = async (pollBytes: number): Promise<[number, number]> => {
      const t2 = performance.now();
      const c2 = cpuMs();
      const tailer = new EventFileTailer(w.path, { lenient: false, maxBytesPerPoll: pollBytes });
      let streamed = 0;
      while (tailer.position < bytes) {
        const s = await tailer.poll();
        if (s.warnings.length) throw new Error(`warnings: ${s.warnings.slice(0, 3).join('; ')}`);
        streamed += s.records.length;
      }
      if (streamed !== records) throw new Error(`streamed ${streamed} records, wrote ${records}`);
      return [performance.now() - t2, cpuMs() - c2];
    };
    // Best of two runs each, alternating (the machine may be shared); streamed first, so the
    // all-records read's garbage does not land on them.
    const best = (a: [number, number], b: [number, number]): [number, number] => (a[1] <= b[1] ? a : b);
    const small1 = await streamedAt(SMALL_POLL);
    const watch1 = await streamedAt(MAX_BYTES_PER_POLL);
    const [smallWall, smallCpu] = best(small1, await streamedAt(SMALL_POLL));
    const [streamWall, streamCpu] = best(watch1, await streamedAt(MAX_BYTES_PER_POLL));

    const t1 = performance.now();
    const c1 = cpuMs();
    const r = await readEventFile(w.path, { lenient: false }); // CRCs checked, bad records would be skipped
    const readWall = performance.now() - t1;
    const readCpu = cpuMs() - c1;
    if (r.warnings.length) console.error('warnings:', r.warnings.slice(0, 5));
    if (r.records.length !== records) throw new Error(`read ${r.records.length} records, wrote ${records}`);
    let scalars = 0;
    let buckets = 0;
    for (const x of r.records) {
      if (x.kind === 'scalar') scalars++;
      else if (x.kind === 'histogram') buckets += x.buckets.length;
    }
    r.records.length = 0;

    const histos = records - scalars - 1;
    console.log(
      `file: ${(bytes / 1e6).toFixed(1)} MB, ${records} records (${scalars} scalars, ${histos} histograms of ` +
        `${(buckets / histos).toFixed(0)} buckets on average, ${buckets} buckets in all) | load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    );
    console.log(line('write', bytes, records, writeWall, writeCpu));
    console.log(line(`read (streamed, ${fmtBytes(MAX_BYTES_PER_POLL)} polls = watcher's bound, best of 2)`, bytes, records, streamWall, streamCpu));
    console.log(line(`read (streamed, ${fmtBytes(SMALL_POLL)} polls, best of 2)`, bytes, records, smallWall, smallCpu));
    console.log(line('read (all records kept, readEventFile)', bytes, records, readWall, readCpu));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
