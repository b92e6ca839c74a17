// The log cache on real logs (the shared corpus: every record kind we read) loaded on worker threads: the
// snapshots taken after the load bring back, in a new process's store, exactly what a cold main-thread
// read gives, and no file is read again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LogCache } from '../../server/cache/log-cache.ts';
import { LogdirWatcher } from '../../server/logs/logdir.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { dump } from '../store/store-dump.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'tfevents');

/** A store and watcher as the app wires them; `cacheDir`: with a log cache there. */
async function load(workers: number, cacheDir?: string) {
  // Capacity past any corpus series: sampling (random) would make two loads differ by chance.
  const store = new SeriesStore({ scalars: Infinity, histograms: Infinity, images: Infinity, text: Infinity });
  let records = 0;
  const watcher = new LogdirWatcher(CORPUS, {
    reloadIntervalSec: 60,
    loadWorkers: workers,
    parallelMinBytes: 0,
    onRun: (r) => {
      if (!store.hasRun(r)) store.addRun(r);
    },
    onRecords: (r, recs) => {
      records += recs.length;
      store.ingest(r, recs, false);
    },
    onPacked: (r, p) => {
      records += p.count;
      store.ingestPacked(r, p, false);
    },
    onWarning: (r, m) => store.addWarning(r, m),
  });
  const warnings: string[] = [];
  const cache = cacheDir ? LogCache.open({ dir: cacheDir, logdir: CORPUS, warn: (m) => warnings.push(m) }) : null;
  cache?.bind(store, watcher, { restored: () => {}, lost: () => {} });
  const listed = cache?.prepare() ?? [];
  await watcher.start();
  return { store, watcher, cache, listed, warnings, records: () => records };
}

describe('log cache after a worker-thread load', () => {
  it('restores every run of the corpus as a cold read gives it, reading no file again', async () => {
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'ts-cache-workers-'));
    try {
      const cold = await load(0);
      await cold.watcher.stop();
      const want = dump(cold.store);

      const first = await load(2, cacheDir);
      await first.cache!.saveAll(0);
      await first.watcher.stop();
      first.cache!.close();
      expect(dump(first.store)).toEqual(want);

      const warm = await load(2, cacheDir);
      try {
        expect(warm.listed.length).toBeGreaterThan(5);
        for (const run of warm.listed) expect(warm.store.isEvicted(run)).toBe(true);
        for (const run of warm.listed) await warm.cache!.reload(run);
        await warm.cache!.settled(); // the files are read on from the snapshots: nothing is left
        await warm.watcher.stop();
        expect(warm.cache!.restored).toBe(warm.listed.length);
        // Runs the cache could not hold (none expected) would have been read in full: say which.
        expect(warm.warnings).toEqual([]);
        expect(warm.records()).toBe(0);
        expect(dump(warm.store)).toEqual(want);
      } finally {
        warm.cache!.close();
      }
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  }, 120_000);
});
