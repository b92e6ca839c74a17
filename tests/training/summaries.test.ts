import { describe, expect, it } from 'vitest';
import { activationLimits, deadFraction, l2Norm, layerScalars, saturationFraction, splitFlat } from '../../server/training/summaries.ts';

describe('deadFraction', () => {
  it('counts units that are exactly 0 on every example', () => {
    // 3 examples x 4 units: unit 0 always 0, unit 1 zero once, unit 2 always 0, unit 3 tiny but not 0.
    const acts = [0, 0, 0, 1e-9, 0, 2, 0, 1e-9, 0, 0, 0, 1e-9];
    expect(deadFraction(acts, 4)).toBe(0.5);
  });
  it('is 0 when every unit fires somewhere and 1 when all are zero', () => {
    expect(deadFraction([1, 0, 0, 1], 2)).toBe(0);
    expect(deadFraction(new Float32Array(12), 3)).toBe(1);
  });
  it('treats -0 as zero and negatives as alive', () => {
    expect(deadFraction([-0, -1, -0, 0], 2)).toBe(0.5);
  });
  it('is 0 for no examples', () => {
    expect(deadFraction([], 4)).toBe(0);
  });
});

describe('saturationFraction', () => {
  it('tanh: values within 2% of the (-1, 1) range of a limit', () => {
    // band = 0.04: |a| >= 0.96 saturates
    expect(saturationFraction([0.97, -0.99, 0.5, 0.95, -0.96, 0], activationLimits('tanh'))).toBeCloseTo(3 / 6, 12);
  });
  it('sigmoid: within 0.02 of 0 or 1', () => {
    expect(saturationFraction([0.01, 0.99, 0.5, 0.03, 0.975], activationLimits('sigmoid'))).toBeCloseTo(2 / 5, 12);
  });
  it('softsign uses (-1, 1)', () => {
    expect(saturationFraction([0.999, 0.1], activationLimits('softsign'))).toBe(0.5);
  });
  it('is 0 for unbounded activations whatever the values', () => {
    for (const a of ['relu', 'linear', 'elu', 'selu', 'softplus', 'swish', 'leaky_relu', 'prelu', 'maxout'] as const) {
      expect(activationLimits(a)).toBeNull();
      expect(saturationFraction([0, 1, -1, 1e6], activationLimits(a))).toBe(0);
    }
  });
});

describe('l2Norm / splitFlat / layerScalars', () => {
  it('l2Norm spans several arrays', () => {
    expect(l2Norm([3], [4])).toBe(5);
    expect(l2Norm([1, 2, 2])).toBe(3);
  });
  it('splitFlat slices in order and rejects short buffers', () => {
    const parts = splitFlat(Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 2, 3]);
    expect(parts.map((p) => Array.from(p))).toEqual([[1], [2, 3], [4, 5, 6]]);
    expect(() => splitFlat(new Float32Array(2), [3])).toThrow(/need 3/);
  });
  it('layerScalars combines the three', () => {
    const s = layerScalars([0, 0.99, 0, -0.99], 2, 'tanh', [3], [4]);
    expect(s).toEqual({ gradNorm: 5, deadFraction: 0.5, saturationFraction: 0.5 });
  });
  it('layerScalars takes the kernel gradient\'s sum of squares when given (bias still added)', () => {
    // kernel [3] -> sum of squares 9; a different value proves the given sum is used, not the array
    expect(layerScalars([0, 0.5], 2, 'tanh', [3], [4], 9).gradNorm).toBe(5);
    expect(layerScalars([0, 0.5], 2, 'tanh', [3], [4], 32).gradNorm).toBeCloseTo(Math.sqrt(48), 12);
  });
});
