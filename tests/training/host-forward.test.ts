// The host-side forward pass (our wasm kernels) must give the activations the Keras model gives, to float
// rounding, for every activation it covers, on dense and on sparse (MNIST-like) inputs.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Activation } from '../../shared/types.ts';
import { initBackend } from '../../server/training/backend.ts';
import { ACTIVATION_CODES, hostForward } from '../../server/training/host-forward.ts';
import { buildMlp } from '../../server/training/model.ts';
import { mulberry32 } from '../../server/training/rng.ts';
import { deadFraction, saturationFraction, activationLimits } from '../../server/training/summaries.ts';

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

/** Rows of `dim` inputs; `density` of them non-zero (the rest exactly 0, like MNIST's background). */
function inputs(rows: number, dim: number, density: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: rows * dim }, () => (r() < density ? r() * 6 - 3 : 0));
}

const covered = Object.keys(ACTIVATION_CODES) as Activation[];

describe('hostForward', () => {
  it('covers every stateless activation but softplus', () => {
    expect([...covered].sort()).toEqual(['elu', 'leaky_relu', 'linear', 'relu', 'selu', 'sigmoid', 'softsign', 'swish', 'tanh']);
  });

  for (const activation of covered) {
    it(`${activation}: each layer's activations and the probabilities match the model's`, () => {
      // 19 units and 3 classes: the kernel's 16-, 4-, 2- and 1-wide paths all run, on odd counts of non-zeros;
      // 37 inputs, 30% non-zero.
      const D = 37, C = 3;
      const mlp = buildMlp({ activation, layers: [19, 8], dropout: 0, batchNorm: false, seed: 5 }, [D], C);
      const sparse = inputs(50, D, 0.3, 1), dense = inputs(7, D, 1, 2);
      const host = hostForward(mlp, { activation, batchNorm: false, dropout: 0 }, [{ data: sparse, rows: 50 }, { data: dense, rows: 7 }])!;
      expect(host).not.toBeNull();
      for (const [i, data, rows] of [[0, sparse, 50], [1, dense, 7]] as const) {
        const x = tf.tensor2d(data, [rows, D]);
        const ref = mlp.forward(x, false, true).taps.map((t) => t.dataSync() as Float32Array);
        const got = host.run(i);
        expect(got.map((a) => a.length)).toEqual([rows * 19, rows * 8, rows * C]);
        got.forEach((a, l) => {
          for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - ref[l][k]), `input ${i} layer ${l} [${k}]`).toBeLessThanOrEqual(2e-6 * (1 + Math.abs(ref[l][k])));
        });
        // The summaries computed from them agree too.
        expect(deadFraction(got[0], 19)).toBe(deadFraction(ref[0], 19));
        expect(saturationFraction(got[1], activationLimits(activation))).toBeCloseTo(saturationFraction(ref[1], activationLimits(activation)), 6);
        for (let r = 0; r < rows; r++) expect(got[2].subarray(r * C, r * C + C).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
        x.dispose();
      }
      host.dispose();
      mlp.dispose();
    });
  }

  it('follows the weights as training changes them', () => {
    const mlp = buildMlp({ activation: 'tanh', layers: [6], dropout: 0, batchNorm: false, seed: 2 }, [4], 2);
    const data = inputs(5, 4, 1, 3);
    const host = hostForward(mlp, { activation: 'tanh', batchNorm: false, dropout: 0 }, [{ data, rows: 5 }])!;
    const before = Array.from(host.run(0)[0]);
    const k = mlp.weightLayers[0].kernel;
    k.assign(tf.mul(k, 2));
    const after = host.run(0)[0];
    const ref = mlp.forward(tf.tensor2d(data, [5, 4]), false, true).taps[0].dataSync();
    expect(Array.from(after)).not.toEqual(before);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(after[i] - ref[i])).toBeLessThanOrEqual(2e-6);
    host.dispose();
    mlp.dispose();
  });

  it('is null for what the kernels do not cover: softplus, batch norm, dropout, prelu, maxout', () => {
    const make = (activation: Activation, batchNorm = false, dropout = 0) => {
      const mlp = buildMlp({ activation, layers: [3], dropout, batchNorm, seed: 1 }, [2], 2);
      const host = hostForward(mlp, { activation, batchNorm, dropout }, [{ data: new Float32Array(2), rows: 1 }]);
      mlp.dispose();
      return host;
    };
    for (const a of ['softplus', 'prelu', 'maxout'] as Activation[]) expect(make(a), a).toBeNull();
    expect(make('relu', true)).toBeNull();
    expect(make('relu', false, 0.5)).toBeNull();
  });

  it('runs off tfjs-wasm too (the cpu backend), on weights it copies in at each run', async () => {
    await initBackend('cpu');
    try {
      const mlp = buildMlp({ activation: 'tanh', layers: [19, 8], dropout: 0, batchNorm: false, seed: 3 }, [6], 2);
      const data = inputs(9, 6, 0.5, 4);
      const host = hostForward(mlp, { activation: 'tanh', batchNorm: false, dropout: 0 }, [{ data, rows: 9 }])!;
      expect(host).not.toBeNull();
      const check = () => {
        const ref = tf.tidy(() => mlp.forward(tf.tensor2d(data, [9, 6]), false, true).taps.map((t) => t.dataSync()));
        host.run(0).forEach((a, l) => {
          for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - ref[l][k]), `layer ${l} [${k}]`).toBeLessThanOrEqual(2e-6 * (1 + Math.abs(ref[l][k])));
        });
      };
      check();
      mlp.weightLayers[1].kernel.assign(tf.mul(mlp.weightLayers[1].kernel, -1.5));
      check();
      host.dispose();
      mlp.dispose();
    } finally {
      await initBackend('wasm');
    }
  });

  it('checks its inputs against the model', () => {
    const mlp = buildMlp({ activation: 'relu', layers: [3], dropout: 0, batchNorm: false, seed: 1 }, [4], 2);
    expect(() => hostForward(mlp, { activation: 'relu', batchNorm: false, dropout: 0 }, [{ data: new Float32Array(7), rows: 2 }])).toThrow(/7 values, not 2 x 4/);
    mlp.dispose();
  });
});
