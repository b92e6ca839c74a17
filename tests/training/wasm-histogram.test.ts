// Histograms and activation counts by our wasm kernels on the tfjs heap must equal the JS functions'.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarizeHistogram } from '../../shared/histogram.ts';
import { initBackend } from '../../server/training/backend.ts';
import { mulberry32 } from '../../server/training/rng.ts';
import { float32AtLeast, float32AtMost, heapActivationCounts, heapSummarizer, prepareHeapHistograms } from '../../server/training/wasm-histogram.ts';
import { activationLimits, deadFraction, layerScalars, saturationFraction } from '../../server/training/summaries.ts';
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
    // The extremes must come out as the one-at-a-time loop has them.
    ['zeros of both signs after a positive', Float32Array.from([5, -0, 0, 2])],
    ['zeros of both signs, +0 first', Float32Array.from([5, 0, -0, 2])],
    ['zeros only, -0 first', Float32Array.from([-0, 0, 0])],
    ['zeros around negatives', Float32Array.from([0, -3, -0, -1e-30, 0])],
    ['ReLU-like: half zeros', Float32Array.from({ length: 4099 }, (_, i) => (i % 3 === 0 ? 0 : Math.sin(i) * 0.01))],
    ['zeros, NaN and infinities', Float32Array.from([NaN, 0, Infinity, -0, -Infinity])],
    // Blocks of 32 +0.0 are counted at once: whole rows of zeros, as in a gradient fed blank pixels.
    ['rows of zeros (a sparse-input gradient)', Float32Array.from({ length: 784 * 16 }, (_, i) => (Math.floor(i / 16) % 5 < 2 ? 0 : Math.cos(i) * 1e-3))],
    ['a block of +0 first, then -0', Float32Array.from({ length: 70 }, (_, i) => (i === 40 ? -0 : i === 69 ? 3 : 0))],
    ['-0 first, then a block of +0', Float32Array.from({ length: 96 }, (_, i) => (i === 0 ? -0 : i === 95 ? 2 : 0))],
    ['a block of +0 after negatives only', Float32Array.from({ length: 64 }, (_, i) => (i < 32 ? -1 - i : 0))],
    ['a block of -0 (not taken as zeros at once)', new Float32Array(64).fill(-0)],
    // Extremes are kept lane by lane over groups of four: a zero extreme's sign is the first zero's in
    // order, not the first lane's.
    ['min zero: +0 in a later lane, then -0 in lane 0', Float32Array.from([1, 2, 3, 0, -0, 5, 6, 7, 8])],
    ['min zero: -0 in a later lane, then +0 in lane 0', Float32Array.from([1, 2, 3, -0, 0, 5, 6, 7])],
    ['max zero: -0 in a later lane, then +0 in lane 0', Float32Array.from([-1, -2, -0, -3, 0, -5, -6, -7, -8, -9])],
    ['a zero in the last few values, one at a time after the groups', Float32Array.from([3, 0, 4, 5, 6, 7, 8, 9, -0, 1])],
    ['a NaN in a group of zeros and negatives', Float32Array.from([-1, NaN, -0, -2, 0, -3, Infinity, -4, 0, 0, 0, 0])],
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

describe('heapActivationCounts', () => {
  const cases: [string, number, Float32Array][] = [
    ['tanh-like, units a multiple of 4', 16, Float32Array.from({ length: 64 * 16 }, (_, i) => Math.tanh(Math.sin(i * 0.7) * 3))],
    ['units not a multiple of 4, dead columns of both zero signs', 7, Float32Array.from({ length: 9 * 7 }, (_, i) => (i % 7 === 2 ? 0 : i % 7 === 5 ? (i % 2 ? -0 : 0) : Math.cos(i)))],
    ['ReLU-like with NaN', 6, Float32Array.from({ length: 10 * 6 }, (_, i) => (i === 13 ? NaN : Math.max(0, Math.sin(i * 1.3))))],
    // values at the float32 neighbours of the band's edges (-0.96 and 0.96 are not float32 numbers)
    ['values at the band edges', 4, Float32Array.from([-0.96, 0.96, Math.fround(-0.96), Math.fround(0.96), -0.9600001, 0.9600001, -1, 1])],
  ];
  for (const [name, units, values] of cases) {
    for (const act of ['tanh', 'sigmoid', 'relu', 'softmax'] as const) {
      it(`equals deadFraction/saturationFraction: ${name}, ${act}`, () => {
        const t = tf.tensor1d(values);
        const view = peekFloat32(t);
        const grad = new Float32Array([1]);
        const viaKernel = layerScalars(view, units, act, grad, grad, undefined, heapActivationCounts());
        t.dispose();
        expect(viaKernel).toEqual({ gradNorm: Math.SQRT2, deadFraction: deadFraction(values, units), saturationFraction: saturationFraction(values, activationLimits(act)) });
      });
    }
  }

  it('leaves arrays off the heap to the JS functions', () => {
    expect(heapActivationCounts()!(new Float32Array(8), 4, NaN, NaN)).toBeNull();
  });

  it('float32AtMost / float32AtLeast bracket a float64 by float32 numbers', () => {
    for (const x of [-0.96, 0.96, 0.04, -0.04, 1 / 3, -1e-40, 1e-40, 1, -1, 0, 3.4e38]) {
      const lo = float32AtMost(x), hi = float32AtLeast(x);
      expect(Math.fround(lo)).toBe(lo);
      expect(Math.fround(hi)).toBe(hi);
      expect(lo).toBeLessThanOrEqual(x);
      expect(hi).toBeGreaterThanOrEqual(x);
      if (Math.fround(x) === x) expect([lo, hi]).toEqual([x, x]);
      else expect(hi - lo).toBeGreaterThan(0);
    }
    expect(float32AtMost(NaN)).toBeNaN();
    // from zero to the smallest subnormal, and from beyond the range to the largest finite float32
    expect([float32AtLeast(1e-50), float32AtMost(1e-50)]).toEqual([2 ** -149, 0]);
    expect([float32AtMost(-1e-50), float32AtLeast(-1e-50)]).toEqual([-(2 ** -149), -0]);
    const MAX = (2 - 2 ** -23) * 2 ** 127;
    expect([float32AtMost(1e39), float32AtLeast(-1e39)]).toEqual([MAX, -MAX]);
    expect([float32AtLeast(1e39), float32AtMost(-1e39)]).toEqual([Infinity, -Infinity]);
  });
});
