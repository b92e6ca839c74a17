import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../server/training/backend.ts';
import { installFastWasmMatMul, isFastWasmMatMulInstalled, stockWasmMatMul, uninstallFastWasmMatMul } from '../../server/training/wasm-matmul.ts';
import { mulberry32 } from '../../server/training/rng.ts';

function rand(shape: number[], seed: number): tf.Tensor {
  const r = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => r() * 2 - 1), shape);
}

interface Case { a: number[]; b: number[]; ta: boolean; tb: boolean }

/** All transpose combos for a [.., m, k] x b [.., k, n] (shapes as stored, before transposing). */
function combos(m: number, k: number, n: number, batches: number[][]): Case[] {
  const out: Case[] = [];
  for (const batch of batches)
    for (const ta of [false, true])
      for (const tb of [false, true]) out.push({ a: [...batch, ...(ta ? [k, m] : [m, k])], b: [...batch, ...(tb ? [n, k] : [k, n])], ta, tb });
  return out;
}

// Inner dim <= 48 (tfjs-wasm's block size) or batched: the stock transposed path sums in the same order.
const SAME_ORDER: Case[] = [
  ...combos(37, 48, 29, [[], [1], [3]]),
  ...combos(64, 16, 10, [[]]),
  ...combos(20, 200, 12, [[2]]),
  // broadcast batch and size-1 dims (Transpose degenerates to a copy)
  { a: [4, 16, 8], b: [16, 5], ta: true, tb: false },
  { a: [1, 8], b: [3, 8], ta: false, tb: true },
  { a: [8, 1], b: [8, 3], ta: true, tb: false },
];
// 2-D with inner dim > 48: stock's untransposed path is XNNPACK, which rounds differently from its
// transposed path — the dense-layer backward shapes (k = batch or layer width) of a 784-128 MLP.
const XNN_ORDER: Case[] = [...combos(64, 784, 128, [[]]), ...combos(128, 64, 784, [[]])];

function bytes(x: Float32Array): Buffer {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
}

async function run(cs: Case[], explicitTranspose = false): Promise<Float32Array[]> {
  const outs: Float32Array[] = [];
  let seed = 1;
  for (const c of cs) {
    const a = rand(c.a, seed++), b = rand(c.b, seed++);
    const y = tf.tidy(() => {
      if (!explicitTranspose) return tf.matMul(a, b, c.ta, c.tb);
      const swap = (t: tf.Tensor) => tf.transpose(t, [...t.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : all.length * 2 - 3 - i)));
      return tf.matMul(c.ta ? swap(a) : a, c.tb ? swap(b) : b, false, false);
    });
    outs.push((await y.data()) as Float32Array);
    tf.dispose([a, b, y]);
  }
  return outs;
}

async function withStock<T>(f: () => Promise<T>): Promise<T> {
  uninstallFastWasmMatMul();
  try {
    expect(isFastWasmMatMulInstalled()).toBe(false);
    return await f();
  } finally {
    installFastWasmMatMul();
  }
}

describe('fast wasm BatchMatMul', () => {
  beforeAll(async () => {
    expect(await initBackend('wasm')).toBe('wasm');
  });

  it('is installed by initBackend and keeps the stock setupFunc', () => {
    expect(isFastWasmMatMulInstalled()).toBe(true);
    const k = tf.getKernel('BatchMatMul', 'wasm')!;
    expect(k.kernelFunc).not.toBe(stockWasmMatMul()!.kernelFunc);
    expect(k.setupFunc).toBe(stockWasmMatMul()!.setupFunc);
  });

  it('equals the stock kernel on explicitly transposed operands bit for bit (all combos, 2-D and batched)', async () => {
    const all = [...SAME_ORDER, ...XNN_ORDER];
    const fast = await run(all);
    const stock = await withStock(() => run(all, true));
    fast.forEach((f, i) => expect(bytes(f).equals(bytes(stock[i])), `case ${JSON.stringify(all[i])}`).toBe(true));
  });

  it("equals the stock kernel's own transposed path bit for bit when it sums in the same order", async () => {
    const fast = await run(SAME_ORDER);
    const stock = await withStock(() => run(SAME_ORDER));
    fast.forEach((f, i) => expect(bytes(f).equals(bytes(stock[i])), `case ${JSON.stringify(SAME_ORDER[i])}`).toBe(true));
  });

  it('agrees with the stock transposed path to float32 rounding for large 2-D inner dims', async () => {
    const fast = await run(XNN_ORDER);
    const stock = await withStock(() => run(XNN_ORDER));
    fast.forEach((f, i) => {
      let scale = 0, diff = 0;
      for (let j = 0; j < f.length; j++) {
        scale = Math.max(scale, Math.abs(stock[i][j]));
        diff = Math.max(diff, Math.abs(f[j] - stock[i][j]));
      }
      expect(diff / scale, `case ${JSON.stringify(XNN_ORDER[i])}`).toBeLessThan(1e-5);
    });
  });

  it('matches a plain JS product (sanity for the transposed path)', async () => {
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]); // used as a^T: [2, 3]
    const b = tf.tensor2d([1, 0, 0, 1, 1, 1], [2, 3]); // used as b^T: [3, 2]
    const y = tf.matMul(a, b, true, true); // [2,3] x [3,2]
    // a^T = [[1,3,5],[2,4,6]], b^T = [[1,1],[0,1],[0,1]]
    expect(Array.from(await y.data())).toEqual([1, 9, 2, 12]);
    tf.dispose([a, b, y]);
  });

  it('leaks no tensors and no backend buffers', async () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const a = rand([2, 30, 20], 9), b = rand([2, 40, 20], 10), c = rand([30, 10], 11);
    const before = tf.memory().numTensors, ids = backend.numDataIds();
    for (let i = 0; i < 5; i++) {
      const y1 = tf.matMul(a, b, false, true);
      const y2 = tf.matMul(a, c as tf.Tensor, true, false);
      tf.dispose([y1, y2]);
    }
    // gradients go through the transposed kernel too
    const x = rand([7, 30], 12);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.matMul(v as tf.Tensor2D, c as tf.Tensor2D)))(x);
    tf.dispose([g, x]);
    expect(tf.memory().numTensors).toBe(before);
    expect(backend.numDataIds()).toBe(ids);
    tf.dispose([a, b, c]);
  });
});
