import { describe, expect, it } from 'vitest';
import { BASIS_POINTS, compressHistogram } from '../../shared/histogram.ts';
import type { Bucket, HistogramTuple } from '../../shared/types.ts';
import { bandStyles, basisPointLabel, distributionSeries } from '../../web/src/lib/distribution-view.ts';

// 100 values: 10 in [0,1), 40 in [1,2), 40 in [2,3), 10 in [3,4).
const buckets: Bucket[] = [
  [0, 1, 10],
  [1, 2, 40],
  [2, 3, 40],
  [3, 4, 10],
];

describe('distribution bands', () => {
  it('hand-computed: the median of a symmetric set is its centre, min/max are the outer edges', () => {
    const series = distributionSeries([[1, 5, buckets]]);
    expect(series.steps).toEqual([5]);
    const at = (k: number): number => series.bands[k][0];
    expect(at(0)).toBe(0);
    expect(at(8)).toBe(4);
    expect(at(4)).toBeCloseTo(2);
    // 1587 bp: cumulative weight 1000 after [0,1), the rest in [1,2) at 4000 bp per unit
    expect(at(2)).toBeCloseTo(1 + (1587 - 1000) / 4000);
    // 668 bp lies in the first bucket
    expect(at(1)).toBeCloseTo(0.668);
    // symmetric around 2
    for (let k = 0; k < 4; k++) expect(at(k) + at(8 - k)).toBeCloseTo(4);
  });

  it('equals compressHistogram for every step and is ordered min..max', () => {
    const skewed: Bucket[] = [
      [-3, -1, 2],
      [-1, -0.1, 7],
      [-0.1, 0.1, 30],
      [0.5, 2, 11],
    ];
    const hists: HistogramTuple[] = [
      [3, 30, skewed],
      [1, 10, buckets],
      [2, 20, [[-1, 1, 5]]],
    ];
    const s = distributionSeries(hists);
    expect(s.steps).toEqual([10, 20, 30]);
    expect(s.wallTimes).toEqual([1, 2, 3]);
    expect(s.bands).toHaveLength(9);
    const sorted = [...hists].sort((a, b) => a[1] - b[1]);
    sorted.forEach(([, , b], i) => {
      const expected = compressHistogram(b);
      expect(expected.map(([bp]) => bp)).toEqual([...BASIS_POINTS]);
      expected.forEach(([, v], k) => expect(s.bands[k][i]).toBe(v));
      for (let k = 1; k < 9; k++) expect(s.bands[k][i]).toBeGreaterThanOrEqual(s.bands[k - 1][i]);
    });
  });

  it('skips empty histograms', () => {
    expect(distributionSeries([[0, 1, []]]).steps).toEqual([]);
  });

  it('fills each upper band to its symmetric lower band, median drawn as a line', () => {
    const styles = bandStyles();
    expect(styles.map((s) => s.fillTo)).toEqual([false, false, false, false, false, 3, 2, 1, 0]);
    expect(styles[4].label).toBe('median');
    expect(styles[4].lineAlpha).toBe(1);
    expect(styles.map((s) => s.label)).toEqual(['min', '6.7%', '15.9%', '30.9%', 'median', '69.2%', '84.1%', '93.3%', 'max']);
    // line opacity increases toward the median
    for (let k = 1; k <= 4; k++) expect(styles[k].lineAlpha).toBeGreaterThan(styles[k - 1].lineAlpha);
    expect(basisPointLabel(5000)).toBe('median');
  });
});
