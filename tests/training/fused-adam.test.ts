// FusedAdam (one SIMD kernel of ours per variable, on the wasm heap) must equal tfjs' AdamOptimizer bit for bit.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../server/training/backend.ts';
import { FusedAdam } from '../../server/training/fused-adam.ts';
import { mulberry32 } from '../../server/training/rng.ts';

function randArray(n: number, seed: number, scale = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

describe('FusedAdam', () => {
  it('equals tf.train.adam exactly over many steps on matrix and vector variables (SIMD body and scalar tail)', async () => {
    const shapes = [[37, 19], [19], [3]];
    const init = shapes.map((s, i) => randArray(s.reduce((a, b) => a * b, 1), 10 + i));
    const mine = shapes.map((s, i) => tf.variable(tf.tensor(init[i], s), true));
    const ref = shapes.map((s, i) => tf.variable(tf.tensor(init[i], s), true));
    const fused = new FusedAdam(0.01);
    const stock: tf.Optimizer = tf.train.adam(0.01);
    for (let step = 0; step < 40; step++) {
      // gradients of varying scale, including exact zeros
      const gs = shapes.map((s, i) => {
        const g = randArray(s.reduce((a, b) => a * b, 1), 100 * step + i, 10 ** ((step % 7) - 3));
        g[0] = 0;
        return tf.tensor(g, s);
      });
      fused.applyGradients(Object.fromEntries(mine.map((v, i) => [v.name, gs[i]])));
      stock.applyGradients(Object.fromEntries(ref.map((v, i) => [v.name, gs[i]])));
      tf.dispose(gs);
    }
    for (let i = 0; i < shapes.length; i++) {
      const a = await mine[i].data(), b = await ref[i].data(), x0 = init[i];
      let moved = 0, differ = 0;
      for (let k = 0; k < a.length; k++) {
        if (a[k] !== b[k]) differ++;
        if (a[k] !== x0[k]) moved++;
      }
      expect(differ, `var ${i}: elements that differ from tf.train.adam`).toBe(0);
      expect(moved).toBeGreaterThan(a.length / 2);
    }
    fused.dispose();
    stock.dispose();
    tf.dispose([...mine, ...ref]);
  });

  it('gives the variable a new dataId each step and leaks no tensors', () => {
    const v = tf.variable(tf.ones([4, 3]));
    const g = tf.fill([4, 3], 0.5);
    const opt = new FusedAdam(0.1);
    opt.applyGradients({ [v.name]: g }); // creates the two moment slots
    const before = tf.memory().numTensors;
    const id0 = v.dataId;
    opt.applyGradients({ [v.name]: g });
    expect(v.dataId).not.toBe(id0);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
    tf.dispose([v, g]);
  });

  it('refuses a gradient for an unknown variable', () => {
    const opt = new FusedAdam(0.1);
    const g = tf.ones([2]);
    expect(() => opt.applyGradients({ no_such_variable_xyz: g })).toThrow(/no_such_variable_xyz/);
    g.dispose();
    opt.dispose();
  });
});
