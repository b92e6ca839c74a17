// How many samples per tag the store keeps, per plugin (TensorBoard's --samples_per_plugin).

export interface SampleLimits {
  scalars: number;
  histograms: number;
  images: number;
  audio: number;
  text: number;
  pr_curves: number;
  /** Any other tensor summary (TensorBoard's "tensors" default). */
  tensors: number;
  /** Limits given for other plugin names (hparams, mesh, custom_scalars, a third-party plugin...). */
  other: Record<string, number>;
}

/**
 * Infinity = keep everything. Images and audio count steps (all samples logged at one step stay together).
 * TensorBoard's defaults (scalars 1000, images 10, audio 10, histograms 500, pr_curves 100, others 10),
 * except scalars: a live dashboard keeps far more points per curve (100 000) before sampling.
 */
export const DEFAULT_LIMITS: SampleLimits = {
  scalars: 100_000,
  histograms: 500,
  images: 10,
  audio: 10,
  text: 100, // the text plugin's own default (100 a series), not the generic 10
  pr_curves: 100,
  tensors: 10,
  other: {},
};

const KEYS = ['scalars', 'histograms', 'images', 'audio', 'text', 'pr_curves', 'tensors'] as const;
type Key = (typeof KEYS)[number];
const isKey = (k: string): k is Key => (KEYS as readonly string[]).includes(k);

/** The limit for a plugin's series: its own, one given for it by name, else the "tensors" limit. */
export function limitFor(limits: SampleLimits, plugin: string): number {
  if (isKey(plugin)) return limits[plugin];
  return Object.prototype.hasOwnProperty.call(limits.other, plugin) ? limits.other[plugin] : limits.tensors;
}

/**
 * Parse "scalars=N,histograms=N,images=all,text=5,my_plugin=3" (any plugin name, any subset, any order;
 * unspecified keep their default). "all" or 0 keeps everything (0 as TensorBoard). Throws an Error naming
 * the bad part.
 */
export function parseSamplesPerPlugin(s: string): SampleLimits {
  const out: SampleLimits = { ...DEFAULT_LIMITS, other: {} };
  const seen = new Set<string>();
  const text = s.trim();
  if (text === '') return out;
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue; // tolerate a trailing comma
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`--samples_per_plugin: "${part}" is not of the form plugin=N`);
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key) || key === 'other' || key === '__proto__') {
      throw new Error(`--samples_per_plugin: "${key}" is not a plugin name (letters, digits, _ . -)`);
    }
    if (seen.has(key)) throw new Error(`--samples_per_plugin: "${key}" given twice`);
    seen.add(key);
    let n: number;
    if (val.toLowerCase() === 'all') n = Infinity;
    else if (/^\d+$/.test(val)) {
      n = Number(val);
      if (!Number.isSafeInteger(n)) throw new Error(`--samples_per_plugin: ${key}=${val} is too large`);
      if (n === 0) n = Infinity;
    } else {
      throw new Error(`--samples_per_plugin: ${key}=${val}: expected a non-negative integer or "all"`);
    }
    if (isKey(key)) out[key] = n;
    else out.other[key] = n;
  }
  return out;
}
