// RunLogger: live records equal what a reader gets back from the event file it wrote.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanRecords } from '../../server/logs/tfrecord.ts';
import { PB } from '../../server/logs/tfevents-schema.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { bucketize, summarizeHistogram } from '../../shared/histogram.ts';
import { initBackend } from '../../server/training/backend.ts';
import { RunLogger } from '../../server/training/run-logger.ts';
import { trainRun } from '../../server/training/trainer.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trainscope-runlogger-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Comparable form: drop meta records (file_version), and keep everything else as-is. */
const content = (rs: LogRecord[]) => rs.filter((r) => r.kind !== 'meta');
/** A record as a plain object: the logger's histogram records make their buckets in a getter (lazy-histogram.ts). */
const plain = (r: LogRecord) => (r.kind === 'histogram' ? { ...r, buckets: r.buckets } : { ...r });

describe('RunLogger', () => {
  it('records only (null writer): each call becomes a record, takeRecords drains', () => {
    const log = new RunLogger(null);
    log.scalar('a', 1.5, 3);
    expect(log.histogram('h', [0, 1, 1, 2], 3)).toMatchObject({ num: 4, sum: 4, sumSquares: 6, min: 0, max: 2 });
    const png = new Uint8Array([137, 80, 78, 71]);
    log.image('img', png, 2, 1, 4);
    const first = log.takeRecords();
    expect(first.map((r) => r.kind)).toEqual(['scalar', 'histogram', 'image']);
    expect(first[0]).toMatchObject({ kind: 'scalar', tag: 'a', value: 1.5, step: 3 });
    expect(first[1]).toMatchObject({ kind: 'histogram', tag: 'h', step: 3, buckets: bucketize([0, 1, 1, 2]) });
    expect(first[2]).toMatchObject({ kind: 'image', tag: 'img', width: 2, height: 1, sample: 0, data: png });
    expect(Math.abs(first[0].wallTime - Date.now() / 1000)).toBeLessThan(5);
    expect(log.takeRecords()).toEqual([]);
    log.end('STATUS_ABORTED');
    log.end('STATUS_SUCCESS'); // only the first counts
    const end = log.takeRecords();
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ kind: 'hparams', part: 'session_end', status: 'STATUS_UNKNOWN' });
    expect(log.endStatus).toBe('STATUS_ABORTED');
  });

  it('a real training run: the event file reads back exactly as the live records', async () => {
    const backend = await initBackend('wasm');
    const writer = await EventWriter.open(join(dir, 'run1'));
    const logger = new RunLogger(writer);
    const live: LogRecord[] = [];
    await trainRun(
      {
        dataset: 'moons', noise: 0.1, samples: 120, activation: 'swish', layers: [6, 5], optimizer: 'adam', learningRate: 0.01,
        batchSize: 16, epochs: 2, dropout: 0, batchNorm: false, seed: 4, summaryEvery: 3,
      },
      { logger, backend, onRecords: (r) => live.push(...r) },
    );
    live.push(...logger.takeRecords());
    await logger.close();
    const disk = await readEventFile(writer.path);
    expect(disk.warnings).toEqual([]);
    expect(disk.truncatedAt).toBeNull();
    const fromDisk = content(disk.records);
    expect(fromDisk.length).toBe(live.length);
    // Same records in the same order; scalars are float32 on disk.
    for (let i = 0; i < live.length; i++) {
      const a = live[i], b = fromDisk[i];
      if (a.kind === 'scalar' && b.kind === 'scalar') {
        expect(b.tag).toBe(a.tag);
        expect(b.step).toBe(a.step);
        expect(b.value).toBeCloseTo(Math.fround(a.value), 6);
        expect(b.wallTime).toBeCloseTo(a.wallTime, 3);
      } else {
        expect({ ...plain(b), wallTime: 0 }, `record ${i} (${a.kind})`).toEqual({ ...plain(a), wallTime: 0 });
        expect(b.wallTime).toBeCloseTo(a.wallTime, 3);
      }
    }
    const kinds = new Set(live.map((r) => r.kind));
    expect([...kinds].sort()).toEqual(['graph', 'histogram', 'hparams', 'image', 'scalar']);
  });

  it('writes histograms with the exact count, extremes and sums of the values (not estimates from the buckets)', async () => {
    const writer = await EventWriter.open(join(dir, 'sums'));
    const logger = new RunLogger(writer);
    const values = [0.3, -1.25, 2, 2, 1e-3, 7.5];
    logger.histogram('h', values, 1);
    await logger.close();
    const histos = scanRecords(await readFile(writer.path))
      .frames.flatMap((f) => (f.kind === 'record' ? [PB.Event.toObject(PB.Event.decode(f.data)) as { summary?: { value: { histo?: Record<string, number> }[] } }] : []))
      .flatMap((e) => e.summary?.value.map((v) => v.histo).filter((h) => h !== undefined) ?? []);
    expect(histos).toHaveLength(1);
    let sum = 0, sumSquares = 0;
    for (const v of values) {
      sum += v;
      sumSquares += v * v;
    }
    expect(histos[0]).toMatchObject({ num: 6, min: -1.25, max: 7.5, sum, sum_squares: sumSquares });
  });

  it('writes a summary step as one event holding its scalars and histograms, then its image', async () => {
    const writer = await EventWriter.open(join(dir, 'merged'));
    const logger = new RunLogger(writer);
    const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
    logger.summary({
      step: 30,
      wallTime: 1700000000.5,
      entries: [
        { kind: 'histogram', tag: 'd/kernel', summary: summarizeHistogram([0.5, -1, 2]) },
        { kind: 'scalar', tag: 'd/grad_norm', value: 0.25 },
        { kind: 'image', tag: 'images/x', png, width: 1, height: 1 },
        { kind: 'scalar', tag: 'd/dead_fraction', value: 0 },
      ],
    });
    const live = logger.takeRecords().map(plain);
    await logger.close();
    const events = scanRecords(await readFile(writer.path))
      .frames.flatMap((f) => (f.kind === 'record' ? [PB.Event.toObject(PB.Event.decode(f.data)) as { step?: number; summary?: { value: { tag: string }[] } }] : []))
      .filter((e) => e.summary);
    expect(events.map((e) => [Number(e.step), e.summary!.value.map((v) => v.tag)])).toEqual([
      [30, ['d/kernel', 'd/grad_norm', 'd/dead_fraction']],
      [30, ['images/x']],
    ]);
    // The live records keep the output's order; read back, the file gives the same records.
    expect(live.map((r) => ('tag' in r ? r.tag : ''))).toEqual(['d/kernel', 'd/grad_norm', 'images/x', 'd/dead_fraction']);
    const back = content((await readEventFile(writer.path)).records).map(plain);
    const byTag = (rs: LogRecord[]) => [...rs].sort((a, b) => (('tag' in a ? a.tag : '') < ('tag' in b ? b.tag : '') ? -1 : 1));
    expect(byTag(back)).toEqual(byTag(live));
  });
});
