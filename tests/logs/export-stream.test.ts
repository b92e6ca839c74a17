// The streamed export (export-stream.ts) writes exactly the text of the whole-document path
// (exportToJson(buildExport(...))), and keeps memory bounded: a logdir bigger than the process's heap exports.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExport, exportToJson, loadRunsFromPath, type RunData } from '../../server/logs/export.ts';
import { RunExport } from '../../server/logs/export-columns.ts';
import { ByteOut } from '../../server/logs/export-bytes.ts';

/** A run's JSON object through writeJson, handed over in slices of `sliceBytes` (as the export writes it). */
function runText(run: RunExport, sliceBytes: number): string {
  let text = '';
  const out = new ByteOut(new Uint8Array(Math.max(sliceBytes, 256)), (filled) => {
    text += Buffer.from(filled).toString('utf8');
    return new Uint8Array(Math.max(sliceBytes, 256));
  });
  for (const _ of run.writeJson(out));
  out.flush();
  return text;
}
import { StreamSink, streamExport, type StreamExportOptions } from '../../server/logs/export-stream.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { writeLogdir, type RunShape } from '../../bench/gen-logdir.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { encodeEvent, encodeHistogramEvent, encodeScalarEvent, encodeTextEvent, encodeFileVersionEvent } from '../../server/logs/event-encode.ts';
import { encodeRecord } from '../../server/logs/tfrecord.ts';
import { CHUNK_SLOTS } from '../../server/logs/export-pool.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'tfevents');
const GOLDEN = path.join(ROOT, 'tests', 'fixtures', 'tb-golden', 'logdir');

/** A writable that keeps what it gets and pushes back (returns false) every few writes (`slow`: 1 ms a write). */
class SlowSink extends Writable {
  text = '';
  writes = 0;
  constructor(private readonly slow = true) {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    this.writes++;
    if (this.slow) setTimeout(cb, 1);
    else setImmediate(cb);
  }
}

async function streamed(p: string, opts: StreamExportOptions = {}, slow = true): Promise<SlowSink> {
  const out = new SlowSink(slow);
  await streamExport(p, new StreamSink(out), opts);
  await new Promise<void>((r) => out.end(r)); // every chunk written out
  return out;
}

