// --max-memory: the store stays under its limit plus one run by dropping the runs viewed least
// recently; a dropped run stays listed and comes back, with the same data, when it is viewed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { LogdirWatcher } from '../../server/logs/logdir.ts';
import { MemoryBound } from '../../server/live/memory-bound.ts';
import { diskReloader } from '../../server/store/run-reloader.ts';
import { SeriesStore } from '../../server/store/series-store.ts';

const RUNS = 6;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trainscope-membound-'));
  for (let r = 0; r < RUNS; r++) {
    const w = await EventWriter.open(path.join(dir, `run${r}`));
    for (let step = 0; step < 300; step++) {
      w.scalar('loss', Math.exp(-step / 100) + r, step, 1000 + step);
      if (step % 3 === 0) w.histogram('w', Array.from({ length: 200 }, (_, i) => Math.sin(i * (r + 1) + step)), step, 1000 + step);
    }
    await w.close();
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function snapshot(store: SeriesStore, run: string) {
  return {
    scalars: store.scalarTags(run).map((t) => [t, store.scalars(run, t)]),
    histograms: store.histogramTags(run).map((t) => [t, store.histograms(run, t)]),
    startTime: store.startTime(run),
  };
}

async function loadWith(limitBytes: number) {
  const store = new SeriesStore();
  let peak = 0;
  let maxRun = 0;
  let bound: MemoryBound;
  const watcher = new LogdirWatcher(dir, {
    reloadIntervalSec: 60,
    onRun: (r) => store.addRun(r),
    onRecords: (r, recs) => {
      store.ingest(r, recs, false);
      maxRun = Math.max(maxRun, store.runBytes(r));
      bound.enforce();
      peak = Math.max(peak, store.totalBytes);
    },
    onWarning: () => {},
  });
  bound = new MemoryBound(store, limitBytes, diskReloader(watcher));
  await watcher.start();
  return { store, watcher, bound, peak: () => peak, maxRun: () => maxRun };
}

describe('MemoryBound', () => {
  it('keeps the store under the limit plus one run, and brings dropped runs back intact', async () => {
    const full = await loadWith(Infinity);
    const runBytes = Math.max(...full.store.runs().map((r) => full.store.runBytes(r)));
    const want = Object.fromEntries(full.store.runs().map((r) => [r, snapshot(full.store, r)]));
    await full.watcher.stop();
    expect(full.bound.evictions).toBe(0);

    const limit = Math.floor(runBytes * 2.5);
    const b = await loadWith(limit);
    try {
      expect(b.bound.evictions).toBeGreaterThan(0);
      expect(b.peak()).toBeLessThanOrEqual(limit + b.maxRun());
      expect(b.store.totalBytes).toBeLessThanOrEqual(limit);
      // Every run stays listed, in memory or not.
      expect([...b.store.runs()].sort()).toEqual(Object.keys(want).sort());
      const gone = b.store.runs().filter((r) => b.store.isEvicted(r));
      expect(gone.length).toBeGreaterThan(0);
      for (const run of gone) expect(b.store.scalarTags(run)).toEqual([]);

      // Viewing them one by one brings each back with the same data; others leave to make room.
      for (const run of gone) {
        await b.bound.touch([run]);
        expect(b.store.isEvicted(run)).toBe(false);
        expect(snapshot(b.store, run)).toEqual(want[run]);
        expect(b.store.totalBytes).toBeLessThanOrEqual(limit + runBytes);
      }
      // The run viewed last is the one kept; the least recently viewed went first.
      expect(b.store.isEvicted(gone[gone.length - 1])).toBe(false);
    } finally {
      await b.watcher.stop();
    }
  }, 60_000);
});
