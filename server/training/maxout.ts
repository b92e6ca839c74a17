// Maxout (Goodfellow et al. 2013) as a tfjs-layers layer: each of `units` outputs is the max of
// `pieces` linear functions of the input. It owns its weights (kernel [in, units*pieces], bias),
// so it stands in for a Dense layer and gets the same per-layer summaries. Registered for
// serialization so model.toJSON() and deserialization know it.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';

export interface MaxoutArgs extends LayerArgs {
  units: number;
  /** Linear pieces per unit (k); default 2. */
  pieces?: number;
  /** Seed of the kernel's Glorot-uniform initializer (reproducible runs). */
  seed?: number;
}

type Shape = (number | null)[];

export class Maxout extends tfl.layers.Layer {
  static className = 'Maxout';
  readonly units: number;
  readonly pieces: number;
  readonly seed: number | undefined;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: MaxoutArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) throw new Error(`Maxout: units must be a positive integer, got ${args.units}`);
    const pieces = args.pieces ?? 2;
    if (!Number.isInteger(pieces) || pieces < 1) throw new Error(`Maxout: pieces must be a positive integer, got ${pieces}`);
    this.units = args.units;
    this.pieces = pieces;
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inDim = shape[shape.length - 1];
    if (inDim == null) throw new Error(`Maxout ${this.name}: last input dimension must be known`);
    const width = this.units * this.pieces;
    this.kernel = this.addWeight('kernel', [inDim, width], 'float32', tfl.initializers.glorotUniform({ seed: this.seed }));
    this.bias = this.addWeight('bias', [width], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!this.kernel || !this.bias) throw new Error(`Maxout ${this.name}: call before build`);
      const z = tf.add(tf.matMul(x as tf.Tensor2D, this.kernel.read() as tf.Tensor2D), this.bias.read());
      // Columns are laid out unit-major: [u0p0, u0p1, u1p0, ...].
      return tf.max(tf.reshape(z, [-1, this.units, this.pieces]), -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { units: this.units, pieces: this.pieces };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}

tf.serialization.registerClass(Maxout);
