// The initial load on worker threads fills the store exactly as the main-thread reader does.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LogdirWatcher } from '../../server/logs/logdir.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { LoadState, MAIN_THREAD_RUN_BYTES, pickNext } from '../../server/logs/initial-load.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { dump } from '../store/store-dump.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'tfevents');
const GOLDEN = path.join(ROOT, 'tests', 'fixtures', 'tb-golden', 'logdir');
const CORPUS_FILE = path.join(CORPUS, 'Alwaysproblem__tensorboard-review/log/text_hp/hparam_tuning/run-0/train/events.out.tfevents.1585754872.ezio-virtual-machine.111180.265.v2');

async function load(logdir: string, workers: number): Promise<{ store: SeriesStore; progressSeen: number; packed: number; unpacked: number }> {
  // Capacity past any corpus series: sampling (random) would make two loads differ by chance.
  const store = new SeriesStore({ scalars: Infinity, histograms: Infinity, images: Infinity, text: Infinity });
  let progressSeen = 0;
  let packed = 0;
  let unpacked = 0;
  const w: LogdirWatcher = new LogdirWatcher(logdir, {
    reloadIntervalSec: 60,
    loadWorkers: workers,
    parallelMinBytes: 0,
    onRun: (r) => store.addRun(r),
    onRecords: (r, recs) => {
      unpacked += recs.length;
      store.ingest(r, recs);
    },
    onPacked: (r, p) => {
      packed++;
      store.ingestPacked(r, p);
    },
    onWarning: (r, m) => store.addWarning(r, m),
    onLoadProgress: (r) => {
      const p = w.loadProgress(r);
      if (p && p.bytesRead > 0 && p.bytesRead <= p.totalBytes) progressSeen++;
    },
  });
  await w.start();
  await w.stop();
  return { store, progressSeen, packed, unpacked };
}

describe('parallel initial load', () => {
  for (const [name, dir] of [
    ['the tfevents corpus', CORPUS],
    ['the TensorBoard golden logdir', GOLDEN],
  ] as const) {
    it(`fills the store as the sequential reader does: ${name}`, async () => {
      const seq = await load(dir, 0);
      const par = await load(dir, 2);
      const a = dump(seq.store);
      const b = dump(par.store);
      expect(Object.keys(b)).toEqual(Object.keys(a));
      expect(Object.keys(a).length).toBeGreaterThan(3);
      for (const run of Object.keys(a)) expect({ run, ...(b[run] as object) }).toEqual({ run, ...(a[run] as object) });
      expect(par.progressSeen).toBeGreaterThan(0);
      expect(par.packed).toBeGreaterThan(0); // the workers did the reading
      expect(seq.packed).toBe(0);
    }, 120_000);
  }
});

describe('the main thread while workers start', () => {
  it('leaves a run bigger than MAIN_THREAD_RUN_BYTES to the workers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'trainscope-bigrun-'));
    try {
      const w = await EventWriter.open(path.join(dir, 'big'), { flushMs: 60_000 });
      let step = 0;
      while (w.size < MAIN_THREAD_RUN_BYTES * 1.1) {
        for (let k = 0; k < 1000; k++, step++) w.scalar('loss', 1 / (step + 1), step, 1.7e9 + step);
        await w.flush();
      }
      await w.close();
      const r = await load(dir, 1);
      const pts = r.store.scalars('big', 'loss');
      expect(pts.length).toBe(step);
      expect(pts[pts.length - 1][1]).toBe(step - 1);
      // Before: the one run went to the main thread (the worker not up yet) and was read there record by record.
      expect(r.unpacked).toBe(0);
      expect(r.packed).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('pickNext', () => {
  const newest = new Map([
    ['a', 1],
    ['b', 3],
    ['c', 2],
  ]);
  it('takes the most recently wanted pending run first, then the newest', () => {
    expect(pickNext(new Set(['a', 'b', 'c']), [], newest)).toBe('b');
    expect(pickNext(new Set(['a', 'b', 'c']), ['c', 'a'], newest)).toBe('a');
    expect(pickNext(new Set(['b', 'c']), ['c', 'a'], newest)).toBe('c');
    expect(pickNext(new Set(), ['a'], newest)).toBeUndefined();
  });
  it('skips runs the filter refuses, wanted or not', () => {
    const small = (r: string) => r !== 'b' && r !== 'a';
    expect(pickNext(new Set(['a', 'b', 'c']), ['a'], newest, small)).toBe('c');
    expect(pickNext(new Set(['a', 'b']), [], newest, small)).toBeUndefined();
  });
  it('LoadState.next(maxBytes) takes only runs of at most that many bytes', async () => {
    const s = new LoadState();
    await s.measure([
      { run: 'golden', key: {}, decoder: undefined as never, annotated: new Set(), files: [] },
      { run: 'corpus', key: {}, decoder: undefined as never, annotated: new Set(), files: [{ real: CORPUS_FILE, tailer: undefined as never, setLastWarnings: () => {} }] },
    ]);
    expect(s.next(0)).toBe('golden'); // no files: 0 bytes
    expect(s.next(0)).toBeUndefined();
    expect(s.pending.has('corpus')).toBe(true);
    expect(s.next()).toBe('corpus');
  });
});
