// A real paced run (~25 s): the ETA the status reports at about half way is within 20 % of the wall time
// the run then actually takes (the old compute-time estimate was ~10x short for paced runs).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../shared/types.ts';
import { TrainingManager } from '../../server/training/manager.ts';

let logdir: string;
beforeAll(async () => {
  logdir = await mkdtemp(path.join(os.tmpdir(), 'trainscope-eta-'));
});
afterAll(async () => {
  await rm(logdir, { recursive: true, force: true });
});

describe('ETA of a paced run', () => {
  it('at ~50 % is within 20 % of the remaining wall time', async () => {
    const m = new TrainingManager({ logdir, maxRuns: 1, backend: 'wasm' });
    try {
      let half: { at: number; eta: number; iteration: number; total: number } | null = null;
      let endedAt = 0;
      m.on('status', (info: RunInfo) => {
        const p = info.status?.progress;
        if (!half && p && p.etaSec !== null && p.iteration >= (p.epochs * p.iterationsPerEpoch) / 2) {
          half = { at: performance.now(), eta: p.etaSec, iteration: p.iteration, total: p.epochs * p.iterationsPerEpoch };
        }
        if (info.status?.state === 'finished' && !endedAt) endedAt = performance.now();
      });
      const run = m.startRun('paced', {
        dataset: 'spiral', noise: 0.1, samples: 800, activation: 'tanh', layers: [16, 16], optimizer: 'adam',
        learningRate: 0.01, batchSize: 32, epochs: 25, dropout: 0, batchNorm: false, seed: 1, summaryEvery: 10,
        maxItersPerSec: 20,
      });
      await m.waitFor(run.name);
      expect(m.list().find((r) => r.name === run.name)?.status?.state).toBe('finished');
      expect(half).not.toBeNull();
      const h = half!;
      const actual = (endedAt - h.at) / 1000;
      console.log(`ETA at iteration ${h.iteration}/${h.total}: ${h.eta.toFixed(1)} s; actual remaining ${actual.toFixed(1)} s`);
      expect(actual).toBeGreaterThan(5); // really paced: ~12 s left at half way
      expect(Math.abs(h.eta - actual) / actual).toBeLessThan(0.2);
    } finally {
      await m.close();
    }
  }, 120_000);
});
