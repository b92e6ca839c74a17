// Starting training worker threads that run TypeScript (server/training/worker.ts) through tsx,
// from any context: `node --import tsx`, bin/trainscope.mjs (tsx register() API), vitest.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BUNDLE_DIR, workerEntryUrl } from '../worker-entry.ts';
import type { WorkerInit } from './worker-protocol.ts';

const WORKER_URL = workerEntryUrl(new URL('./worker.ts', import.meta.url), 'training-worker');

let tsxPreload: string | undefined;
/**
 * A preload (data: URL module) that registers tsx in a worker through tsx's register() API, so workers
 * load TypeScript from any cwd (CLI, vitest, server). `--import tsx` itself does not work here: tsx's
 * loader entry only registers its hooks on the main thread (Node 20 workers do not inherit hooks).
 */
export function tsxPreloadUrl(): string {
  if (tsxPreload) return tsxPreload;
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    // Without import.meta.resolve: tsx's published exports map, read from its package.json.
    const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
    const entry = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']
      .import.default;
    api = pathToFileURL(path.join(path.dirname(pkgFile), entry)).href;
  }
  tsxPreload = 'data:text/javascript,' + encodeURIComponent(`import { register } from ${JSON.stringify(api)}; register();`);
  return tsxPreload;
}

/** What a worker needs preloaded: tsx for the TypeScript sources, nothing from the bundle. */
export function workerPreload(): string[] {
  return BUNDLE_DIR ? [] : ['--import', tsxPreloadUrl()];
}

/**
 * A worker thread on `url` with workerExecArgv(); when Node refuses those flags for a worker, with just
 * the preload (the load and export pools).
 */
export function startWorker(url: URL): Worker {
  try {
    return new Worker(url, { execArgv: workerExecArgv() });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(url, { execArgv: workerPreload() });
  }
}

/**
 * execArgv for training workers: the parent's flags minus those that would break or duplicate in a
 * worker (tsx loaders — we add our own —, vitest's --conditions, inspector flags), plus the tsx preload
 * (none when `preload` is null: the server runs from its bundle).
 */
export function workerExecArgv(
  parent: readonly string[] = process.execArgv,
  preload: string | null = BUNDLE_DIR ? null : tsxPreloadUrl(),
): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const a = parent[i];
    if (a === '--conditions' || a === '-C') {
      i++;
      continue;
    }
    if (a.startsWith('--conditions=') || a.startsWith('--inspect') || a.startsWith('--debug')) continue;
    if (a === '--import' || a === '--loader' || a === '--experimental-loader') {
      const v = parent[i + 1] ?? '';
      i++;
      if (!v.includes('tsx')) out.push(a, v);
      continue;
    }
    if (/^--(import|loader|experimental-loader)=.*tsx/.test(a)) continue;
    out.push(a);
  }
  if (preload !== null) out.push('--import', preload);
  return out;
}

/**
 * A training thread's young generation, in MB. Left to V8, each thread's semi-spaces grow to 16 MB under
 * tfjs' churn of small tensor objects and shrink again at random, so ten runs' RSS swung by ~300 MB with
 * nobody connected (bench/soak.ts); 16 MB in all keeps the swing small. (6 MB flattened it further but cost
 * ~20 % of training iterations per CPU-second in bench:train's sweep.)
 */
export const TRAINING_YOUNG_GEN_MB = 16;

/** A worker running worker.ts with `init` as workerData. */
export function spawnTrainingWorker(init: WorkerInit): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: TRAINING_YOUNG_GEN_MB };
  try {
    return new Worker(WORKER_URL, { execArgv: workerExecArgv(), workerData: init, resourceLimits });
  } catch (err) {
    // Some inherited flag is not allowed in workers: fall back to the tsx preload alone.
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(WORKER_URL, { execArgv: workerPreload(), workerData: init, resourceLimits });
  }
}
