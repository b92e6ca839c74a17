// The forward pass of a plain MLP on our own wasm kernels (wasm/kernels.wat), for summaries only: the
// probe batch's activations and the decision-boundary grid's probabilities. Through tfjs that pass is
// 6-8 kernel calls of fixed cost and, for tanh, sigmoid and the like, tfjs-wasm's scalar libm (about 30 ns a
// value): for a 2-16-16-2 net it cost as much as half a training iteration. Here it is two or three calls
// a layer on buffers allocated once, the inputs (fixed for a run) and relu's outputs are stored as
// compressed rows, so MNIST's zero pixels (about 80%) and relu's zeros cost nothing, and the activations
// are SIMD polynomials.
// Numbers agree with tfjs' to float rounding (sums in another order, exp and tanh by polynomials);
// training itself never uses them.
import type { Activation } from '../../shared/types.ts';
import { LEAKY_RELU_ALPHA } from './activations.ts';
import type { Mlp } from './model.ts';
import { heapOffset, kernelsFor, wasmHeap, type WasmKernels } from './wasm-kernels.ts';

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
  /**
   * For each hidden layer whose activation is seldom exactly 0 (all but relu), its output as compressed
   * rows that list every column (built once): the next layer reads it as it is, without a to_csr pass.
   */
  dense: (Csr | null)[];
}

/** The activation code whose outputs are mostly zeros (kernels.wat's $act4: relu); others are dense. */
const SPARSE_CODE = 1;

export interface HostForward {
  /**
   * Each weight layer's activations on fixed input `i` (the last layer's: its softmax probabilities),
   * row-major [rows, units], as views of wasm memory: on tfjs-wasm's heap, valid until the next tfjs
   * allocation; else until the next run.
   */
  run(i: number): Float32Array[];
  /** Frees the buffers (a worker trains many runs on one tfjs heap). */
  dispose(): void;
}

/** Floats of room past n that activate/softmax may touch (they work four at a time). */
const PAD = 4;

/**
 * Where the pass runs. On tfjs-wasm, on its heap: the weights are read where they are. On other backends,
 * in a memory of our own, the weights copied in at each run (a pass every 10 iterations: the copy is
 * small next to it, and tfjs-cpu's ops cost a 2-16-16-2 net ~0.2 ms a pass).
 */
interface Place {
  memory: WebAssembly.Memory;
  kernels: WasmKernels;
  /** Byte offset of a block of `bytes` (8-aligned). */
  alloc(bytes: number): number;
  /** Byte offsets of layer l's kernel and bias for the kernels, after copying them in if needed. */
  weights(l: number): [number, number];
  dispose(): void;
}

function onTfjsHeap(mlp: Mlp): Place | null {
  const heap = wasmHeap();
  if (!heap) return null;
  const blocks: number[] = [];
  return {
    memory: heap.memory,
    kernels: heap.kernels,
    alloc(bytes) {
      const p = heap.malloc(bytes);
      if (!p) throw new Error('host forward pass: wasm malloc failed');
      blocks.push(p);
      return p;
    },
    weights: (l) => [heapOffset(mlp.weightLayers[l].kernel), heapOffset(mlp.weightLayers[l].bias)],
    dispose: () => blocks.splice(0).forEach((p) => heap.free(p)),
  };
}

function ownMemory(mlp: Mlp, bytes: number): Place | null {
  const layers = mlp.weightLayers;
  const round8 = (n: number) => Math.ceil(n / 8) * 8;
  // Laid out from 8: each layer's kernel and bias, then the caller's block of `bytes`.
  const weightBytes = layers.reduce((sum, w) => sum + round8(4 * w.kernel.size + 16) + round8(4 * w.bias.size + 16), 0);
  let memory: WebAssembly.Memory;
  let kernels: WasmKernels;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil((8 + weightBytes + round8(bytes)) / 65536) });
    kernels = kernelsFor(memory);
  } catch {
    return null; // no wasm SIMD here: the tfjs pass
  }
  let top = 8;
  const alloc = (n: number) => {
    const at = top;
    top += round8(n);
    if (top > memory.buffer.byteLength) throw new Error('host forward pass: own memory too small');
    return at;
  };
  const slots = layers.map((w) => [alloc(4 * w.kernel.size + 16), alloc(4 * w.bias.size + 16)] as [number, number]);
  return {
    memory,
    kernels,
    alloc,
    weights(l) {
      const [k, b] = slots[l];
      new Float32Array(memory.buffer, k, layers[l].kernel.size).set(layers[l].kernel.dataSync());
      new Float32Array(memory.buffer, b, layers[l].bias.size).set(layers[l].bias.dataSync());
      return slots[l];
    },
    dispose: () => undefined,
  };
}

