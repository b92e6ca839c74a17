// Picks and initialises the tfjs backend for this thread (each worker calls it once).
// Only @tensorflow/tfjs-core/-layers are imported statically; tfjs-node(-gpu) are optional and
// imported dynamically only when installed (never listed in package.json).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers all gradient functions (in tfjs's global registry) on import; the deep
// '@tensorflow/tfjs-core/dist/register_all_gradients' path would load tfjs-core's ESM build as a 2nd copy.
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendName } from '../../shared/types.ts';
import { installFastWasmMatMul } from './wasm-matmul.ts';
import { importPackage } from '../dynamic-import.ts';

const require = createRequire(import.meta.url);

const NATIVE_PACKAGES: Record<'gpu' | 'node', string> = {
  gpu: '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

/** tfjs backend names (as registered with tfjs-core) for ours. */
const TF_NAME: Record<BackendName, string> = { gpu: 'tensorflow', node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

let current: BackendName | null = null;

/** The backend initBackend settled on, or null before. */
export function currentBackend(): BackendName | null {
  return current;
}

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

async function tryNative(which: 'gpu' | 'node'): Promise<void> {
  const pkg = NATIVE_PACKAGES[which];
  if (!installed(pkg)) {
    throw new Error(`backend "${which}" needs ${pkg}, which is not installed: npm install ${pkg} (it must match @tensorflow/tfjs-core ${tf.version_core})`);
  }
  try {
    await importPackage(pkg);
  } catch (err) {
    throw new Error(`backend "${which}": importing ${pkg} failed: ${(err as Error).message}`);
  }
  // tfjs-node registers "tensorflow" on the tfjs-core it loads; that is ours only if versions deduped.
  if (!(await tf.setBackend('tensorflow'))) {
    throw new Error(
      `backend "${which}": ${pkg} did not register a "tensorflow" backend on our @tensorflow/tfjs-core ${tf.version_core} ` +
        `(it probably bundles another tfjs-core version); install a ${pkg} version matching ${tf.version_core}`,
    );
  }
}

let wasmPathsSet = false;
async function tryWasm(): Promise<void> {
  if (!wasmPathsSet) {
    // Point at the package's dist folder explicitly: robust when bundled or run from another cwd.
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    setWasmPaths(dist + path.sep);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend('wasm'))) {
    throw new Error('backend "wasm": @tensorflow/tfjs-backend-wasm failed to initialise (see the warning above)');
  }
  installFastWasmMatMul();
}

async function tryCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('backend "cpu": @tensorflow/tfjs-backend-cpu failed to initialise');
}

async function tryOne(name: BackendName): Promise<void> {
  if (name === 'gpu' || name === 'node') return tryNative(name);
  if (name === 'wasm') return tryWasm();
  return tryCpu();
}

/**
 * Select the backend. 'auto' tries gpu, node (only when installed), wasm, cpu in that order.
 * An explicit choice that can't be used throws an Error naming the package to install.
 */
export async function initBackend(choice: BackendChoice): Promise<BackendName> {
  if (current && (choice === 'auto' || choice === current) && tf.getBackend() === TF_NAME[current]) return current;
  // Production mode skips tfjs's per-op debug checks (faster); NaN checks are ours.
  tf.enableProdMode();
  if (choice !== 'auto') {
    await tryOne(choice);
    current = choice;
    return choice;
  }
  const errors: string[] = [];
  for (const name of ['gpu', 'node', 'wasm', 'cpu'] as const) {
    if ((name === 'gpu' || name === 'node') && !installed(NATIVE_PACKAGES[name])) continue;
    try {
      await tryOne(name);
      current = name;
      return name;
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  throw new Error(`no usable tfjs backend: ${errors.join('; ')}`);
}
