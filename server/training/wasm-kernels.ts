// Loads our own SIMD kernels (wasm/kernels.wat, committed compiled as wasm/kernels.wasm) into the running
// tfjs-wasm backend: the module imports the backend's WebAssembly.Memory, so a kernel works on tensors
// where they live, addressed by their byte offset in that heap.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

export interface WasmKernels {
  adam(
    x: number, g: number, m: number, v: number, y: number, n: number,
    b1: number, omb1: number, b2: number, omb2: number, c1: number, c2: number, eps: number, nlr: number,
  ): void;
  histogram(p: number, n: number, table: number, limits: number, counts: number, out: number, outLimits: number, outCounts: number, shift: number): void;
  act_stats(p: number, rows: number, units: number, below: number, above: number, out: number): void;
  to_csr(x: number, rows: number, cols: number, rowPtr: number, colIdx: number, vals: number): void;
  dense_csr(rowPtr: number, colIdx: number, vals: number, rows: number, w: number, b: number, out: number, y: number): void;
  activate(p: number, n: number, code: number, alpha: number): void;
  softmax(p: number, rows: number, cols: number): void;
}

interface TensorInfoLike {
  dataId: object;
}
/** The parts of tfjs-wasm's BackendWasm we use: its emscripten module and the tensor offsets. */
interface WasmBackendLike {
  wasm: { asm?: { memory?: WebAssembly.Memory }; _malloc?(bytes: number): number; _free?(ptr: number): void } | null;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

const WASM_URL = new URL('./wasm/kernels.wasm', import.meta.url);

let compiled: WebAssembly.Module | null = null;
/** Instances per backend memory (a re-created backend has a new memory). */
const instances = new WeakMap<WebAssembly.Memory, WasmKernels>();

function backendMemory(backend: WasmBackendLike): WebAssembly.Memory {
  const memory = backend.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('tfjs-wasm backend does not expose its WebAssembly.Memory');
  return memory;
}

/** Our kernels bound to `memory` (instances are cached per memory); throws where wasm SIMD is missing. */
export function kernelsFor(memory: WebAssembly.Memory): WasmKernels {
  let k = instances.get(memory);
  if (!k) {
    compiled ??= new WebAssembly.Module(readFileSync(WASM_URL));
    k = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as WasmKernels;
    instances.set(memory, k);
  }
  return k;
}

/**
 * Our kernels bound to the current tfjs-wasm backend's heap, or null when the backend is not wasm or this
 * runtime cannot run them (no wasm SIMD): callers then use the stock tfjs ops.
 */
export function wasmKernels(): WasmKernels | null {
  if (tf.getBackend() !== 'wasm') return null;
  try {
    return kernelsFor(backendMemory(tf.backend() as unknown as WasmBackendLike));
  } catch {
    return null;
  }
}

/** The current tfjs-wasm heap, our kernels bound to it, and its allocator (null off wasm). */
export function wasmHeap(): {
  memory: WebAssembly.Memory;
  kernels: WasmKernels;
  malloc(bytes: number): number;
  free(ptr: number): void;
} | null {
  const kernels = wasmKernels();
  if (!kernels) return null;
  const mod = (tf.backend() as unknown as WasmBackendLike).wasm!;
  if (typeof mod._malloc !== 'function' || typeof mod._free !== 'function') return null;
  return { memory: backendMemory(tf.backend() as unknown as WasmBackendLike), kernels, malloc: (n) => mod._malloc!(n), free: (p) => mod._free!(p) };
}

/** Byte offset of a tensor's data in the wasm heap (valid until the tensor is disposed). */
export function heapOffset(t: TensorInfoLike): number {
  const data = (tf.backend() as unknown as WasmBackendLike).dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor is not on the wasm backend (disposed?)');
  return data.memoryOffset;
}

/**
 * The tensor's float32 values without a copy where the backend allows it: on wasm a view of the heap, valid
 * only until the next tfjs call that allocates (which may grow and so replace the heap); elsewhere
 * dataSync()'s array.
 */
export function peekFloat32(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`peekFloat32: tensor is ${t.dtype}`);
  if (tf.getBackend() !== 'wasm') return t.dataSync() as Float32Array;
  return (tf.backend() as unknown as { typedArrayFromHeap(t: tf.Tensor): Float32Array }).typedArrayFromHeap(t);
}

/**
 * peekFloat32 with the backend looked up once (a summary step takes a dozen views): on wasm each view is
 * made from the tensor's heap offset directly.
 */
export function float32Peeker(): (t: tf.Tensor) => Float32Array {
  if (tf.getBackend() !== 'wasm') return peekFloat32;
  const memory = backendMemory(tf.backend() as unknown as WasmBackendLike);
  return (t) => {
    if (t.dtype !== 'float32') throw new Error(`float32Peeker: tensor is ${t.dtype}`);
    return new Float32Array(memory.buffer, heapOffset(t), t.size);
  };
}

