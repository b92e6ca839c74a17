import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../server/training/backend.ts';
import { buildMlp } from '../../server/training/model.ts';
await initBackend('wasm');
const mlp = buildMlp({ activation: 'relu', layers: [128, 64], dropout: 0, batchNorm: false, seed: 1 }, [28, 28], 10);
const opt = tf.train.adam(0.001);
const xb = tf.randomUniform([64, 28, 28]); const yb = tf.cast(tf.oneHot(tf.randomUniform([64], 0, 10, 'int32') as tf.Tensor1D, 10), 'float32') as tf.Tensor2D;
const lossF = () => { const { probs } = mlp.forward(xb, true); return tf.mean(tf.neg(tf.sum(tf.mul(yb, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar; };
function time(label: string, f: () => void, R = 100) {
  for (let i = 0; i < 20; i++) f();
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) { const t0 = performance.now(); for (let i = 0; i < R; i++) f(); best = Math.min(best, (performance.now() - t0) / R); }
  console.log(label.padEnd(40), (best * 1000).toFixed(0), 'us');
}
const small = tf.randomNormal([64, 10]);
time('tiny add [64,10]', () => { tf.add(small, small).dispose(); }, 2000);
time('tiny op in tidy', () => tf.tidy(() => { tf.add(small, small); }), 2000);
time('forward+loss', () => tf.tidy(() => { lossF(); }));
time('variableGrads', () => { const { value, grads } = tf.variableGrads(lossF, mlp.trainableVars); value.dispose(); tf.dispose(grads); });
let n = 0;
time('variableGrads+adam', () => { const { value, grads } = tf.variableGrads(lossF, mlp.trainableVars); opt.applyGradients(grads); value.dispose(); tf.dispose(grads); });
const { value, grads } = tf.variableGrads(lossF, mlp.trainableVars);
time('adam only (same grads)', () => { opt.applyGradients(grads); });
console.log('numTensors', tf.memory().numTensors);
import { FusedAdam } from '../../server/training/fused-adam.ts';
const fa = new FusedAdam(0.001);
time('fused adam only (same grads)', () => { fa.applyGradients(grads); });
time('variableGrads+fused adam', () => { const { value, grads } = tf.variableGrads(lossF, mlp.trainableVars); fa.applyGradients(grads); value.dispose(); tf.dispose(grads); });
console.log('numTensors', tf.memory().numTensors);
