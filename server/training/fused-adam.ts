// Adam as ONE kernel per variable on the wasm backend. tfjs' AdamOptimizer runs ~12 elementwise
// kernels per variable, each with the engine's bookkeeping; on small nets (2-16-16-2) that overhead is
// a third of a training step. Here one SIMD loop of ours (wasm/kernels.wat) reads the variable and
// gradient and both moments straight from the wasm heap, updates the moments in place and writes the new
// value into a fresh output, so the variable gets a new dataId as with tfjs' assign() (the wasm matmul
// caches packed weights per dataId: updating a weight in place would leave that cache stale).
// It does tfjs' float32 operations in tfjs' order, bias corrections included, so results are bit-identical.
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, wasmKernels } from './wasm-kernels.ts';

export const FUSED_ADAM_KERNEL = 'TrainscopeFusedAdam';

interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfoLike;
}
/** Kernel attributes, all float32 values (see kernels.wat). */
interface AdamAttrs {
  b1: number;
  omb1: number;
  b2: number;
  omb2: number;
  /** Bias corrections 1 - beta1^t and 1 - beta2^t for this step t. */
  c1: number;
  c2: number;
  eps: number;
  /** -learning rate */
  nlr: number;
}

function adamKernel(args: { inputs: Record<string, TensorInfoLike>; backend: unknown; attrs?: unknown }): TensorInfoLike {
  const { x, g, m, v } = args.inputs;
  const k = wasmKernels();
  if (!k) throw new Error(`${FUSED_ADAM_KERNEL}: our wasm kernels are not available`);
  const out = (args.backend as WasmBackendLike).makeOutput(x.shape, 'float32');
  const n = x.shape.reduce((a, b) => a * b, 1);
  const a = args.attrs as unknown as AdamAttrs;
  k.adam(heapOffset(x), heapOffset(g), heapOffset(m), heapOffset(v), heapOffset(out), n, a.b1, a.omb1, a.b2, a.omb2, a.c1, a.c2, a.eps, a.nlr);
  return out;
}

/** True where FusedAdam can run: the wasm backend with our SIMD kernels loaded. */
export function fusedAdamAvailable(): boolean {
  return wasmKernels() !== null;
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
  /** beta1^t and beta2^t, accumulated in float32 as tfjs does. */
  private acc1: number;
  private acc2: number;
  readonly epsilon: number;

  constructor(
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    epsilon?: number,
  ) {
    if (!fusedAdamAvailable()) throw new Error(`FusedAdam needs the wasm backend with SIMD (current backend: ${tf.getBackend()})`);
    registerFusedAdam();
    this.epsilon = epsilon ?? tf.backend().epsilon();
    this.acc1 = Math.fround(beta1);
    this.acc2 = Math.fround(beta2);
  }

  applyGradients(grads: tf.NamedTensorMap): void {
    const f = Math.fround;
    const attrs: AdamAttrs = {
      b1: f(this.beta1),
      omb1: f(1 - this.beta1),
      b2: f(this.beta2),
      omb2: f(1 - this.beta2),
      c1: f(1 - this.acc1),
      c2: f(1 - this.acc2),
      eps: f(this.epsilon),
      nlr: f(-this.learningRate),
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
    this.acc1 = f(this.acc1 * attrs.b1);
    this.acc2 = f(this.acc2 * attrs.b2);
  }

  dispose(): void {
    for (const { m, v } of this.slots.values()) tf.dispose([m, v]);
    this.slots.clear();
  }
}
