// Histograms by our wasm kernel on the tfjs heap must equal shared/histogram.ts's summarizeHistogram.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarizeHistogram } from '../../shared/histogram.ts';
import { initBackend } from '../../server/training/backend.ts';
import { mulberry32 } from '../../server/training/rng.ts';
import { heapSummarizer, prepareHeapHistograms } from '../../server/training/wasm-histogram.ts';
import { peekFloat32, wasmHeap } from '../../server/training/wasm-kernels.ts';

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
  expect(prepareHeapHistograms()).toBe(true);
});

function sample(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38, 1e-12, -1e-12, 1.1e-12, 1];
  return Float32Array.from({ length: n }, (_, i) => {
    if (i % 97 === 0) return special[(i / 97) % special.length];
    const scale = 10 ** Math.floor(r() * 16 - 10); // 1e-10 .. 1e5
    return (r() * 2 - 1) * scale;
  });
}

describe('heapSummarizer', () => {
  const summarizeOnHeap = (values: Float32Array) => heapSummarizer()(values);
  const cases: [string, Float32Array][] = [
    ['mixed scales with special values', sample(100_003, 1)],
    ['a weight-like kernel', Float32Array.from({ length: 784 * 128 }, (_, i) => Math.sin(i * 12.9898) * 0.05)],
    ['small', sample(7, 2)],
    ['all non-finite', Float32Array.from([NaN, Infinity, -Infinity])],
    ['empty', new Float32Array(0)],
    ['constant', new Float32Array(1000).fill(0.5)],
    // Zeros take a shortcut in the kernel: the extremes must still come out as the one-at-a-time loop has them.
    ['zeros of both signs after a positive', Float32Array.from([5, -0, 0, 2])],
    ['zeros of both signs, +0 first', Float32Array.from([5, 0, -0, 2])],
    ['zeros only, -0 first', Float32Array.from([-0, 0, 0])],
    ['zeros around negatives', Float32Array.from([0, -3, -0, -1e-30, 0])],
    ['ReLU-like: half zeros', Float32Array.from({ length: 4099 }, (_, i) => (i % 3 === 0 ? 0 : Math.sin(i) * 0.01))],
    ['zeros, NaN and infinities', Float32Array.from([NaN, 0, Infinity, -0, -Infinity])],
  ];
  for (const [name, values] of cases) {
    it(`equals summarizeHistogram: ${name}`, () => {
      const t = tf.tensor1d(values);
      const view = peekFloat32(t);
      // A view of the heap: the kernel's path, not the JS fallback.
      if (values.length > 0) expect(view.buffer).toBe(wasmHeap()!.memory.buffer);
      const mine = summarizeOnHeap(view);
      expect(mine).toEqual(summarizeHistogram(values));
      // The counts are cleared for the next call.
      expect(summarizeOnHeap(peekFloat32(t))).toEqual(mine);
      t.dispose();
    });
  }

  it('takes arrays off the heap through the JS path', () => {
    const values = sample(1000, 3);
    expect(summarizeOnHeap(values)).toEqual(summarizeHistogram(values));
  });
});
