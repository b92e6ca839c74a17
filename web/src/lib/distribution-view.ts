// Pure data for the DISTRIBUTIONS charts: TensorBoard's nine basis-point bands over steps, computed with
// the same compressHistogram the server uses, plus which bands are filled against which.
import { BASIS_POINTS, compressHistogram } from '../../../shared/histogram.ts';
import type { HistogramTuple } from '../../../shared/types.ts';

export interface DistributionSeries {
  steps: number[];
  wallTimes: number[];
  /** bands[k][i] = value at BASIS_POINTS[k] for steps[i]; k = 0 (min) .. 8 (max). */
  bands: number[][];
}

export function distributionSeries(hists: readonly HistogramTuple[]): DistributionSeries {
  const sorted = [...hists].sort((a, b) => a[1] - b[1]);
  const bands: number[][] = BASIS_POINTS.map(() => []);
  const steps: number[] = [];
  const wallTimes: number[] = [];
  for (const [wallTime, step, buckets] of sorted) {
    if (!buckets.length) continue;
    const values = compressHistogram(buckets, BASIS_POINTS);
    steps.push(step);
    wallTimes.push(wallTime);
    values.forEach(([, v], k) => bands[k].push(v));
  }
  return { steps, wallTimes, bands };
}

/** Band k is filled down to band `fillTo`; inner pairs are drawn more opaque (they stack toward the median). */
export interface BandStyle {
  index: number;
  label: string;
  /** Dataset index to fill to, or false (lower halves and the median line). */
  fillTo: number | false;
  fillAlpha: number;
  lineAlpha: number;
}

const MEDIAN = 4;

/** Human label of a basis point: min / max / median / a percentile. */
export function basisPointLabel(bp: number): string {
  if (bp === 0) return 'min';
  if (bp === 10000) return 'max';
  if (bp === 5000) return 'median';
  return `${(bp / 100).toFixed(1).replace(/\.0$/, '')}%`;
}

export function bandStyles(): BandStyle[] {
  return BASIS_POINTS.map((bp, k) => {
    const fromMedian = Math.abs(k - MEDIAN); // 4 = outermost (min/max) .. 0 = median
    return {
      index: k,
      label: basisPointLabel(bp),
      fillTo: k > MEDIAN ? BASIS_POINTS.length - 1 - k : false,
      // Each pair adds 0.12; where all four overlap (around the median) the shade is darkest.
      fillAlpha: k > MEDIAN ? 0.12 : 0,
      lineAlpha: k === MEDIAN ? 1 : 0.15 + 0.1 * (4 - fromMedian),
    };
  });
}
