// The MLP built from a TrainSpec, with stable layer names (dense_1.., output) that don't depend on
// tfjs's global name counters, and a forward pass that also returns each weight layer's activations.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Activation, TrainSpec } from '../../shared/types.ts';
import { activationLayer, builtinActivation, MAXOUT_PIECES } from './activations.ts';
import { Maxout } from './maxout.ts';
import { deriveSeed } from './rng.ts';

/** A layer with kernel + bias: the unit of per-layer summaries. */
export interface WeightLayer {
  name: string; // dense_1.., output
  kernel: tf.Variable;
  bias: tf.Variable;
  /** Output units (activation width). */
  units: number;
  /** Nonlinearity applied to the layer's output (the tapped activations). */
  activation: Activation | 'softmax';
  /** Index in `chain` whose output is this layer's activation. */
  tap: number;
}

export interface Mlp {
  model: tfl.LayersModel;
  /** The layers after the input, in order (the model is a plain chain). */
  chain: tfl.layers.Layer[];
  weightLayers: WeightLayer[];
  dropoutLayers: tfl.layers.Layer[];
  trainableVars: tf.Variable[];
  /** Forward pass; `training` turns on dropout and batch statistics. Returns probabilities and the taps. */
  forward(x: tf.Tensor, training: boolean, withTaps?: boolean): { probs: tf.Tensor2D; taps: tf.Tensor[] };
  dispose(): void;
}

export function buildMlp(spec: Pick<TrainSpec, 'activation' | 'layers' | 'dropout' | 'batchNorm' | 'seed'>, inputShape: number[], numClasses: number): Mlp {
  const input = tfl.input({ shape: inputShape, name: 'input' });
  const chain: tfl.layers.Layer[] = [];
  const add = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor) => {
    chain.push(layer);
    return layer.apply(x) as tfl.SymbolicTensor;
  };
  let x: tfl.SymbolicTensor = input;
  if (inputShape.length > 1) x = add(tfl.layers.flatten({ name: 'flatten' }), x);

  const act = spec.activation;
  const taps: { name: string; units: number; activation: Activation | 'softmax'; tap: number; layer: tfl.layers.Layer }[] = [];
  const dropoutLayers: tfl.layers.Layer[] = [];
  spec.layers.forEach((units, idx) => {
    const i = idx + 1;
    const name = `dense_${i}`;
    const seed = deriveSeed(spec.seed, `init:${name}`);
    let weightLayer: tfl.layers.Layer;
    if (act === 'maxout') {
      weightLayer = new Maxout({ units, pieces: MAXOUT_PIECES, seed, name });
      x = add(weightLayer, x);
      if (spec.batchNorm) x = add(tfl.layers.batchNormalization({ name: `batch_norm_${i}` }), x);
    } else {
      const fused = spec.batchNorm ? null : builtinActivation(act);
      weightLayer = tfl.layers.dense({
        units,
        name,
        activation: (fused ?? 'linear') as 'linear',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
        biasInitializer: 'zeros',
      });
      x = add(weightLayer, x);
      if (spec.batchNorm) x = add(tfl.layers.batchNormalization({ name: `batch_norm_${i}` }), x);
      if (!fused) x = add(activationLayer(act, `${act}_${i}`), x);
    }
    taps.push({ name, units, activation: act, tap: chain.length - 1, layer: weightLayer });
    if (spec.dropout > 0) {
      const d = tfl.layers.dropout({ rate: spec.dropout, name: `dropout_${i}` });
      dropoutLayers.push(d);
      x = add(d, x);
    }
  });
  const out = tfl.layers.dense({
    units: numClasses,
    activation: 'softmax',
    name: 'output',
    kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(spec.seed, 'init:output') }),
    biasInitializer: 'zeros',
  });
  x = add(out, x);
  taps.push({ name: 'output', units: numClasses, activation: 'softmax', tap: chain.length - 1, layer: out });

  const model = tfl.model({ inputs: input, outputs: x, name: 'mlp' });
  const weightLayers: WeightLayer[] = taps.map((t) => {
    const [kernel, bias] = t.layer.trainableWeights;
    return { name: t.name, units: t.units, activation: t.activation, tap: t.tap, kernel: kernel.read() as tf.Variable, bias: bias.read() as tf.Variable };
  });
  const trainableVars = model.trainableWeights.map((w) => w.read() as tf.Variable);

  const forward = (xs: tf.Tensor, training: boolean, withTaps = false) => {
    const tapped: tf.Tensor[] = [];
    let h = xs;
    let t = 0;
    for (let i = 0; i < chain.length; i++) {
      h = chain[i].apply(h, { training }) as tf.Tensor;
      if (withTaps && t < weightLayers.length && weightLayers[t].tap === i) {
        tapped.push(h);
        t++;
      }
    }
    return { probs: h as tf.Tensor2D, taps: tapped };
  };

  return {
    model,
    chain,
    weightLayers,
    dropoutLayers,
    trainableVars,
    forward,
    dispose: () => {
      model.dispose();
    },
  };
}
