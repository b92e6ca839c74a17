// The initial load on worker threads fills the store exactly as the main-thread reader does.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LogdirWatcher } from '../../server/logs/logdir.ts';
import { pickNext } from '../../server/logs/initial-load.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { dump } from '../store/store-dump.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'tfevents');
const GOLDEN = path.join(ROOT, 'tests', 'fixtures', 'tb-golden', 'logdir');

async function load(logdir: string, workers: number): Promise<{ store: SeriesStore; progressSeen: number; packed: number }> {
  // Capacity past any corpus series: sampling (random) would make two loads differ by chance.
  const store = new SeriesStore({ scalars: Infinity, histograms: Infinity, images: Infinity, text: Infinity });
  let progressSeen = 0;
  let packed = 0;
  const w: LogdirWatcher = new LogdirWatcher(logdir, {
    reloadIntervalSec: 60,
    loadWorkers: workers,
    parallelMinBytes: 0,
    onRun: (r) => store.addRun(r),
    onRecords: (r, recs) => store.ingest(r, recs),
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
  return { store, progressSeen, packed };
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
});
