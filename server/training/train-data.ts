// Batches in and figures out for the training loop: gathering a shuffled batch, counting hits, and the
// validation pass through the Keras layers.
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from './datasets.ts';
import type { Mlp } from './model.ts';
import { crossEntropy, rowArgmax } from './train-step.ts';

/** Validation examples per forward pass (both validation paths). */
export const EVAL_CHUNK = 1024;

function correct(probs: tf.Tensor2D, onehot: tf.Tensor2D): tf.Tensor1D {
  return tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(onehot, -1)), 'float32');
}

/** Rows of X (flattened) and one-hot labels for the given example indices. */
export function gatherBatch(ds: Dataset, idx: ArrayLike<number>, from: number, to: number, x: Float32Array, y: Float32Array): void {
  const d = ds.inputDim, c = ds.numClasses;
  y.fill(0);
  for (let i = from; i < to; i++) {
    const src = idx[i];
    x.set(ds.trainX.subarray(src * d, src * d + d), (i - from) * d);
    y[(i - from) * c + ds.trainY[src]] = 1;
  }
}

/** Examples of the batch (order[from..to)) whose most probable class (first on ties) is the label. */
export function countHits(probs: ArrayLike<number>, labels: ArrayLike<number>, order: ArrayLike<number>, from: number, to: number, classes: number): number {
  let hits = 0;
  for (let i = from; i < to; i++) if (rowArgmax(probs, (i - from) * classes, classes) === labels[order[i]]) hits++;
  return hits;
}

export function oneHot(labels: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((l, i) => (out[i * classes + l] = 1));
  return out;
}

/** Validation loss/accuracy over the whole validation set through the Keras layers, in chunks, one read (handEvaluate for plain MLPs). */
export async function evaluate(mlp: Mlp, valX: tf.Tensor, valY: tf.Tensor2D): Promise<{ loss: number; accuracy: number }> {
  const n = valY.shape[0];
  const t = tf.tidy(() => {
    let lossSum: tf.Tensor = tf.scalar(0);
    let hits: tf.Tensor = tf.scalar(0);
    for (let s = 0; s < n; s += EVAL_CHUNK) {
      const size = Math.min(EVAL_CHUNK, n - s);
      const xs = tf.slice(valX, s, size);
      const ys = tf.slice(valY, s, size);
      const { probs } = mlp.forward(xs, false);
      lossSum = tf.add(lossSum, tf.sum(crossEntropy(probs, ys)));
      hits = tf.add(hits, tf.sum(correct(probs, ys)));
    }
    return tf.stack([lossSum, hits]);
  });
  const [l, h] = await t.data();
  t.dispose();
  return { loss: l / n, accuracy: h / n };
}
