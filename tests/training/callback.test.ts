import { readdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { initBackend } from '../../server/training/backend.ts';
import { metricTag, tensorBoardCallback, weightTag } from '../../server/training/tfjs-callback.ts';

let tmp: string;
beforeAll(async () => {
  await initBackend('wasm');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'trainscope-callback-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function tinyModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [2], units: 4, activation: 'relu' }), tfl.layers.dense({ units: 2, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** 64 points, label = x > y; 48 for training and 16 for validation (validationSplit 0.25). */
function data(): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const pts: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 64; i++) {
    const x = Math.sin(i * 1.7), y = Math.cos(i * 2.3);
    pts.push(x, y);
    labels.push(x > y ? 1 : 0, x > y ? 0 : 1);
  }
  return { xs: tf.tensor2d(pts, [64, 2]), ys: tf.tensor2d(labels, [64, 2]) };
}

async function readDir(dir: string): Promise<LogRecord[]> {
  const files = (await readdir(dir)).filter((f) => f.includes('tfevents'));
  expect(files.length).toBe(1);
  const res = await readEventFile(path.join(dir, files[0]));
  expect(res.warnings).toEqual([]);
  return res.records;
}

const steps = (rs: LogRecord[], tag: string) => rs.filter((r) => r.kind === 'scalar' && r.tag === tag).map((r) => r.step);

describe('tensorBoardCallback', () => {
  it('maps tfjs log keys and weight names to tags', () => {
    expect(metricTag('loss')).toBe('train/loss');
    expect(metricTag('acc')).toBe('train/accuracy');
    expect(metricTag('val_acc')).toBe('val/accuracy');
    expect(metricTag('val_mse')).toBe('val/mse');
    expect(metricTag('mse')).toBe('train/mse');
    expect(weightTag('dense_Dense1/kernel')).toBe('dense_Dense1/kernel');
    expect(weightTag('a b:0')).toBe('a_b_0');
    expect(() => tensorBoardCallback(tmp, { histogramFreq: -1 })).toThrow(/histogramFreq/);
  });

  it('logs per-batch scalars, per-epoch validation, weight histograms and the graph', async () => {
    const dir = path.join(tmp, 'batch');
    const model = tinyModel();
    const { xs, ys } = data();
    await model.fit(xs, ys, { epochs: 3, batchSize: 16, validationSplit: 0.25, callbacks: [tensorBoardCallback(dir, { updateFreq: 'batch' })] });
    const rs = await readDir(dir);
    // 48 training examples / 16 = 3 batches per epoch.
    expect(steps(rs, 'train/loss')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(steps(rs, 'train/accuracy')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(steps(rs, 'val/loss')).toEqual([3, 6, 9]);
    expect(steps(rs, 'val/accuracy')).toEqual([3, 6, 9]);
    for (const r of rs) if (r.kind === 'scalar') expect(Number.isFinite(r.value)).toBe(true);
    const histTags = new Set(rs.filter((r) => r.kind === 'histogram').map((r) => (r.kind === 'histogram' ? r.tag : '')));
    expect(histTags.size).toBe(model.weights.length);
    for (const w of model.weights) expect(histTags.has(weightTag(w.originalName))).toBe(true);
    // Kernel of the first layer: 2x4 values, counted once each across the buckets.
    const k = rs.find((r) => r.kind === 'histogram' && r.tag === weightTag(model.weights[0].originalName) && r.step === 3);
    expect(k && k.kind === 'histogram' && k.buckets.reduce((s, b) => s + b[2], 0)).toBe(8);
    const graph = rs.find((r) => r.kind === 'graph');
    expect(graph && graph.kind === 'graph' && graph.graph.kind).toBe('keras');
    expect(graph && graph.kind === 'graph' && graph.graph.nodes.filter((n) => n.op === 'Dense').length).toBe(2);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('logs per-epoch scalars (step = epoch) and no histograms with histogramFreq 0', async () => {
    const dir = path.join(tmp, 'epoch');
    const model = tinyModel();
    const { xs, ys } = data();
    const history = await model.fit(xs, ys, { epochs: 2, batchSize: 16, validationSplit: 0.25, callbacks: [tensorBoardCallback(dir, { histogramFreq: 0 })] });
    const rs = await readDir(dir);
    expect(steps(rs, 'train/loss')).toEqual([1, 2]);
    expect(steps(rs, 'val/accuracy')).toEqual([1, 2]);
    const lossAt2 = rs.find((r) => r.kind === 'scalar' && r.tag === 'train/loss' && r.step === 2);
    expect(lossAt2 && lossAt2.kind === 'scalar' && lossAt2.value).toBeCloseTo(history.history.loss[1] as number, 5);
    expect(rs.some((r) => r.kind === 'histogram')).toBe(false);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
