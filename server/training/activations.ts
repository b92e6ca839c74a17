// How each Activation of the spec becomes layers. Plain tfjs-layers activations are fused into
// the Dense layer (fast path, fused matmul) unless batch norm sits between; the parameterised
// ones (leaky_relu, prelu) are their own layers; maxout replaces the Dense layer (maxout.ts).
import * as tfl from '@tensorflow/tfjs-layers';
import type { Activation } from '../../shared/types.ts';

/** Leaky ReLU negative slope: 0.01, the classic value (Maas et al. 2013; PyTorch's default). */
export const LEAKY_RELU_ALPHA = 0.01;
/** Maxout linear pieces per unit. */
export const MAXOUT_PIECES = 2;

/** tfjs-layers activation identifiers for the activations that have one. */
const BUILTIN: Partial<Record<Activation, string>> = {
  linear: 'linear',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  elu: 'elu',
  selu: 'selu',
  softplus: 'softplus',
  softsign: 'softsign',
  swish: 'swish',
};

/** The identifier to put in Dense({activation}) when the activation can be fused; else null. */
export function builtinActivation(act: Activation): string | null {
  return BUILTIN[act] ?? null;
}

/** A standalone activation layer (used after batch norm, or for parameterised activations). */
export function activationLayer(act: Activation, name: string): tfl.layers.Layer {
  switch (act) {
    case 'leaky_relu':
      return tfl.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA, name });
    case 'prelu':
      // alpha starts at 0 (= ReLU) and is learned per unit, as in Keras.
      return tfl.layers.prelu({ name });
    case 'maxout':
      throw new Error('maxout is a weight layer (Maxout), not a standalone activation');
    default: {
      const id = BUILTIN[act];
      if (!id) throw new Error(`unknown activation "${act}"`);
      return tfl.layers.activation({ activation: id as 'relu', name });
    }
  }
}
