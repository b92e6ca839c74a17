import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../server/training/backend.ts';
await initBackend('wasm');
function time(label: string, n: number, f: () => void) {
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now(); const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const dt = (performance.now() - t0) / n; const c = process.cpuUsage(c0);
  console.log(label.padEnd(50), (dt * 1000).toFixed(0), 'us wall', ((c.user + c.system) / n).toFixed(0), 'us cpu');
}
const X = tf.randomNormal([64, 784]); const W = tf.variable(tf.randomNormal([784, 128]));
const dY = tf.randomNormal([64, 128]);
time('fwd same W', 300, () => tf.tidy(() => { tf.matMul(X, W).dataSync(); }));
time('fwd fresh W (assign)', 300, () => { tf.tidy(() => { W.assign(tf.add(W, 0)); tf.matMul(X, W).dataSync(); }); });
time('assign only', 300, () => { tf.tidy(() => { W.assign(tf.add(W, 0)); W.dataSync(); }); });
time('fwd fresh W fused relu+bias', 300, () => { tf.tidy(() => { W.assign(tf.add(W, 0)); tf.fused.matMul({ a: X, b: W, bias: tf.zeros([128]), activation: 'relu' }).dataSync(); }); });
time('dW = X^T dY (transposeA)', 300, () => tf.tidy(() => { tf.matMul(X, dY, true, false).dataSync(); }));
time('transpose X', 300, () => tf.tidy(() => { tf.transpose(X).dataSync(); }));
time('dX = dY W^T (transposeB)', 300, () => tf.tidy(() => { tf.matMul(dY, W, false, true).dataSync(); }));
const XT = tf.transpose(X);
time('dW via XT (no transpose, fresh b each time)', 300, () => tf.tidy(() => { tf.matMul(XT, tf.add(dY, 0)).dataSync(); }));
time('dW via XT same b', 300, () => tf.tidy(() => { tf.matMul(XT, dY).dataSync(); }));
time('fwd fresh X same W', 300, () => tf.tidy(() => { tf.matMul(tf.add(X, 0), W).dataSync(); }));
time('add 100k', 300, () => tf.tidy(() => { tf.add(W, 0).dataSync(); }));
