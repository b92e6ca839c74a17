import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../server/training/backend.ts';
import { buildMlp } from '../../server/training/model.ts';
await initBackend('wasm');
const stats = new Map<string, [number, number]>();
let on = false;
for (const k of tf.getKernelsForBackend('wasm')) {
  const orig = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: (args) => {
    if (!on) return orig(args);
    const t0 = performance.now(); const r = orig(args); const dt = performance.now() - t0;
    const key = k.kernelName + ' ' + JSON.stringify(Object.values(args.inputs).map((t: any) => t?.shape)) + ' ' + JSON.stringify(Object.entries(args.attrs ?? {}).filter(([a, v]) => typeof v === 'boolean' && v).map(([a]) => a));
    const s = stats.get(key) ?? [0, 0]; s[0] += dt; s[1]++; stats.set(key, s); return r; } });
}
const mlp = buildMlp({ activation: 'relu', layers: [128, 64], dropout: 0, batchNorm: false, seed: 1 }, [28, 28], 10);
const opt = tf.train.adam(0.001);
const xb = tf.randomUniform([64, 28, 28]); const yb = tf.cast(tf.oneHot(tf.randomUniform([64], 0, 10, 'int32') as tf.Tensor1D, 10), 'float32') as tf.Tensor2D;
const lossF = () => { const { probs } = mlp.forward(xb, true); return tf.mean(tf.neg(tf.sum(tf.mul(yb, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar; };
const step = () => { const { value, grads } = tf.variableGrads(lossF, mlp.trainableVars); opt.applyGradients(grads); value.dataSync(); value.dispose(); tf.dispose(grads); };
for (let i = 0; i < 30; i++) step();
const N = 200;
on = true;
const t0 = performance.now();
for (let i = 0; i < N; i++) step();
const wall = (performance.now() - t0) / N;
let tot = 0, cnt = 0; for (const [, [t, c]] of stats) { tot += t; cnt += c; }
console.log('wall/step us', (wall * 1000).toFixed(0), 'kernels us', (tot / N * 1000).toFixed(0), 'kernel calls/step', cnt / N);
const byName = new Map<string, [number, number]>();
for (const [k, [t, c]] of stats) { const n = k.split(' ')[0]; const s = byName.get(n) ?? [0, 0]; s[0] += t; s[1] += c; byName.set(n, s); }
console.log([...byName].sort((a, b) => b[1][0] - a[1][0]).map(([k, [t, c]]) => `${k} ${(t / N * 1000).toFixed(0)}us x${c / N}`).join(', '));
[...stats].sort((a, b) => b[1][0] - a[1][0]).slice(0, 30).forEach(([k, [t, c]]) => console.log((t / N * 1000).toFixed(0).padStart(6), 'us x', (c / N), k.slice(0, 130)));
