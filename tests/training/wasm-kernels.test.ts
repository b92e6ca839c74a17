// Our SIMD kernels: the committed kernels.wasm is what kernels.wat compiles to, and the module loads onto
// the tfjs-wasm heap and computes there.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../server/training/backend.ts';
import { compileKernels, WASM_PATH } from '../../server/training/wasm/build.ts';
import { float32Peeker, heapOffset, peekFloat32, wasmKernels } from '../../server/training/wasm-kernels.ts';

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

describe('wasm kernels', () => {
  it('the committed kernels.wasm is the compiled kernels.wat (run npm run build:wasm after editing it)', async () => {
    expect(Buffer.from(readFileSync(WASM_PATH)).equals(Buffer.from(await compileKernels()))).toBe(true);
  });

  it('binds to the backend heap once and reads and writes tensors in place', () => {
    const k = wasmKernels();
    expect(k).not.toBeNull();
    expect(wasmKernels()).toBe(k);
    // One Adam step with b1 = b2 = 0, c1 = c2 = 1, eps = 0, nlr = -1: m = g, v = g*g, y = x - g/|g|.
    const n = 7; // a SIMD body of 4 and a scalar tail of 3
    const x = tf.tensor1d([1, 2, 3, 4, 5, 6, 7]);
    const g = tf.tensor1d([0.5, -2, 4, -8, 1, -1, 3]);
    const m = tf.zeros([n]), v = tf.zeros([n]), y = tf.zeros([n]);
    k!.adam(heapOffset(x), heapOffset(g), heapOffset(m), heapOffset(v), heapOffset(y), n, 0, 1, 0, 1, 1, 1, 0, -1);
    expect(Array.from(y.dataSync())).toEqual([0, 3, 2, 5, 4, 7, 6]);
    expect(Array.from(m.dataSync())).toEqual([0.5, -2, 4, -8, 1, -1, 3]);
    expect(Array.from(v.dataSync())).toEqual([0.25, 4, 16, 64, 1, 1, 9]);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7]);
    tf.dispose([x, g, m, v, y]);
  });

  it('float32Peeker gives views of tensors on the heap, as peekFloat32 does', () => {
    const peek = float32Peeker();
    const a = tf.tensor2d([[1, -2.5], [3, 4]]);
    const b = tf.tensor1d([7, 8, 9]);
    const view = peek(a);
    expect(view.buffer).toBe(peekFloat32(a).buffer);
    expect(Array.from(view)).toEqual([1, -2.5, 3, 4]);
    expect(Array.from(peek(b))).toEqual([7, 8, 9]);
    const ints = tf.tensor1d([1, 2], 'int32');
    expect(() => peek(ints)).toThrow(/int32/);
    tf.dispose([a, b, ints]);
  });
});
