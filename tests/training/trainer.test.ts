// Training behaviour on the wasm backend: learning, summaries, memory, determinism, abort.
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord, ScalarRecord } from '../../server/logs/records.ts';
import type { TrainSpec } from '../../shared/types.ts';
import { initBackend } from '../../server/training/backend.ts';
import { RunLogger } from '../../server/training/run-logger.ts';
import { countHits, IMAGE_EVERY, IMAGE_TIME_SHARE, imageGapMs, trainRun, type TrainResult } from '../../server/training/trainer.ts';

const SPEC: TrainSpec = {
  dataset: 'spiral', noise: 0.05, samples: 400, activation: 'relu', layers: [16, 16], optimizer: 'adam',
  learningRate: 0.02, batchSize: 32, epochs: 5, dropout: 0, batchNorm: false, seed: 2, summaryEvery: 10,
};

async function run(over: Partial<TrainSpec>, summaries: boolean | ((it: number) => boolean) = true, imageMinSeconds?: number): Promise<{ result: TrainResult; records: LogRecord[] }> {
  const logger = new RunLogger(null);
  const records: LogRecord[] = [];
  const result = await trainRun({ ...SPEC, ...over }, { logger, backend: 'wasm', summaries, imageMinSeconds, onRecords: (r) => records.push(...r) });
  records.push(...logger.takeRecords());
  return { result, records };
}

const scalars = (rs: LogRecord[], tag: string) => rs.filter((r): r is ScalarRecord => r.kind === 'scalar' && r.tag === tag);
const values = (rs: LogRecord[], tag: string) => scalars(rs, tag).map((r) => r.value);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean train/loss over the first and last fifth of the run. */
function lossFalls(rs: LogRecord[]): [number, number] {
  const l = values(rs, 'train/loss');
  const k = Math.max(1, Math.floor(l.length / 5));
  return [mean(l.slice(0, k)), mean(l.slice(-k))];
}

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

describe('learning', () => {
  for (const activation of ['relu', 'tanh'] as const) {
    it(`${activation} reaches >= 90% validation accuracy on spiral and circles`, async () => {
      const spiral = await run({ activation, layers: [32, 32], epochs: 40 }, false);
      expect(spiral.result.valAccuracy).toBeGreaterThanOrEqual(0.9);
      const circles = await run({ activation, dataset: 'circles', epochs: 15 }, false);
      expect(circles.result.valAccuracy).toBeGreaterThanOrEqual(0.9);
    });
  }

  it('linear stays near chance on xor and spiral', async () => {
    for (const dataset of ['xor', 'spiral'] as const) {
      const { result } = await run({ activation: 'linear', dataset, samples: 1000, epochs: 10 }, false);
      expect(result.valAccuracy, dataset).toBeLessThan(0.65);
      expect(result.accuracy, dataset).toBeLessThan(0.65);
    }
  });

  for (const dataset of ['moons', 'xor', 'circles'] as const) {
    it(`loss falls on ${dataset}`, async () => {
      const { records, result } = await run({ dataset, epochs: 4, samples: 300 }, false);
      const [first, last] = lossFalls(records);
      expect(last).toBeLessThan(first * 0.8);
      expect(result.iterations).toBe(4 * Math.ceil(240 / 32));
    });
  }

  it('loss falls on mnist (a few hundred digits) and logs weight tiles', async () => {
    const { records, result } = await run({ dataset: 'mnist', samples: 300, layers: [32], epochs: 3, learningRate: 0.005, summaryEvery: 5 });
    const [first, last] = lossFalls(records);
    expect(last).toBeLessThan(first * 0.7);
    expect(result.valAccuracy).toBeGreaterThan(0.3); // chance is 0.1
    const img = records.find((r) => r.kind === 'image' && r.tag === 'images/first_layer_weights');
    expect(img).toBeDefined();
    if (img?.kind !== 'image') return;
    const png = PNG.sync.read(Buffer.from(img.data));
    expect([png.width, png.height]).toEqual([img.width, img.height]);
    expect(png.width).toBe(6 * 29 + 1); // 32 tiles -> 6 columns of 28 px + 1 px gaps
  });
});

