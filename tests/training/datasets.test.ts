import { describe, expect, it } from 'vitest';
import { loadMnist, make2d, makeDataset, PLANE_SCALE } from '../../server/training/datasets.ts';
import { deriveSeed, mulberry32, permutation } from '../../server/training/rng.ts';

describe('rng', () => {
  it('mulberry32 is deterministic, in [0, 1) and seed-dependent', () => {
    const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
    const xa = Array.from({ length: 100 }, a), xb = Array.from({ length: 100 }, b), xc = Array.from({ length: 100 }, c);
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    expect(xa.every((x) => x >= 0 && x < 1)).toBe(true);
    // roughly uniform
    const mean = xa.reduce((s, x) => s + x, 0) / xa.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.65);
  });
  it('permutation is a permutation; deriveSeed separates purposes', () => {
    const p = permutation(50, mulberry32(1));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
  });
});

describe('2-D datasets', () => {
  for (const name of ['spiral', 'circles', 'xor', 'moons'] as const) {
    it(`${name}: deterministic, balanced, 80/20 split, finite, bounded`, () => {
      const a = make2d(name, 200, 0.1, 7);
      const b = make2d(name, 200, 0.1, 7);
      const c = make2d(name, 200, 0.1, 8);
      expect(a.trainX).toEqual(b.trainX);
      expect(a.valY).toEqual(b.valY);
      expect(a.trainX).not.toEqual(c.trainX);
      expect(a.trainY.length).toBe(160);
      expect(a.valY.length).toBe(40);
      expect(a.trainX.length).toBe(320);
      expect(a.inputShape).toEqual([2]);
      expect(a.numClasses).toBe(2);
      const all = [...a.trainY, ...a.valY];
      expect(all.filter((y) => y === 1).length).toBe(100);
      expect([...a.trainX, ...a.valX].every((v) => Number.isFinite(v) && Math.abs(v) < 2 * PLANE_SCALE)).toBe(true);
      const [x0, x1, y0, y1] = a.bounds!;
      for (let i = 0; i < a.trainX.length; i += 2) {
        expect(a.trainX[i]).toBeGreaterThanOrEqual(x0);
        expect(a.trainX[i]).toBeLessThanOrEqual(x1);
        expect(a.trainX[i + 1]).toBeGreaterThanOrEqual(y0);
        expect(a.trainX[i + 1]).toBeLessThanOrEqual(y1);
      }
    });
  }
  it('circles without noise: class 0 inside, class 1 outside', () => {
    const d = make2d('circles', 100, 0, 1);
    for (let i = 0; i < d.trainY.length; i++) {
      const r = Math.hypot(d.trainX[2 * i], d.trainX[2 * i + 1]) / PLANE_SCALE;
      if (d.trainY[i] === 0) expect(r).toBeLessThanOrEqual(0.5);
      else expect(r).toBeGreaterThanOrEqual(0.7);
    }
  });
  it('xor without noise: label is the sign of x*y', () => {
    const d = make2d('xor', 100, 0, 1);
    for (let i = 0; i < d.trainY.length; i++) expect(d.trainY[i]).toBe(d.trainX[2 * i] * d.trainX[2 * i + 1] > 0 ? 0 : 1);
  });
  it('noise spreads the points', () => {
    const clean = make2d('circles', 200, 0, 3), noisy = make2d('circles', 200, 0.3, 3);
    const spread = (xs: Float32Array) => Math.max(...Array.from(xs, Math.abs));
    expect(spread(noisy.trainX)).toBeGreaterThan(spread(clean.trainX));
  });
});

describe('mnist', () => {
  it('loads real digits, capped, balanced, deterministic', () => {
    const a = loadMnist(200, 5);
    const b = makeDataset({ name: 'mnist', samples: 200, noise: 0, seed: 5 });
    expect(a.inputShape).toEqual([28, 28]);
    expect(a.inputDim).toBe(784);
    expect(a.numClasses).toBe(10);
    expect(a.trainY.length + a.valY.length).toBe(200);
    expect(a.trainX.length).toBe(a.trainY.length * 784);
    expect(a.trainX).toEqual(b.trainX);
    const counts = new Array(10).fill(0);
    for (const y of [...a.trainY, ...a.valY]) counts[y]++;
    expect(counts).toEqual(new Array(10).fill(20));
    // pixels in [0, 1], images not blank
    expect(a.trainX.every((v) => v >= 0 && v <= 1)).toBe(true);
    const ink = a.trainX.subarray(0, 784).reduce((s, v) => s + v, 0);
    expect(ink).toBeGreaterThan(10);
    expect(loadMnist(200, 6).trainX).not.toEqual(a.trainX);
  });
});
