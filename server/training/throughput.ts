// Throughput of runs sharing worker slots, from their progress reports (bench:train). Pure.

/** A progress series: [seconds, iteration] pairs in time order. */
export type ProgressSeries = [number, number][];

/** A run's iteration count at time t (s), linear between its progress reports; 0 before the first. */
export function iterationAt(samples: ProgressSeries, t: number): number {
  if (samples.length === 0 || t < samples[0][0]) return 0;
  if (samples.length === 1) return samples[0][1];
  for (let i = 1; i < samples.length; i++) {
    const [t1, i1] = samples[i];
    if (t <= t1) {
      const [t0, i0] = samples[i - 1];
      return i0 + ((i1 - i0) * (t - t0)) / (t1 - t0 || 1);
    }
  }
  return samples[samples.length - 1][1];
}

/**
 * Steady-state throughput: the busy interval starts when the maxRuns-th run reports its first progress
 * and ends when the maxRuns-th latest run reports its last (after that a slot idles for lack of work).
 */
export function steadyThroughput(series: ProgressSeries[], slots: number): { itPerSec: number; from: number; to: number } {
  const live = series.filter((s) => s.length > 1);
  const k = Math.min(slots, live.length);
  if (k === 0) return { itPerSec: 0, from: 0, to: 0 };
  const starts = live.map((s) => s[0][0]).sort((a, b) => a - b);
  const ends = live.map((s) => s[s.length - 1][0]).sort((a, b) => b - a);
  const from = starts[k - 1], to = ends[k - 1];
  if (!(to > from)) return { itPerSec: 0, from, to };
  const its = live.reduce((sum, s) => sum + iterationAt(s, to) - iterationAt(s, from), 0);
  return { itPerSec: its / (to - from), from, to };
}