describe('summaries', () => {
  let records: LogRecord[];
  let result: TrainResult;
  beforeAll(async () => {
    ({ records, result } = await run({ activation: 'tanh', samples: 200, epochs: 3, summaryEvery: 5, batchNorm: true, dropout: 0.1 }));
  });

  it('logs every fixed tag', () => {
    const tags = new Set(records.flatMap((r) => ('tag' in r ? [`${r.kind}:${r.tag}`] : [])));
    const need = [
      ...['train/loss', 'train/accuracy', 'train/perplexity', 'optimizer/learning_rate', 'throughput/examples_per_sec',
        'memory/num_tensors', 'memory/num_bytes', 'val/loss', 'val/accuracy', 'val/perplexity', 'epoch'].map((t) => `scalar:${t}`),
      ...['dense_1', 'dense_2', 'output'].flatMap((l) => [
        ...['kernel', 'bias', 'activations', 'kernel_grad'].map((k) => `histogram:${l}/${k}`),
        ...['grad_norm', 'dead_fraction', 'saturation_fraction'].map((k) => `scalar:${l}/${k}`),
      ]),
      'image:images/decision_boundary',
    ];
    for (const t of need) expect(tags, t).toContain(t);
  });

  it('per-iteration scalars every iteration, val per epoch at the global step', () => {
    const iters = result.iterations;
    expect(iters).toBe(3 * 5); // 160 train / 32
    expect(scalars(records, 'train/loss').map((r) => r.step)).toEqual(Array.from({ length: iters }, (_, i) => i + 1));
    expect(scalars(records, 'val/loss').map((r) => r.step)).toEqual([5, 10, 15]);
    expect(values(records, 'epoch')).toEqual([1, 2, 3]);
    const loss = values(records, 'train/loss'), ppl = values(records, 'train/perplexity');
    ppl.forEach((p, i) => expect(p).toBeCloseTo(Math.exp(loss[i]), 5));
    // Scalars are float32 on disk, and live records carry the same number.
    expect(values(records, 'optimizer/learning_rate').every((v) => v === Math.fround(0.02))).toBe(true);
    expect(values(records, 'throughput/examples_per_sec').every((v) => v > 0)).toBe(true);
  });

  it('histograms at the first step, every N and the last; images less often', () => {
    const steps = records.filter((r) => r.kind === 'histogram' && r.tag === 'dense_1/kernel').map((r) => r.step);
    expect(steps).toEqual([1, 5, 10, 15]);
    const imgSteps = records.filter((r) => r.kind === 'image').map((r) => r.step);
    expect(imgSteps).toEqual([1, 15]); // every IMAGE_EVERY*N = 100 would be past the end
    for (const r of records) if (r.kind === 'histogram') expect(r.buckets.reduce((s, b) => s + b[2], 0)).toBeGreaterThan(0);
    const probe = records.find((r) => r.kind === 'histogram' && r.tag === 'dense_1/activations');
    if (probe?.kind === 'histogram') expect(probe.buckets.reduce((s, b) => s + b[2], 0)).toBe(40 * 16); // 40 val examples x 16 units
  });

  it('fractions are in [0, 1] and tanh saturation is measured; grad norms positive', () => {
    for (const l of ['dense_1', 'dense_2']) {
      for (const k of ['dead_fraction', 'saturation_fraction']) values(records, `${l}/${k}`).forEach((v) => expect(v >= 0 && v <= 1).toBe(true));
      values(records, `${l}/grad_norm`).forEach((v) => expect(v).toBeGreaterThan(0));
    }
  });

  it('the graph and hparams are logged at the start', () => {
    const graph = records.find((r) => r.kind === 'graph');
    expect(graph?.step).toBe(0);
    if (graph?.kind === 'graph') {
      expect(graph.graph.kind).toBe('keras');
      expect(graph.graph.nodes.map((n) => n.name)).toEqual(expect.arrayContaining(['dense_1', 'batch_norm_1', 'tanh_1', 'dropout_1', 'dense_2', 'output']));
    }
    const start = records.find((r) => r.kind === 'hparams' && r.part === 'session_start');
    expect(start?.kind === 'hparams' && start.hparams).toEqual({
      dataset: 'spiral', activation: 'tanh', layers: '16,16', optimizer: 'adam', learning_rate: 0.02, batch_size: 32, epochs: 3,
      dropout: 0.1, batch_norm: true, seed: 2, backend: 'wasm', samples: 200, noise: 0.05,
    });
    const exp = records.find((r) => r.kind === 'hparams' && r.part === 'experiment');
    expect(exp?.kind === 'hparams' && exp.metrics).toEqual(['val/accuracy', 'val/loss', 'train/loss']);
    const end = records.filter((r) => r.kind === 'hparams' && r.part === 'session_end');
    expect(end.length).toBe(1);
    expect(end[0].kind === 'hparams' && end[0].status).toBe('STATUS_SUCCESS');
  });

  it('decision boundary is a 96x96 PNG', () => {
    const img = records.find((r) => r.kind === 'image');
    if (img?.kind !== 'image') throw new Error('no image');
    const png = PNG.sync.read(Buffer.from(img.data));
    expect([png.width, png.height, img.width, img.height]).toEqual([96, 96, 96, 96]);
  });

  it('memory/num_tensors stays flat across the run (optimizer slots appear after step 1)', () => {
    const n = values(records, 'memory/num_tensors');
    expect(new Set(n.slice(1)).size).toBe(1);
  });
});

