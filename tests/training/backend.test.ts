import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { currentBackend, initBackend } from '../../server/training/backend.ts';

describe('initBackend', () => {
  it('asking for an uninstalled native backend names the package to install', async () => {
    await expect(initBackend('gpu')).rejects.toThrow(/npm install @tensorflow\/tfjs-node-gpu/);
    await expect(initBackend('node')).rejects.toThrow(/npm install @tensorflow\/tfjs-node\b/);
  });

  it('cpu and wasm can be selected explicitly; auto picks wasm here (no tfjs-node installed)', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('auto')).toBe('cpu'); // already initialised: auto keeps it
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(currentBackend()).toBe('wasm');
    expect(tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()))).toEqual([11]);
  });
});
