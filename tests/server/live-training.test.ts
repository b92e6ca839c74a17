// End to end: a client starts a tiny training run, watches it live, drops off mid-run, reconnects with
// `have`, and ends up holding exactly what the run wrote to disk — no gap, no duplicate.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../shared/types.ts';
import type { App } from '../../server/app.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { client, ClientModel, connected, removeDir, request, scalarsOf, startApp, tempDir, until } from './helpers.ts';

let dir: string;
let app: App;

beforeAll(async () => {
  dir = await tempDir();
  app = await startApp({ logdir: dir, training: true, backend: 'cpu', maxRuns: 1 });
});
afterAll(async () => {
  await app?.close();
  await removeDir(dir);
});

describe('live training', () => {
  it('a reconnecting client ends with the on-disk series exactly', { timeout: 120_000 }, async () => {
    // One dashboard tab: its clientId owns the run and survives the reconnect below.
    const tab = 'tab-0123456789abcdef';
    const c1 = client(app, { clientId: tab });
    await connected(c1);
    const model = new ClientModel(c1);
    const statuses: RunInfo[] = [];
    c1.on('delta', (b) => statuses.push(...(b.runs ?? [])));
    await request(c1, 'subscribe', { runs: '*' });
    const started = await request<{ runs: string[] }>(c1, 'train:start', {
      dataset: 'spiral',
      samples: 120,
      activations: ['tanh'],
      layers: [6],
      learningRate: 0.05,
      batchSize: 8,
      epochs: 400, // long enough to still be running at reconnect on any machine; stopped below
      summaryEvery: 3,
      name: 'tiny',
    });
    if (!started.ok) throw new Error(started.error);
    expect(started.data.runs).toEqual(['tiny']);
    expect(statuses.length === 0 || statuses[0].name === 'tiny').toBe(true);

    // Hold a few points, then drop off mid-run.
    await until(() => model.pointCount('tiny') >= 5, 60_000, 'first live points');
    c1.disconnect();
    const held = model.pointCount('tiny');
    await new Promise((r) => setTimeout(r, 300));

    const c2 = client(app, { clientId: tab });
    await connected(c2);
    c2.on('delta', (b) => model.apply(b));
    const at = await request<RunInfo[]>(c2, 'runs:list');
    expect(at.ok && at.data.find((i) => i.name === 'tiny')?.status?.state).toBe('running'); // really mid-run
    const have = { tiny: model.have('tiny') };
    const sub = await request(c2, 'subscribe', { runs: '*', have });
    expect(sub.ok).toBe(true);

    // Take more live points after the resume, then stop the run: it ends cleanly and its log is complete.
    await until(() => model.pointCount('tiny') >= held + 40, 60_000, 'points after resume');
    const stopped = await request(c2, 'train:stop', { run: 'tiny' });
    expect(stopped.ok).toBe(true);

    const finished = async () => {
      const r = await request<RunInfo[]>(c2, 'runs:list');
      return r.ok && r.data.find((i) => i.name === 'tiny')?.status?.state;
    };
    let state: unknown;
    const ended = (s: unknown) => s === 'finished' || s === 'stopped' || s === 'failed';
    for (let i = 0; i < 900 && !ended(state); i++) {
      state = await finished();
      if (!ended(state)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('stopped');

    const runDir = path.join(dir, 'tiny');
    const files = (await readdir(runDir)).filter((f) => f.includes('tfevents'));
    expect(files).toHaveLength(1);
    const { records } = await readEventFile(path.join(runDir, files[0]));
    const disk = scalarsOf(records);
    expect(disk.size).toBeGreaterThan(0);
    // The last points may still be in flight right after 'finished': wait for them, then compare exactly.
    const total = [...disk.values()].reduce((n, h) => n + h.steps.length, 0);
    await until(() => model.pointCount('tiny') >= total, 10_000, 'all points').catch(() => undefined);
    expect(model.pointCount('tiny')).toBeGreaterThan(held);
    const got = model.scalars.get('tiny')!;
    expect([...got.keys()].sort()).toEqual([...disk.keys()].sort());
    for (const [tag, h] of disk) {
      expect(got.get(tag)!.steps, tag).toEqual(h.steps);
      expect(got.get(tag)!.values, tag).toEqual(h.values);
      expect(got.get(tag)!.wallTimes, tag).toEqual(h.wallTimes);
    }
    c2.disconnect();
  });
});
