import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../shared/types.ts';
import { initBackend } from '../../server/training/backend.ts';
import { Maxout } from '../../server/training/maxout.ts';
import { buildMlp } from '../../server/training/model.ts';

const base = { activation: 'relu' as const, layers: [8, 6], dropout: 0, batchNorm: false, seed: 3 };

describe('Maxout layer', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('outputs the max of its linear pieces', async () => {
    const layer = new Maxout({ units: 3, pieces: 2, seed: 1, name: 'mx' });
    const x = tf.tensor2d([[1, -2], [0.5, 3]]);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 3]);
    const [kernel, bias] = layer.getWeights();
    const z = tf.add(tf.matMul(x, kernel), bias);
    const zs = (await z.array()) as number[][];
    const expected = zs.map((row) => [0, 1, 2].map((u) => Math.max(row[2 * u], row[2 * u + 1])));
    const got = (await y.array()) as number[][];
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 6)));
    expect(kernel.shape).toEqual([2, 6]);
    tf.dispose([x, y, z]);
    layer.dispose();
  });

  it('rejects bad sizes', () => {
    expect(() => new Maxout({ units: 0 })).toThrow(/units/);
    expect(() => new Maxout({ units: 2, pieces: 0 })).toThrow(/pieces/);
  });

  it('serializes: a model with Maxout round-trips through toJSON', async () => {
    const mlp = buildMlp({ ...base, activation: 'maxout' }, [2], 2);
    const json = JSON.parse(mlp.model.toJSON(null, true) as string);
    const layers = json.config.layers.map((l: { class_name: string; config: { name: string; units?: number; pieces?: number } }) => l);
    const mx = layers.find((l: { class_name: string }) => l.class_name === 'Maxout');
    expect(mx.config).toMatchObject({ name: 'dense_1', units: 8, pieces: 2 });
    const copy = await tfl.models.modelFromJSON(json);
    copy.setWeights(mlp.model.getWeights());
    const x = tf.tensor2d([[0.3, -0.7], [2, 1]]);
    const a = mlp.model.predict(x) as tf.Tensor, b = copy.predict(x) as tf.Tensor;
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([x, a, b]);
    copy.dispose();
    mlp.dispose();
  });
});

describe('buildMlp', () => {
  it('names layers dense_1.., output regardless of tfjs global counters', () => {
    const first = buildMlp(base, [2], 2);
    const second = buildMlp({ ...base, batchNorm: true, dropout: 0.2, activation: 'leaky_relu' }, [2], 2);
    expect(first.model.layers.map((l) => l.name)).toEqual(['input', 'dense_1', 'dense_2', 'output']);
    expect(second.model.layers.map((l) => l.name)).toEqual([
      'input', 'dense_1', 'batch_norm_1', 'leaky_relu_1', 'dropout_1', 'dense_2', 'batch_norm_2', 'leaky_relu_2', 'dropout_2', 'output',
    ]);
    expect(second.weightLayers.map((w) => w.name)).toEqual(['dense_1', 'dense_2', 'output']);
    // taps point at the post-activation layer
    expect(second.weightLayers.map((w) => second.chain[w.tap].name)).toEqual(['leaky_relu_1', 'leaky_relu_2', 'output']);
    first.dispose();
    second.dispose();
  });

  it('flattens image inputs', () => {
    const m = buildMlp(base, [28, 28], 10);
    expect(m.model.layers.map((l) => l.name)).toEqual(['input', 'flatten', 'dense_1', 'dense_2', 'output']);
    expect(m.weightLayers[0].kernel.shape).toEqual([784, 8]);
    m.dispose();
  });

  it('the same seed gives the same initial weights; another seed different ones', async () => {
    const a = buildMlp(base, [2], 2), b = buildMlp(base, [2], 2), c = buildMlp({ ...base, seed: 4 }, [2], 2);
    const w = async (m: typeof a) => Array.from(await m.weightLayers[0].kernel.data());
    expect(await w(a)).toEqual(await w(b));
    expect(await w(a)).not.toEqual(await w(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('builds, runs and frees every activation, with and without batch norm', () => {
    const before = tf.memory().numTensors;
    for (const activation of ACTIVATIONS) {
      for (const batchNorm of [false, true]) {
        const m = buildMlp({ ...base, activation, batchNorm }, [2], 3);
        const out = tf.tidy(() => {
          const { probs, taps } = m.forward(tf.tensor2d([[1, 2], [-1, 0.5]]), false, true);
          expect(taps.map((t) => t.shape)).toEqual([[2, 8], [2, 6], [2, 3]]);
          return probs;
        });
        const sums = tf.tidy(() => tf.sum(out, -1).arraySync() as number[]);
        sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
        expect(JSON.parse(m.model.toJSON(null, true) as string).config.layers.length).toBe(m.model.layers.length);
        out.dispose();
        m.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('linear activation keeps the hidden stack linear', async () => {
    const m = buildMlp({ ...base, activation: 'linear' }, [2], 2);
    // f(x) pre-softmax is affine: taps of the last hidden layer satisfy h(a+b) - h(0) = (h(a)-h(0)) + (h(b)-h(0))
    const h = (v: number[]) => tf.tidy(() => Array.from(m.forward(tf.tensor2d([v]), false, true).taps[1].dataSync()));
    const h0 = h([0, 0]), ha = h([1, 2]), hb = h([-3, 0.5]), hab = h([-2, 2.5]);
    hab.forEach((v, i) => expect(v - h0[i]).toBeCloseTo(ha[i] - h0[i] + hb[i] - h0[i], 4));
    m.dispose();
  });
});
