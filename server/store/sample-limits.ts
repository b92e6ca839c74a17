// How many samples per tag the store keeps, per plugin (TensorBoard's --samples_per_plugin).

export interface SampleLimits {
  scalars: number;
  histograms: number;
  images: number;
  /** Unset = TensorBoard's defaults (PLUGIN_SAMPLE_DEFAULTS in plugin-series.ts). */
  text?: number;
  audio?: number;
  pr_curves?: number;
}

/** Infinity = keep everything. Images count steps (all samples logged at one step stay together). */
export const DEFAULT_LIMITS: SampleLimits = { scalars: 100_000, histograms: 500, images: 10 };

const KEYS = ['scalars', 'histograms', 'images', 'text', 'audio', 'pr_curves'] as const;

/**
 * Parse "scalars=N,histograms=N,images=all" (any subset, any order; unspecified keep their default).
 * "all" or 0 keeps everything (0 as TensorBoard). Throws an Error naming the bad part.
 */
export function parseSamplesPerPlugin(s: string): SampleLimits {
  const out: SampleLimits = { ...DEFAULT_LIMITS };
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
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new Error(`--samples_per_plugin: unknown plugin "${key}" (expected one of ${KEYS.join(', ')})`);
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
    out[key as (typeof KEYS)[number]] = n;
  }
  return out;
}
