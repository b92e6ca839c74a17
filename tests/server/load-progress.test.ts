// The port opens before the logdir is read: /data/runs and /api/runs answer at once with every run
// found, each still-loading run with its progress; runs are all known before any is read.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../shared/types.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { LogdirWatcher } from '../../server/logs/logdir.ts';
import { removeDir, startApp, tempDir } from './helpers.ts';

const RUNS = ['a', 'b', 'c', 'd'];
let dir = '';

beforeAll(async () => {
  dir = await tempDir('ts-load-progress-');
  for (const [i, r] of RUNS.entries()) {
    const w = await EventWriter.open(path.join(dir, r));
    for (let step = 0; step < 1500; step++) {
      w.scalar('loss', 1 / (step + 1), step, 1000 + i + step);
      w.histogram('w', Array.from({ length: 300 }, (_, k) => Math.sin(k + step)), step, 1000 + i + step);
    }
    await w.close();
  }
}, 120_000);
afterAll(() => removeDir(dir));

describe('initial load progress', () => {
  it('knows every run, with its size, before reading any', async () => {
    const seen: Record<string, unknown>[] = [];
    let found: string[] = [];
    const w: LogdirWatcher = new LogdirWatcher(dir, {
      reloadIntervalSec: 60,
      onRun: (r) => found.push(r),
      onRecords: () => {
        if (seen.length === 0) seen.push({ found: [...found].sort(), progress: Object.fromEntries(RUNS.map((r) => [r, w.loadProgress(r)])) });
      },
    });
    await w.start();
    await w.stop();
    const first = seen[0] as { found: string[]; progress: Record<string, { bytesRead: number; totalBytes: number } | undefined> };
    expect(first.found).toEqual(RUNS);
    for (const r of RUNS) {
      const p = first.progress[r]!;
      expect(p.totalBytes).toBeGreaterThan(1e6);
      expect(p.bytesRead).toBeLessThanOrEqual(p.totalBytes);
    }
    // Not all read yet when the first records arrive; and nothing is left "loading" afterwards.
    expect(RUNS.some((r) => first.progress[r]!.bytesRead < first.progress[r]!.totalBytes)).toBe(true);
    for (const r of RUNS) expect(w.loadProgress(r)).toBeUndefined();
    found = [];
  }, 60_000);

  it('answers /data/runs and /api/runs while loading, each run with its progress', async () => {
    const app = await startApp({ logdir: dir, backgroundLoad: true, loadWorkers: 0 });
    try {
      let loadedYet = false;
      void app.loaded.then(() => (loadedYet = true));
      const names = (await (await fetch(`${app.url()}data/runs`)).json()) as string[];
      const infos = (await (await fetch(`${app.url()}api/runs`)).json()) as RunInfo[];
      expect([...names].sort()).toEqual(RUNS);
      expect(infos.map((i) => i.name)).toEqual(RUNS);
      expect(loadedYet).toBe(false);
      const loading = infos.filter((i) => i.loading);
      expect(loading.length).toBeGreaterThan(0);
      for (const i of loading) {
        expect(i.loading!.totalBytes).toBeGreaterThan(1e6);
        expect(i.loading!.bytesRead).toBeGreaterThanOrEqual(0);
        expect(i.loading!.bytesRead).toBeLessThanOrEqual(i.loading!.totalBytes);
      }
      await app.loaded;
      const after = (await (await fetch(`${app.url()}api/runs`)).json()) as RunInfo[];
      expect(after.filter((i) => i.loading)).toEqual([]);
      const pts = (await (await fetch(`${app.url()}data/plugin/scalars/scalars?run=d&tag=loss`)).json()) as number[][];
      expect(pts.at(-1)![1]).toBe(1499);
    } finally {
      await app.close();
    }
  }, 60_000);
});
