// Adam as ONE kernel per variable on the wasm backend. tfjs' AdamOptimizer runs ~12 elementwise
// kernels per variable, each with the engine's bookkeeping: on small nets (2-16-16-2) that overhead
// is a third of a training step. Here one JS loop reads the variable, gradient and both moments
// straight from the wasm heap, updates the moments in place and writes the new value into a fresh
// output, so the variable gets a new dataId as with tfjs' assign() (the wasm matmul caches packed
// weights per dataId: updating a weight in place would leave that cache stale).
// Same formula as tfjs' AdamOptimizer, computed in double precision, stored as float32.
import * as tf from '@tensorflow/tfjs-core';

export const FUSED_ADAM_KERNEL = 'TrainscopeFusedAdam';

interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfoLike;
  typedArrayFromHeap(t: TensorInfoLike): Float32Array;
}
interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Bias corrections 1 - beta1^t and 1 - beta2^t for this step t. */
  c1: number;
  c2: number;
}

function update(X: Float32Array, G: Float32Array, M: Float32Array, V: Float32Array, Y: Float32Array, a: AdamAttrs): void {
  const { lr, beta1, beta2, epsilon, c1, c2 } = a;
  const b1c = 1 - beta1, b2c = 1 - beta2, step = lr / c1, ic2 = 1 / c2, n = X.length;
  for (let i = 0; i < n; i++) {
    const g = G[i];
    const m = beta1 * M[i] + b1c * g;
    const v = beta2 * V[i] + b2c * g * g;
    M[i] = m;
    V[i] = v;
    Y[i] = X[i] - (step * m) / (Math.sqrt(v * ic2) + epsilon);
  }
}

function adamKernel(args: { inputs: Record<string, TensorInfoLike>; backend: unknown; attrs?: unknown }): TensorInfoLike {
  const { x, g, m, v } = args.inputs;
  const backend = args.backend as WasmBackendLike;
  const out = backend.makeOutput(x.shape, 'float32');
  // Views only after makeOutput: its malloc may grow (and so replace) the wasm memory buffer.
  const heap = (t: TensorInfoLike) => backend.typedArrayFromHeap(t);
  update(heap(x), heap(g), heap(m), heap(v), heap(out), args.attrs as unknown as AdamAttrs);
  return out;
}

/** Registers the kernel for the wasm backend (idempotent). */
export function registerFusedAdam(): void {
  if (tf.getKernel(FUSED_ADAM_KERNEL, 'wasm')) return;
  tf.registerKernel({ kernelName: FUSED_ADAM_KERNEL, backendName: 'wasm', kernelFunc: adamKernel as unknown as tf.KernelFunc });
}

/**
 * Adam with tfjs' defaults (beta1 0.9, beta2 0.999, epsilon = the backend's) for the wasm backend.
 * The applyGradients/dispose surface of tf.Optimizer, which is all the trainer uses.
 */
export class FusedAdam {
  private readonly slots = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private step = 0;
  readonly epsilon: number;

  constructor(
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    epsilon?: number,
  ) {
    if (tf.getBackend() !== 'wasm') throw new Error(`FusedAdam needs the wasm backend (current: ${tf.getBackend()})`);
    registerFusedAdam();
    this.epsilon = epsilon ?? tf.backend().epsilon();
  }

  applyGradients(grads: tf.NamedTensorMap): void {
    this.step++;
    const attrs: AdamAttrs = {
      lr: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      c1: 1 - Math.pow(this.beta1, this.step),
      c2: 1 - Math.pow(this.beta2, this.step),
    };
    const vars = tf.engine().registeredVariables;
    for (const name of Object.keys(grads)) {
      const x = vars[name];
      const g = grads[name];
      if (!x) throw new Error(`FusedAdam: no variable named "${name}"`);
      if (g == null || !x.trainable) continue;
      if (x.dtype !== 'float32' || g.dtype !== 'float32') throw new Error(`FusedAdam: ${name} is ${x.dtype}/${g.dtype}, need float32`);
      let s = this.slots.get(name);
      // tidy frees the zeros; variables are not tracked by it.
      if (!s) this.slots.set(name, (s = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(x), false), v: tf.variable(tf.zerosLike(x), false) }))));
      const next = tf.engine().runKernel(FUSED_ADAM_KERNEL, { x, g, m: s.m, v: s.v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      x.assign(next);
      next.dispose();
    }
  }

  dispose(): void {
    for (const { m, v } of this.slots.values()) tf.dispose([m, v]);
    this.slots.clear();
  }
}
