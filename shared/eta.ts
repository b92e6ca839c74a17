// Time-left estimate of a run from wall-clock progress: remaining iterations / the rate over a recent
// window. Wall clock counts everything a run spends time on (pacing, validation, summaries, images),
// which a per-iteration compute time misses. The window is at most half the elapsed time, so a slow
// start (backend warm-up, dataset loading, a paused process) stops weighing once the run is under way.

/** One observation: `t` seconds (any origin, increasing) when `done` iterations were complete. */
export interface ProgressSample {
  t: number;
  done: number;
}

export interface EtaOptions {
  /** Longest window the rate is measured over (seconds). */
  maxWindowSec?: number;
  /** Shortest span worth a rate (seconds): below it there is no estimate yet. */
  minSpanSec?: number;
}

const MAX_WINDOW_SEC = 30;
const MIN_SPAN_SEC = 0.5;

/**
 * Seconds left until `total` iterations are done, from samples in time order; null while there is too
 * little to go on (under `minSpanSec` of progress, or no iteration in the window).
 */
export function estimateEtaSec(samples: readonly ProgressSample[], total: number, opts: EtaOptions = {}): number | null {
  const n = samples.length;
  if (n < 2) return null;
  const last = samples[n - 1];
  if (last.done >= total) return 0;
  const first = samples[0];
  const elapsed = last.t - first.t;
  const minSpan = opts.minSpanSec ?? MIN_SPAN_SEC;
  if (!(elapsed >= minSpan)) return null;
  const window = Math.max(minSpan, Math.min(opts.maxWindowSec ?? MAX_WINDOW_SEC, elapsed / 2));
  // Oldest sample inside the window (the window is at least minSpan, so it is not `last` itself).
  let i = n - 2;
  while (i > 0 && last.t - samples[i - 1].t <= window) i--;
  const from = samples[i];
  const span = last.t - from.t;
  const rate = span > 0 ? (last.done - from.done) / span : 0;
  if (!(rate > 0)) return null;
  return (total - last.done) / rate;
}

/**
 * Keeps the samples estimateEtaSec needs, bounded: at most one per `resolutionSec`, none older than
 * the longest window (plus the first, which measures elapsed time).
 */
export class EtaTracker {
  private samples: ProgressSample[] = [];
  constructor(
    private readonly total: number,
    private readonly opts: EtaOptions & { resolutionSec?: number } = {},
  ) {}

  /** Records progress at time `t` (seconds) and returns the current estimate. */
  update(t: number, done: number): number | null {
    const s = this.samples;
    const res = this.opts.resolutionSec ?? 0.1;
    if (s.length >= 2 && t - s[s.length - 2].t < res) s[s.length - 1] = { t, done };
    else s.push({ t, done });
    // Drop samples older than the longest window, keeping the first (elapsed time) and one before the window.
    const maxWindow = this.opts.maxWindowSec ?? MAX_WINDOW_SEC;
    let drop = 0;
    while (s.length - drop > 3 && t - s[drop + 2].t > maxWindow) drop++;
    if (drop > 0) s.splice(1, drop);
    return estimateEtaSec(s, this.total, this.opts);
  }

  get size(): number {
    return this.samples.length;
  }
}
