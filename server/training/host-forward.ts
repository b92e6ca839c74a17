// The forward pass of a plain MLP on our own wasm kernels (wasm/kernels.wat), for summaries only: the
// probe batch's activations and the decision-boundary grid's probabilities. Through tfjs that pass is
// 6-8 kernel calls of fixed cost and, for tanh, sigmoid and the like, tfjs-wasm's scalar libm (about 30 ns a
// value): for a 2-16-16-2 net it cost as much as half a training iteration. Here it is three calls a
// layer on buffers allocated once, the inputs (fixed for a run) are stored as compressed rows, so
// MNIST's zero pixels (about 80%) cost nothing, and the activations are SIMD polynomials.
// Numbers agree with tfjs' to float rounding (sums in another order, exp by a polynomial); training
// itself never uses them.
import type { Activation } from '../../shared/types.ts';
import { LEAKY_RELU_ALPHA } from './activations.ts';
import type { Mlp } from './model.ts';
import { heapOffset, wasmHeap, type WasmKernels } from './wasm-kernels.ts';

/** The kernels' activation codes (kernels.wat's $act4). Softplus needs a log: it keeps the tfjs pass. */
export const ACTIVATION_CODES: Partial<Record<Activation, number>> = {
  linear: 0, relu: 1, leaky_relu: 2, sigmoid: 3, tanh: 4, elu: 5, selu: 6, swish: 7, softsign: 8,
};

/** Compressed rows on the heap (kernels.wat's to_csr): row pointers, column indices, values. */
interface Csr {
  rowPtr: number;
  colIdx: number;
  vals: number;
}

interface Input {
  rows: number;
  csr: Csr;
  /** Byte offset of each weight layer's output buffer. */
  outputs: number[];
}

export interface HostForward {
  /**
   * Each weight layer's activations on fixed input `i` (the last layer's: its softmax probabilities),
   * row-major [rows, units], as views of the heap: valid until the next tfjs allocation.
   */
  run(i: number): Float32Array[];
  /** Frees the buffers (a worker trains many runs on one heap). */
  dispose(): void;
}

/** Floats of room past n that activate/softmax may touch (they work four at a time). */
const PAD = 4;

/**
 * A host-side forward pass over fixed inputs (each [rows, inputDim], row-major), or null when it cannot
 * run: not on wasm, or a model the kernels don't cover (batch norm, dropout, prelu, maxout, softplus).
 * Allocates its buffers now: call it before taking any heap view (an allocation may grow the heap).
 */
export function hostForward(
  mlp: Mlp,
  spec: { activation: Activation; batchNorm: boolean; dropout: number },
  inputs: readonly { data: Float32Array; rows: number }[],
): HostForward | null {
  const code = ACTIVATION_CODES[spec.activation];
  if (code === undefined || spec.batchNorm || spec.dropout > 0) return null;
  const heap = wasmHeap();
  if (!heap) return null;
  const { memory, kernels } = heap;
  const layers = mlp.weightLayers;
  const inDim = layers[0].kernel.shape[0];
  const widths = layers.map((w) => w.units);
  const maxRows = Math.max(...inputs.map((x) => x.rows));
  const maxHidden = Math.max(1, ...widths.slice(0, -1));
  const maxIn = Math.max(inDim, maxHidden);
  inputs.forEach((x, i) => {
    if (x.data.length !== x.rows * inDim) throw new Error(`host forward pass: input ${i} has ${x.data.length} values, not ${x.rows} x ${inDim}`);
  });

  // One block: per input its rows and output buffers, then shared scratch (compressed hidden rows and a
  // dense staging area for the inputs).
  let bytes = 0;
  const take = (n: number) => {
    const at = bytes;
    bytes += 4 * n + 16;
    return at;
  };
  const plan = inputs.map((x) => ({
    rows: x.rows,
    csr: { rowPtr: take(x.rows + 1), colIdx: take(x.rows * inDim), vals: take(x.rows * inDim) },
    outputs: widths.map((u) => take(x.rows * u + PAD)),
  }));
  const scratch: Csr = { rowPtr: take(maxRows + 1), colIdx: take(maxRows * maxHidden), vals: take(maxRows * maxHidden) };
  const staging = take(maxRows * maxIn);
  const base = heap.malloc(bytes);
  if (!base) throw new Error('host forward pass: wasm malloc failed');
  const at = (off: number) => base + off;
  const rebase = (c: Csr): Csr => ({ rowPtr: at(c.rowPtr), colIdx: at(c.colIdx), vals: at(c.vals) });
  const fixed: Input[] = plan.map((p) => ({ rows: p.rows, csr: rebase(p.csr), outputs: p.outputs.map(at) }));
  const hidden = rebase(scratch);

  inputs.forEach((x, i) => {
    new Float32Array(memory.buffer, at(staging), x.data.length).set(x.data);
    kernels.to_csr(at(staging), x.rows, inDim, fixed[i].csr.rowPtr, fixed[i].csr.colIdx, fixed[i].csr.vals);
  });

  return {
    run(i: number): Float32Array[] {
      const x = fixed[i];
      if (!x) throw new Error(`host forward pass: no input ${i}`);
      forward(kernels, mlp, code, x, hidden);
      const buf = memory.buffer;
      return x.outputs.map((o, l) => new Float32Array(buf, o, x.rows * widths[l]));
    },
    dispose: () => heap.free(base),
  };
}

function forward(k: WasmKernels, mlp: Mlp, code: number, x: Input, hidden: Csr): void {
  const layers = mlp.weightLayers;
  let csr = x.csr;
  for (let l = 0; l < layers.length; l++) {
    const { kernel, bias, units } = layers[l];
    const out = x.outputs[l];
    k.dense_csr(csr.rowPtr, csr.colIdx, csr.vals, x.rows, heapOffset(kernel), heapOffset(bias), units, out);
    if (l === layers.length - 1) {
      k.softmax(out, x.rows, units);
      break;
    }
    k.activate(out, x.rows * units, code, LEAKY_RELU_ALPHA);
    k.to_csr(out, x.rows, units, hidden.rowPtr, hidden.colIdx, hidden.vals);
    csr = hidden;
  }
}