/**
 * A host-side forward pass over fixed inputs (each [rows, inputDim], row-major), or null for a model the
 * kernels don't cover (batch norm, dropout, prelu, maxout, softplus) or a runtime without wasm SIMD.
 * Allocates its buffers now: on wasm, call it before taking any heap view (an allocation may grow the heap).
 */
export function hostForward(
  mlp: Mlp,
  spec: { activation: Activation; batchNorm: boolean; dropout: number },
  inputs: readonly { data: Float32Array; rows: number }[],
): HostForward | null {
  const code = ACTIVATION_CODES[spec.activation];
  if (code === undefined || spec.batchNorm || spec.dropout > 0) return null;
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
  const plan = inputs.map((x) => {
    const outputs = widths.map((u) => take(x.rows * u + PAD));
    return {
      rows: x.rows,
      csr: { rowPtr: take(x.rows + 1), colIdx: take(x.rows * inDim), vals: take(x.rows * inDim) },
      outputs,
      dense: widths.map((u, l) =>
        l < widths.length - 1 && code !== SPARSE_CODE ? { rowPtr: take(x.rows + 1), colIdx: take(x.rows * u), vals: outputs[l] } : null,
      ),
    };
  });
  const scratch: Csr = { rowPtr: take(maxRows + 1), colIdx: take(maxRows * maxHidden), vals: take(maxRows * maxHidden) };
  const staging = take(maxRows * maxIn);

  const place = onTfjsHeap(mlp) ?? ownMemory(mlp, bytes);
  if (!place) return null;
  const { memory, kernels } = place;
  const base = place.alloc(bytes);
  const at = (off: number) => base + off;
  const rebase = (c: Csr): Csr => ({ rowPtr: at(c.rowPtr), colIdx: at(c.colIdx), vals: at(c.vals) });
  const fixed: Input[] = plan.map((p) => ({
    rows: p.rows,
    csr: rebase(p.csr),
    outputs: p.outputs.map(at),
    dense: p.dense.map((d) => d && rebase(d)),
  }));
  const hidden = rebase(scratch);

  inputs.forEach((x, i) => {
    new Float32Array(memory.buffer, at(staging), x.data.length).set(x.data);
    kernels.to_csr(at(staging), x.rows, inDim, fixed[i].csr.rowPtr, fixed[i].csr.colIdx, fixed[i].csr.vals);
    fixed[i].dense.forEach((d, l) => {
      if (!d) return;
      const units = widths[l];
      new Int32Array(memory.buffer, d.rowPtr, x.rows + 1).forEach((_, r, a) => (a[r] = r * units));
      new Int32Array(memory.buffer, d.colIdx, x.rows * units).forEach((_, j, a) => (a[j] = j % units));
    });
  });

  return {
    run(i: number): Float32Array[] {
      const x = fixed[i];
      if (!x) throw new Error(`host forward pass: no input ${i}`);
      forward(kernels, mlp, code, x, hidden, place.weights);
      const buf = memory.buffer;
      return x.outputs.map((o, l) => new Float32Array(buf, o, x.rows * widths[l]));
    },
    dispose: () => place.dispose(),
  };
}

function forward(k: WasmKernels, mlp: Mlp, code: number, x: Input, hidden: Csr, weights: Place['weights']): void {
  const layers = mlp.weightLayers;
  let csr = x.csr;
  for (let l = 0; l < layers.length; l++) {
    const units = layers[l].units;
    const out = x.outputs[l];
    const [kernel, bias] = weights(l);
    k.dense_csr(csr.rowPtr, csr.colIdx, csr.vals, x.rows, kernel, bias, units, out);
    if (l === layers.length - 1) {
      k.softmax(out, x.rows, units);
      break;
    }
    k.activate(out, x.rows * units, code, LEAKY_RELU_ALPHA);
    const dense = x.dense[l];
    if (dense) {
      csr = dense;
    } else {
      k.to_csr(out, x.rows, units, hidden.rowPtr, hidden.colIdx, hidden.vals);
      csr = hidden;
    }
  }
}
