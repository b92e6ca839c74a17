import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../server/training/backend.ts';
await initBackend('wasm');
const R = 200;
function time(label: string, f: () => void) {
  for (let i = 0; i < 20; i++) f();
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < R; i++) f();
    best = Math.min(best, (performance.now() - t0) / R);
  }
  console.log(label.padEnd(50), (best * 1000).toFixed(0), 'us (best of 5)');
}
const X = tf.randomNormal([64, 784]); const W = tf.randomNormal([784, 128]);
const Wt = tf.transpose(W); const XT = tf.transpose(X);
const dY = tf.randomNormal([64, 128]);
time('copy W (add 0)', () => tf.tidy(() => { tf.add(W, 0); }));
time('fwd same W', () => tf.tidy(() => { tf.matMul(X, W); }));
time('fwd fresh W (copy)', () => tf.tidy(() => { tf.matMul(X, tf.add(W, 0)); }));
time('fwd^T: Wt[128,784] x XT[784,64] same', () => tf.tidy(() => { tf.matMul(Wt, XT); }));
time('fwd^T fresh XT', () => tf.tidy(() => { tf.matMul(Wt, tf.add(XT, 0)); }));
time('dW: XT[784,64] x dY[64,128] same dY', () => tf.tidy(() => { tf.matMul(XT, dY); }));
time('dW: fresh dY', () => tf.tidy(() => { tf.matMul(XT, tf.add(dY, 0)); }));
time('dW^T: dY^T[128,64] x X[64,784] fresh X', () => tf.tidy(() => { tf.matMul(tf.transpose(dY), tf.add(X, 0)); }));
time('transpose X [64,784]', () => tf.tidy(() => { tf.transpose(X); }));
time('transpose W [784,128]', () => tf.tidy(() => { tf.transpose(W); }));
const x3 = tf.reshape(X, [1, 64, 784]);
time('batch-2 trick: fwd as batched (slow path)', () => tf.tidy(() => { tf.matMul(tf.reshape(X, [1, 64, 784]), tf.reshape(W, [1, 784, 128]), false, false); }));
