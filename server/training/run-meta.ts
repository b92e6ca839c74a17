// Pure helpers about trainer runs: safe run names, free-name picking, hparams and group of a run.
import type { BackendName, TrainSpec } from '../../shared/types.ts';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.+=,@-]*$/;
const MAX_NAME = 512;

/**
 * Run names are relative paths below the logdir, "/"-separated. Each segment: letters, digits and _ . + = , @ -,
 * not starting with "." or "-" (so no "..", no hidden dirs, no option-like names); no absolute paths or backslashes.
 * Returns the normalized name or throws a readable Error.
 */
export function validateRunName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new Error('run name is empty');
  if (name.length > MAX_NAME) throw new Error(`run name is longer than ${MAX_NAME} characters`);
  if (name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name)) {
    throw new Error(`run name "${name}" must be a relative path below the logdir`);
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) throw new Error(`run name "${name}" names the logdir itself`);
  for (const s of segments) {
    if (s === '..') throw new Error(`run name "${name}" must not contain ".."`);
    if (!SEGMENT.test(s)) {
      throw new Error(`run name "${name}": segment "${s}" may use only letters, digits and _ . + = , @ - (not starting with "." or "-")`);
    }
  }
  return segments.join('/');
}

/** True for "", "." and "./": the logdir itself used as the sweep folder. */
export function isRootName(name: string): boolean {
  return name === '' || name === '.' || name === './';
}

/**
 * Picks the first suffix n (none, then -2, -3, ...) for which every name made by make(suffix) is free.
 * Used so a sweep's runs share one suffix (the sweep folder gets it), keeping them side by side.
 */
export function pickFreeNames(make: (suffix: string) => string[], isTaken: (name: string) => boolean, maxTries = 10_000): string[] {
  for (let n = 1; n <= maxTries; n++) {
    const names = make(n === 1 ? '' : `-${n}`);
    if (!names.some(isTaken)) return names;
  }
  throw new Error(`no free run name after ${maxTries} tries (first candidate: ${make('')[0]})`);
}

/**
 * Hyper-parameters of a run as shown to clients: the same keys the trainer writes to the hparams plugin
 * (trainer.ts hparamsFor — kept in step by a test), so live and on-disk views agree. Backend once known.
 */
export function specHparams(spec: TrainSpec, backend: BackendName | null | undefined): Record<string, string | number | boolean> {
  const h: Record<string, string | number | boolean> = {
    dataset: spec.dataset,
    activation: spec.activation,
    layers: spec.layers.join(','),
    optimizer: spec.optimizer,
    learning_rate: spec.learningRate,
    batch_size: spec.batchSize,
    epochs: spec.epochs,
    dropout: spec.dropout,
    batch_norm: spec.batchNorm,
    seed: spec.seed,
  };
  if (backend) h.backend = backend;
  h.samples = spec.samples;
  h.noise = spec.noise;
  return h;
}

/** Sidebar group of a run: its parent directory ("." at the top level). */
export function parentGroup(run: string): string {
  const i = run.lastIndexOf('/');
  return i < 0 ? '.' : run.slice(0, i);
}
