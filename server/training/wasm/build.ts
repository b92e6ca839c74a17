// Compiles kernels.wat to kernels.wasm (npm run build:wasm). Development only: wabt is a devDependency
// and nothing at run time imports this file; the server loads the committed kernels.wasm.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

export const WAT_PATH = fileURLToPath(new URL('./kernels.wat', import.meta.url));
export const WASM_PATH = fileURLToPath(new URL('./kernels.wasm', import.meta.url));

/** The binary module for kernels.wat (deterministic: no names section, so the bytes depend only on the code). */
export async function compileKernels(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('kernels.wat', readFileSync(WAT_PATH, 'utf8'), { simd: true });
  try {
    mod.validate();
    return new Uint8Array(mod.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await compileKernels();
  writeFileSync(WASM_PATH, bytes);
  console.log(`wrote ${WASM_PATH} (${bytes.length} bytes)`);
}
