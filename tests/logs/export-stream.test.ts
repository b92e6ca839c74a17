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
import { StreamSink, streamExport, type StreamExportOptions } from '../../server/logs/export-stream.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { writeLogdir, type RunShape } from '../../bench/gen-logdir.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'tfevents');
const GOLDEN = path.join(ROOT, 'tests', 'fixtures', 'tb-golden', 'logdir');

/** A writable that keeps what it gets and pushes back (returns false) every few writes. */
class SlowSink extends Writable {
  text = '';
  writes = 0;
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    this.writes++;
    setTimeout(cb, 1);
  }
}

async function streamed(p: string, opts: StreamExportOptions = {}): Promise<SlowSink> {
  const out = new SlowSink();
  await streamExport(p, new StreamSink(out), opts);
  return out;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'ts-export-stream-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

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
    const text = [...run.json(50)].join('');
    const want = exportToJson(buildExport(new Map<string, RunData>([['r', { records: recs, warnings: ['w1'] }]])));
    expect(`{"runs":{"r":${text}}}`).toBe(want);
    expect(text).toContain('9007199254740993');
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
