// The epoch-end embedding pass: the last hidden layer's activations for the fixed validation digits
// (one forward pass of EMBED_EXAMPLES rows, read once), handed to the run's EmbeddingSink.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainSpec } from '../../shared/types.ts';
import type { Mlp } from './model.ts';
import { handTaps } from './train-step.ts';

/** The last hidden layer's name, width and activations on x; null for a model with no hidden layer. */
export function lastHiddenActivations(mlp: Mlp, spec: TrainSpec, hand: boolean, x: tf.Tensor): { layer: string; width: number; values: Float32Array } | null {
  const k = mlp.weightLayers.length - 2;
  if (k < 0) return null;
  const t = tf.tidy(() => {
    const taps = hand ? handTaps(mlp, spec.activation, x) : mlp.forward(x, false, true).taps;
    return tf.reshape(taps[k], [x.shape[0], -1]);
  });
  try {
    return { layer: mlp.weightLayers[k].name, width: t.shape[1] ?? 0, values: t.dataSync() as Float32Array };
  } finally {
    t.dispose();
  }
}
