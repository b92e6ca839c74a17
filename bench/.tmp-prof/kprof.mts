import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../server/training/backend.ts';
import { buildMlp } from '../../server/training/model.ts';
await initBackend('wasm');
const spec = { activation: 'relu' as const, layers: [128, 64], dropout: 0, batchNorm: false, seed: 1 };
const mlp = buildMlp(spec, [28, 28], 10);
const opt = tf.train.adam(0.001);
const xb = tf.randomUniform([64, 28, 28]); const yb = tf.cast(tf.oneHot(tf.randomUniform([64], 0, 10, "int32") as tf.Tensor1D, 10), "float32") as tf.Tensor2D;
const step = () => {
  const { value, grads } = tf.variableGrads(() => {
    const { probs } = mlp.forward(xb, true);
    return tf.mean(tf.neg(tf.sum(tf.mul(yb, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar;
  }, mlp.trainableVars);
  opt.applyGradients(grads);
  value.dataSync(); value.dispose(); tf.dispose(grads);
};
for (let i = 0; i < 30; i++) step();
const agg = new Map<string, [number, number]>();
const N = 100;
let wall = 0;
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  const p = await tf.profile(step);
  wall += performance.now() - t0;
  for (const k of p.kernels) {
    const key = `${k.name} ${JSON.stringify(k.inputShapes)} ${k.extraInfo ?? ''}`;
    const a = agg.get(key) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(key, a);
  }
}
let tot = 0; for (const [, [t]] of agg) tot += t;
console.log('profiled wall/iter ms', (wall / N).toFixed(3), 'sum kernel ms/iter', (tot / N).toFixed(3));
const byName = new Map<string, number>();
for (const [k, [t]] of agg) { const n = k.split(' ')[0]; byName.set(n, (byName.get(n) ?? 0) + t); }
console.log([...byName].sort((a, b) => b[1] - a[1]).map(([k, t]) => `${k} ${(t / N * 1000).toFixed(0)}us`).join('\n'));
console.log('---');
[...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25).forEach(([k, [t, c]]) => console.log((t / N * 1000).toFixed(0).padStart(6), 'us', (c / N).toFixed(0), k.slice(0, 120)));
// unprofiled timing
const t0 = performance.now(); const c0 = process.cpuUsage();
for (let i = 0; i < 200; i++) step();
const c = process.cpuUsage(c0);
console.log('plain step ms', ((performance.now() - t0) / 200).toFixed(3), 'cpu ms', ((c.user + c.system) / 200 / 1000).toFixed(3));