describe('host-side reads', () => {
  it('countHits: argmax (first on ties) against the labels of the batch rows, through the shuffle order', () => {
    // 3 classes; batch = order[2..5) = examples 4, 0, 3.
    const labels = Int32Array.from([2, 1, 0, 1, 0]);
    const order = [1, 2, 4, 0, 3];
    const probs = [
      0.7, 0.2, 0.1, // example 4, label 0: hit
      0.4, 0.4, 0.2, // example 0, label 2: tie between 0 and 1 -> 0: miss
      0.3, 0.3, 0.4, // example 3, label 1: miss
    ];
    expect(countHits(probs, labels, order, 2, 5, 3)).toBe(1);
    expect(countHits([0.1, 0.8, 0.1], labels, order, 4, 5, 3)).toBe(1); // example 3, label 1
  });

  it('images every IMAGE_EVERY summary steps, plus the first and last iteration', async () => {
    const { result, records } = await run({ epochs: 5, summaryEvery: 2 }, true, 0); // 10 it/epoch -> 50 iterations
    const every = 2 * IMAGE_EVERY;
    const want = [1, ...Array.from({ length: result.iterations }, (_, i) => i + 1).filter((s) => s % every === 0), result.iterations];
    expect(records.filter((r) => r.kind === 'image').map((r) => r.step)).toEqual([...new Set(want)]);
    // train/accuracy (counted on the host) is a fraction of the batch.
    for (const v of values(records, 'train/accuracy')) expect(v * 32).toBeCloseTo(Math.round(v * 32), 3);
  });

  it('keeps to maxItersPerSec when it is set', async () => {
    const { result } = await run({ samples: 200, epochs: 8, maxItersPerSec: 200 }, false); // 5 it/epoch -> 40 iterations
    expect(result.iterations).toBe(40);
    expect(result.seconds).toBeGreaterThanOrEqual(0.19); // 40 / 200 s, less one timer tick
    expect(result.seconds).toBeLessThan(5);
  });

  it('summary steps only at the iterations a summaries function accepts (the bench alternates blocks)', async () => {
    // 10 it/epoch -> 50 iterations; on for 11..20 and 31..50.
    const { result, records } = await run({ epochs: 5 }, (it) => (it > 10 && it <= 20) || it > 30, 0);
    expect(result.iterations).toBe(50);
    const steps = (kind: LogRecord['kind'], tag?: string) => [...new Set(records.filter((r) => r.kind === kind && (!tag || ('tag' in r && r.tag === tag))).map((r) => r.step))];
    expect(steps('histogram')).toEqual([20, 40, 50]);
    expect(steps('scalar', 'dense_1/dead_fraction')).toEqual([20, 40, 50]);
    expect(steps('image')).toEqual([50]); // the last iteration's; the first was off
    // The per-iteration scalars and the graph do not depend on it.
    expect(scalars(records, 'train/loss')).toHaveLength(50);
    expect(records.some((r) => r.kind === 'graph')).toBe(true);
  });

  it('waits longer after a costly image, so images stay a small share of training time', () => {
    expect(imageGapMs(1000, 0)).toBe(1000);
    expect(imageGapMs(1000, 1)).toBe(1000); // a 1 ms decision boundary: the minimum gap
    expect(imageGapMs(1000, 6)).toBeCloseTo(6 / IMAGE_TIME_SHARE, 9); // a 6 ms weight grid: 2 s
    expect(imageGapMs(1000, 6)).toBeGreaterThan(1000);
  });

  it('spaces images at least imageMinSeconds apart, still drawing the first and last iteration', async () => {
    // 50 iterations take well under an hour: only the first and the last image remain.
    const { result, records } = await run({ epochs: 5, summaryEvery: 2 }, true, 3600);
    expect(records.filter((r) => r.kind === 'image').map((r) => r.step)).toEqual([1, result.iterations]);
  });
});

