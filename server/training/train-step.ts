// One training step's forward and backward pass, returning the loss, the batch's probabilities (read once,
// for accuracy) and each variable's gradient. Two ways to get there:
//  - handStep: for plain MLPs (Dense layers with a stateless activation; no batch norm, dropout, PReLU or
//    maxout) the backward pass is written out: softmax cross-entropy's gradient p - y is formed on the host
//    from the probabilities we read anyway, then each layer's kernel/bias/input gradients are three ops.
//    No gradient tape: about a third of the kernel calls of tapeStep (the tape clones every saved tensor).
//  - tapeStep: tf.variableGrads through the Keras layers, for everything else.
// Both compute the same loss (Keras' clipped cross-entropy) and, up to float rounding, the same gradients
// (tests/training/train-step.test.ts checks every activation).
import * as tf from '@tensorflow/tfjs-core';
import type { Activation, TrainSpec } from '../../shared/types.ts';
import { LEAKY_RELU_ALPHA } from './activations.ts';
import type { Mlp } from './model.ts';

/** Keras' clip on probabilities before the log. */
export const PROB_EPS = 1e-7;

export interface StepResult {
  /** Mean cross-entropy over the batch. */
  loss: number;
  /** Softmax probabilities, [n, classes] row-major. */
  probs: Float32Array;
  /** Gradient per variable name (caller disposes). */
  grads: tf.NamedTensorMap;
}

type ActFn = (z: tf.Tensor) => tf.Tensor;

/** The activations as the same tfjs ops the Keras layers apply (checked against the model in the tests). */
const ACT: Partial<Record<Activation, ActFn>> = {
  linear: (z) => z,
  relu: (z) => tf.relu(z),
  leaky_relu: (z) => tf.leakyRelu(z, LEAKY_RELU_ALPHA),
  sigmoid: (z) => tf.sigmoid(z),
  tanh: (z) => tf.tanh(z),
  elu: (z) => tf.elu(z),
  selu: (z) => tf.selu(z),
  softplus: (z) => tf.softplus(z),
  softsign: (z) => tf.div(z, tf.add(1, tf.abs(z))),
  swish: (z) => tf.mul(z, tf.sigmoid(z)),
};

/** Whether handStep can train this spec (else tapeStep). */
export function handStepSupported(spec: Pick<TrainSpec, 'activation' | 'batchNorm' | 'dropout'>): boolean {
  return !spec.batchNorm && !(spec.dropout > 0) && ACT[spec.activation] !== undefined;
}

/** -log of a probability clipped like Keras does before its log. */
const clippedNll = (p: number) => -Math.log(Math.min(1 - PROB_EPS, Math.max(PROB_EPS, p)));

/** Index of the row's most probable class (the first on ties), the row starting at `o`. */
export function rowArgmax(probs: ArrayLike<number>, o: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (probs[o + c] > probs[o + best]) best = c;
  return best;
}

/** Keras' clipped cross-entropy, summed over the batch, from host-side probabilities and one-hot labels. */
function crossEntropySum(p: Float32Array, onehot: Float32Array, n: number, classes: number): number {
  let sum = 0;
  for (let i = 0; i < n * classes; i++) if (onehot[i] !== 0) sum += onehot[i] * clippedNll(p[i]);
  return sum;
}

interface HandForward {
  /** Each weight layer's input (layer 0: the flattened batch); inputs[l + 1] is layer l's activation. */
  inputs: tf.Tensor2D[];
  /** Each weight layer's pre-activation (for ReLU layers, its output: the gradient needs only the sign). */
  pre: tf.Tensor2D[];
  probs: tf.Tensor2D;
}

/** The model's forward pass as fused matmuls (inference and training are the same without dropout/BN). */
function forward(mlp: Mlp, activation: Activation, x: tf.Tensor): HandForward {
  const act = ACT[activation];
  if (!act) throw new Error(`handStep: activation "${activation}" needs the gradient tape`);
  const layers = mlp.weightLayers;
  const inputs: tf.Tensor2D[] = [];
  const pre: tf.Tensor2D[] = [];
  let h = (x.rank === 2 ? x : tf.reshape(x, [x.shape[0], -1])) as tf.Tensor2D;
  for (let l = 0; l < layers.length; l++) {
    const { kernel, bias } = layers[l];
    const last = l === layers.length - 1;
    inputs.push(h);
    if (!last && activation === 'relu') {
      h = tf.fused.matMul({ a: h, b: kernel as tf.Tensor2D, bias, activation: 'relu' }) as tf.Tensor2D;
      pre.push(h);
    } else {
      const z = tf.fused.matMul({ a: h, b: kernel as tf.Tensor2D, bias }) as tf.Tensor2D;
      pre.push(z);
      h = last ? z : (act(z) as tf.Tensor2D);
    }
  }
  return { inputs, pre, probs: tf.softmax(h) };
}

/**
 * Each weight layer's activations on x, the output layer's being the probabilities: what mlp.forward's taps
 * give, in fewer kernels (for handStepSupported models). Caller disposes.
 */
