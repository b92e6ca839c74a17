// Faster BatchMatMul for the wasm backend. tfjs-wasm's matmul runs ~42 GFLOP/s untransposed but
// only ~1.4-3.5 GFLOP/s when an operand is transposed — and every dense layer's backward pass
// multiplies by a transposed operand. We re-register the kernel so that a transposed operand is
// first transposed explicitly (wasm Transpose kernel) and the stock kernel runs its fast
// untransposed path. Results are bit-identical; the intermediate is freed before returning.
import * as tf from '@tensorflow/tfjs-core';

const KERNEL = 'BatchMatMul';
const BACKEND = 'wasm';

interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * Below this many multiply-adds (batch*m*k*n) the stock transposed path is already cheap and the
 * extra Transpose call costs more than it saves (measured on the 2-16-16-2 net), so we leave it.
 */
export const FAST_MIN_MACS = 32_768;

let stock: tf.KernelConfig | null = null;

/** The kernel config tfjs-wasm registered, before we replaced it (null if not installed). */
export function stockWasmMatMul(): tf.KernelConfig | null {
  return stock;
}

export function isFastWasmMatMulInstalled(): boolean {
  return stock !== null;
}

/** Swap the last two axes of `x` with the wasm Transpose kernel (untracked: caller disposes). */
function transposeLast2(transpose: tf.KernelConfig, x: TensorInfoLike, backend: unknown): TensorInfoLike {
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } } as never) as TensorInfoLike;
}

/** Multiply-adds of a (possibly batched, broadcast) matmul: batch * m * k * n. */
function macs(a: number[], b: number[], transposeB: boolean): number {
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const batch = Math.max(size(a.slice(0, -2)), size(b.slice(0, -2)));
  const n = transposeB ? b[b.length - 2] : b[b.length - 1];
  return batch * a[a.length - 2] * a[a.length - 1] * n;
}

/**
 * Replace the wasm BatchMatMul kernel (idempotent). Needs @tensorflow/tfjs-backend-wasm imported
 * (it registers its kernels on import). Returns false when the wasm kernels are not registered.
 */
export function installFastWasmMatMul(): boolean {
  if (stock) return true;
  const original = tf.getKernel(KERNEL, BACKEND);
  const transpose = tf.getKernel('Transpose', BACKEND);
  if (!original || !transpose) return false;
  const fast: tf.KernelFunc = (args) => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
    const inputs = args.inputs as unknown as { a: TensorInfoLike; b: TensorInfoLike };
    if (macs(inputs.a.shape, inputs.b.shape, attrs.transposeB) < FAST_MIN_MACS) return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const temps: TensorInfoLike[] = [];
    try {
      const a = attrs.transposeA ? transposeLast2(transpose, inputs.a, backend) : inputs.a;
      if (a !== inputs.a) temps.push(a);
      const b = attrs.transposeB ? transposeLast2(transpose, inputs.b, backend) : inputs.b;
      if (b !== inputs.b) temps.push(b);
      return original.kernelFunc({
        ...args,
        inputs: { a, b } as unknown as tf.NamedTensorInfoMap,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  tf.unregisterKernel(KERNEL, BACKEND);
  // Keep setupFunc: it binds the wasm function the original kernelFunc calls, should the backend be re-created.
  tf.registerKernel({ kernelName: KERNEL, backendName: BACKEND, kernelFunc: fast, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc });
  stock = original;
  return true;
}

/** Put the stock kernel back (tests compare both). */
export function uninstallFastWasmMatMul(): void {
  if (!stock) return;
  tf.unregisterKernel(KERNEL, BACKEND);
  tf.registerKernel(stock);
  stock = null;
}