/** Where two texts first differ (a short message instead of two documents of megabytes). */
function firstDifference(a: string, b: string): string {
  if (a === b) return 'same';
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `lengths ${a.length} and ${b.length}, first difference at ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 80), i + 80))} vs ${JSON.stringify(b.slice(Math.max(0, i - 80), i + 80))}`;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'ts-export-stream-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Odd values in every place a number goes, rewinds, a restart, unsafe int64 steps, text, many runs. */
async function writeOddLogdir(dir: string, runs: number): Promise<void> {
  const names = ['10', '2', 'zeta', 'ünï/標籤', '__proto__', 'a"b\\c', ...Array.from({ length: Math.max(0, runs - 6) }, (_, i) => `run_${String(i).padStart(3, '0')}`)];
  const odd = [NaN, Infinity, -Infinity, -0, 0, 1e21, -1e21, 1e-7, 0.1, 2 ** 53, 2 ** 53 + 2, 123456789, 1.5, 1700000000.123456];
  for (let r = 0; r < runs; r++) {
    const recs: Uint8Array[] = [encodeFileVersionEvent(1.7e9 + r)];
    const wall = (i: number) => (r % 2 ? 1.7e9 + i + 0.25 * r : 1.7e9 + i);
    for (let i = 0; i < 60 + 7 * r; i++) {
      recs.push(encodeScalarEvent('loss', odd[(i + r) % odd.length], i, wall(i)));
      recs.push(encodeScalarEvent(`m/${r % 3}`, Math.sin(i + r) * 10 ** ((i % 9) - 4), i, wall(i)));
      if (i % 5 === 0) {
        const n = (i + r) % 11; // 0 buckets included
        const limits = Array.from({ length: n }, (_, k) => (k === 3 ? -0 : (k - 2) * 0.37 + r / 7));
        limits.sort((a, b) => a - b);
        const counts = Array.from({ length: n }, (_, k) => odd[(k + i) % odd.length]);
        const h = { min: -1.25 - r, max: n ? limits[n - 1] : 0, num: 10, sum: 1, sumSquares: 1, bucketLimit: limits, bucket: counts };
        recs.push(encodeHistogramEvent('w/é', h, i, wall(i)));
      }
      if (i === 30) recs.push(encodeScalarEvent('loss', 42, 12, wall(i))); // rewind: drops steps 12..29
      if (i === 40 && r % 3 === 0) recs.push(encodeEvent({ wall_time: wall(i), step: 35, session_log: { status: 1 } })); // restart
    }
    // Steps past 2^53, kept exact.
    const unsafe = { low: 1 + r, high: 0x200000, unsigned: false };
    recs.push(encodeEvent({ wall_time: 1.8e9, step: unsafe, summary: { value: [{ tag: 'loss', simple_value: 3 }] } }));
    recs.push(encodeEvent({ wall_time: 1.8e9, step: unsafe, summary: { value: [{ tag: 'w/é', histo: { min: 0, max: 1, num: 1, sum: 1, sum_squares: 1, bucket_limit: [1], bucket: [1] } }] } }));
    recs.push(encodeTextEvent('notes', `run ${r} ✓`, 1, 1.7e9));
    const d = path.join(dir, ...names[r].split('/'));
    await mkdir(d, { recursive: true });
    await writeFile(path.join(d, `events.out.tfevents.${1000 + r}.test`), Buffer.concat(recs.map(encodeRecord)));
  }
}

describe('streamed export', () => {
  it('writes the same text as the whole-document path on the corpus and the golden logdir', async () => {
    for (const dir of [CORPUS, GOLDEN]) {
      const old = `${exportToJson(buildExport(await loadRunsFromPath(dir)))}\n`;
      const out = await streamed(dir);
      expect(out.text.length).toBeGreaterThan(1000);
      expect(out.text).toBe(old);
    }
  });

  it('keeps the rewind, restart, exact-step, non-finite and key-order rules of buildExport', () => {
    const recs: LogRecord[] = [];
    const s = (tag: string, step: number, value: number, extra: Partial<LogRecord> = {}) =>
      recs.push({ kind: 'scalar', tag, step, wallTime: 100 + step, value, ...extra } as LogRecord);
    const h = (tag: string, step: number, n: number) =>
      recs.push({ kind: 'histogram', tag, step, wallTime: 100 + step, buckets: Array.from({ length: n }, (_, i) => [i, i + 1, step + i] as [number, number, number]) });
    for (let i = 0; i < 10; i++) s('loss', i, i === 3 ? NaN : i === 4 ? -Infinity : i / 7);
    s('10', 1, 1);
    s('2', 1, 2);
    s('loss', 5, 99); // rewind: drops 5..9
    for (let i = 0; i < 6; i++) h('w', i, 3 + i);
    h('w', 2, 4); // rewind with buckets of a different count
    recs.push({ kind: 'meta', what: 'session_log', detail: 'START', step: 4, wallTime: 200 }); // restart: drops >= 4
    s('loss', 9007199254740993, 1, { stepExact: '9007199254740993' });
    recs.push({ kind: 'image', tag: 'img', step: 1, sample: 0, wallTime: 1, width: 2, height: 3, data: new Uint8Array(1) });
    recs.push({ kind: 'image', tag: 'img', step: 1, sample: 1, wallTime: 1, width: 4, height: 5, data: new Uint8Array(1) });
    recs.push({ kind: 'text', tag: 'notes', step: 1, wallTime: 1, text: 'hi' });
    const run = new RunExport();
    run.add(recs.slice(0, 20));
    run.add(recs.slice(20));
    run.doc.warnings = ['w1'];
    const text = runText(run, 50);
    const want = exportToJson(buildExport(new Map<string, RunData>([['r', { records: recs, warnings: ['w1'] }]])));
    expect(`{"runs":{"r":${text}}}`).toBe(want);
    expect(text).toContain('9007199254740993');
  });

  it('writes the same bytes in worker threads, in this thread and on the whole-document path, with odd values and many runs', async () => {
    const dir = path.join(tmp, 'odd');
    await writeOddLogdir(dir, 40);
    const want = `${exportToJson(buildExport(await loadRunsFromPath(dir)))}\n`;
    expect(want).toContain('"NaN"');
    expect(want).toContain('9007199254740994');
    expect(want).toContain('1e+21');
    for (const opts of [{ workers: 0 }, { workers: 2 }, { workers: 3, chunkBytes: 4096 }, { workers: 0, chunkBytes: 300 }]) {
      const out = await streamed(dir, opts, false);
      expect(firstDifference(out.text, want), JSON.stringify(opts)).toBe('same');
    }
  });

  it('gives the same bytes from worker threads as from this thread on the corpus, and the warnings in run order', async () => {
    const seen = (workers: number) => {
      const runs: string[] = [];
      const warnings: string[] = [];
      return { runs, warnings, onWarnings: (run: string, w: string[]) => (runs.push(run), warnings.push(...w)), workers };
    };
    const a = seen(0);
    const b = seen(2);
    const inProcess = await streamed(CORPUS, a);
    const workers = await streamed(CORPUS, { ...b, chunkBytes: 8192 });
    expect(firstDifference(workers.text, inProcess.text)).toBe('same');
    expect(b.runs).toEqual(a.runs);
    expect(b.runs.length).toBeGreaterThan(5);
    expect(b.warnings).toEqual(a.warnings);
  });

  it('keeps the chunks handed over by worker threads bounded while the sink is slow', async () => {
    const dir = path.join(tmp, 'odd-bounded');
    await writeOddLogdir(dir, 12);
    let max = 0;
    let last = -1;
    const out = await streamed(dir, { workers: 2, chunkBytes: 1024, onChunksInFlight: (n) => ((max = Math.max(max, n)), (last = n)) });
    expect(out.writes).toBeGreaterThan(50);
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(2 * CHUNK_SLOTS);
    expect(last).toBe(0);
    expect(firstDifference(out.text, `${exportToJson(buildExport(await loadRunsFromPath(dir)))}\n`)).toBe('same');
  });

  it('stops when the sink fails mid-way, in worker threads or not, and says why', async () => {
    const dir = path.join(tmp, 'odd-failing');
    await writeOddLogdir(dir, 10);
    for (const workers of [0, 2]) {
      let bytes = 0;
      const failing = new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          cb(bytes > 20_000 ? new Error('ENOSPC: no space left on device') : null);
        },
      });
      failing.on('error', () => {});
      await expect(streamExport(dir, new StreamSink(failing), { workers, chunkBytes: 2048 })).rejects.toThrow(/no space left/);
      expect(bytes).toBeLessThan(40_000);
    }
  });

  it('respects backpressure: a slow reader gets many small writes, never one document', async () => {
    const out = await streamed(CORPUS, { chunkBytes: 16 << 10 });
    expect(out.writes).toBeGreaterThan(3);
    expect(JSON.parse(out.text).runs).toBeTypeOf('object');
  });

  it('exports a logdir several times bigger than the heap the process may use', async () => {
    // ~39 MB: the whole-document path aborts (V8 heap out of memory) under the same 64 MB heap.
    const shape: RunShape = { steps: 15_000, scalarTags: 4, histTags: 2, histEvery: 40, buckets: 549 };
    const dir = path.join(tmp, 'big');
    const bytes = await writeLogdir(dir, 4, shape);
    expect(bytes).toBeGreaterThan(35e6);
    const outFile = path.join(tmp, 'big.json');
    const code = await new Promise<number>((resolve, reject) => {
      const p = spawn(
        process.execPath,
        ['--max-old-space-size=64', '--import', 'tsx', path.join(ROOT, 'bin', 'trainscope.mjs'), 'export', dir],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const chunks: Buffer[] = [];
      p.stderr.on('data', (c: Buffer) => chunks.push(c));
      const sink = (async () => {
        const { createWriteStream } = await import('node:fs');
        const { pipeline } = await import('node:stream/promises');
        await pipeline(p.stdout, createWriteStream(outFile));
      })();
      p.on('error', reject);
      p.on('close', (c) => void sink.then(() => resolve(c ?? -1), reject));
      setTimeout(() => p.kill(), 240_000).unref();
      p.on('close', (c) => c !== 0 && console.error(Buffer.concat(chunks).toString().slice(-2000)));
    });
    expect(code).toBe(0);
    const size = (await stat(outFile)).size;
    expect(size).toBeGreaterThan(bytes);
    // Check the document without holding its text: count the runs' keys and points in one streamed pass.
    let runs = 0;
    let tail = '';
    await new Promise<void>((resolve, reject) => {
      createReadStream(outFile, { encoding: 'utf8' })
        .on('data', (c: string | Buffer) => {
          const s = tail + String(c);
          runs += (s.match(/"run_\d{3}":\{"scalars":/g) ?? []).length;
          tail = s.slice(-40);
          // a key split across chunks is counted once: drop matches fully inside the kept tail
          runs -= (tail.match(/"run_\d{3}":\{"scalars":/g) ?? []).length;
        })
        .on('end', () => {
          runs += (tail.match(/"run_\d{3}":\{"scalars":/g) ?? []).length;
          resolve();
        })
        .on('error', reject);
    });
    expect(runs).toBe(4);
  }, 300_000);
});