export function handTaps(mlp: Mlp, activation: Activation, x: tf.Tensor): tf.Tensor2D[] {
  return tf.tidy(() => {
    const f = forward(mlp, activation, x);
    return [...f.inputs.slice(1), f.probs];
  });
}

/**
 * Forward and hand-written backward pass of a plain MLP (see handStepSupported) on the batch x with one-hot
 * labels `onehot` ([n, classes] on the host).
 */
export function handStep(mlp: Mlp, activation: Activation, x: tf.Tensor, onehot: Float32Array): StepResult {
  const act = ACT[activation];
  if (!act) throw new Error(`handStep: activation "${activation}" needs the gradient tape`);
  const layers = mlp.weightLayers;
  const n = x.shape[0];
  const classes = layers[layers.length - 1].units;
  const grads: tf.NamedTensorMap = {};
  let loss = NaN;
  let probs: Float32Array = new Float32Array(0);
  tf.tidy(() => {
    const { inputs, pre, probs: p } = forward(mlp, activation, x);
    probs = p.dataSync() as Float32Array;
    loss = crossEntropySum(probs, onehot, n, classes) / n;
    // d(mean loss)/d(logits) = (p - y) / n.
    const d = new Float32Array(n * classes);
    for (let i = 0; i < d.length; i++) d[i] = (probs[i] - onehot[i]) / n;
    let dz: tf.Tensor2D = tf.tensor2d(d, [n, classes]);
    for (let l = layers.length - 1; l >= 0; l--) {
      const { kernel, bias } = layers[l];
      grads[kernel.name] = tf.keep(tf.matMul(inputs[l], dz, true, false));
      grads[bias.name] = tf.keep(tf.sum(dz, 0));
      if (l === 0) break;
      const dh = tf.matMul(dz, kernel as tf.Tensor2D, false, true) as tf.Tensor2D;
      // Back through layer l-1's activation (output inputs[l], pre-activation pre[l-1]): ReLU, tanh and
      // sigmoid with the ops of tfjs' own gradients (so the same numbers), the others through tf.grad.
      const y = inputs[l];
      if (activation === 'relu') dz = tf.mul(dh, tf.step(y)) as tf.Tensor2D;
      else if (activation === 'linear') dz = dh;
      else if (activation === 'tanh') dz = tf.mul(tf.sub(1, tf.square(y)), dh) as tf.Tensor2D;
      else if (activation === 'sigmoid') dz = tf.mul(dh, tf.mul(y, tf.sub(1, y))) as tf.Tensor2D;
      else dz = tf.grad(act)(pre[l - 1], dh) as tf.Tensor2D;
    }
  });
  return { loss, probs, grads };
}

/**
 * Loss and accuracy of a plain MLP (handStepSupported) on x with integer labels, in chunks of `chunk`
 * examples: a fused forward pass and one read per chunk, the rest on the host (as countHits: first max on ties).
 */
export function handEvaluate(mlp: Mlp, activation: Activation, x: tf.Tensor, labels: ArrayLike<number>, chunk = 1024): { loss: number; accuracy: number } {
  const n = x.shape[0];
  const classes = mlp.weightLayers[mlp.weightLayers.length - 1].units;
  let lossSum = 0, hits = 0;
  for (let s = 0; s < n; s += chunk) {
    const size = Math.min(chunk, n - s);
    const p = tf.tidy(() => forward(mlp, activation, tf.slice(x, s, size)).probs);
    const probs = p.dataSync();
    p.dispose();
    for (let i = 0; i < size; i++) {
      const o = i * classes, y = labels[s + i];
      if (rowArgmax(probs, o, classes) === y) hits++;
      lossSum += clippedNll(probs[o + y]);
    }
  }
  return { loss: lossSum / n, accuracy: hits / n };
}

/** Keras' per-example softmax cross-entropy on probabilities, on the device. */
export function crossEntropy(probs: tf.Tensor2D, onehot: tf.Tensor2D): tf.Tensor1D {
  return tf.neg(tf.sum(tf.mul(onehot, tf.log(tf.clipByValue(probs, PROB_EPS, 1 - PROB_EPS))), -1));
}

/** The general step: tf.variableGrads through the model's layers (dropout and batch statistics on). */
export function tapeStep(mlp: Mlp, x: tf.Tensor, onehot: Float32Array): StepResult {
  const n = x.shape[0];
  const classes = mlp.weightLayers[mlp.weightLayers.length - 1].units;
  const y = tf.tensor2d(onehot.subarray(0, n * classes), [n, classes]);
  let probsT: tf.Tensor2D | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const { probs } = mlp.forward(x, true);
    probsT = tf.keep(probs);
    return tf.mean(crossEntropy(probs, y)) as tf.Scalar;
  }, mlp.trainableVars);
  const loss = value.dataSync()[0];
  const probs = probsT!.dataSync() as Float32Array;
  tf.dispose([y, value, probsT!]);
  return { loss, probs, grads };
}