describe('resources, determinism, stop', () => {
  it('frees every tensor it made', async () => {
    const before = tf.memory().numTensors;
    await run({ dataset: 'moons', samples: 100, epochs: 2, summaryEvery: 2, activation: 'maxout', optimizer: 'rmsprop' });
    await run({ dataset: 'mnist', samples: 60, epochs: 1, layers: [8], summaryEvery: 1, activation: 'prelu', batchNorm: true, dropout: 0.2 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same seed reproduces the run exactly (with dropout); another seed differs', async () => {
    const spec = { samples: 200, epochs: 2, dropout: 0.3, optimizer: 'momentum' as const, learningRate: 0.05 };
    const a = values((await run(spec, false)).records, 'train/loss');
    const b = values((await run(spec, false)).records, 'train/loss');
    const c = values((await run({ ...spec, seed: 9 }, false)).records, 'train/loss');
    expect(a.length).toBe(10);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('every optimizer trains', async () => {
    for (const optimizer of ['sgd', 'momentum', 'adam', 'rmsprop'] as const) {
      const { records } = await run({ optimizer, dataset: 'moons', samples: 300, epochs: 4, learningRate: optimizer === 'sgd' ? 0.1 : 0.01 }, false);
      const [first, last] = lossFalls(records);
      expect(last, optimizer).toBeLessThan(first);
    }
  });

  it('stops cleanly after the current iteration when aborted', async () => {
    const ac = new AbortController();
    const logger = new RunLogger(null);
    const progress: number[] = [];
    const result = await trainRun({ ...SPEC, epochs: 50 }, {
      logger, backend: 'wasm', signal: ac.signal, summaries: false,
      onProgress: (p) => {
        progress.push(p.iteration);
        expect(p.iterationsPerEpoch).toBe(10);
        expect(p.epochs).toBe(50);
        if (p.iteration === 13) ac.abort();
      },
    });
    const records = logger.takeRecords();
    expect(result.iterations).toBe(13);
    expect(result.epochs).toBe(1);
    expect(progress).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(Number.isFinite(result.valLoss)).toBe(true);
    expect(scalars(records, 'val/loss').map((r) => r.step)).toEqual([10, 13]);
    expect(logger.endStatus).toBe('STATUS_ABORTED');
  });

  it('rejects an invalid spec with the reason', async () => {
    await expect(run({ batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(run({ layers: [4, 0] })).rejects.toThrow(/layers/);
  });
});
