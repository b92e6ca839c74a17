import { describe, expect, it } from 'vitest';
import { Reservoir } from '../../server/store/reservoir.ts';
import { ScalarSeries } from '../../server/store/scalar-series.ts';
import { seededRng } from './seeded-rng.ts';

const steps = (r: Reservoir<unknown>) => r.items().map((x) => x.step);

describe('Reservoir', () => {
  it('keeps everything, in order, until capacity', () => {
    const r = new Reservoir<string>(5, seededRng(1));
    for (let i = 0; i < 5; i++) expect(r.add(i * 10, `v${i}`)).toEqual({ accepted: true, rewound: false, slot: i });
    expect(r.items()).toEqual([0, 1, 2, 3, 4].map((i) => ({ step: i * 10, item: `v${i}` })));
    expect(r.items(20).map((x) => x.item)).toEqual(['v3', 'v4']);
  });

  it('never exceeds capacity and always holds the newest item, sorted', () => {
    const r = new Reservoir<number>(50, seededRng(7));
    for (let i = 0; i < 5000; i++) {
      r.add(i, i * 2);
      expect(r.lastStep).toBe(i);
      expect(r.size).toBe(Math.min(i + 1, 50));
    }
    const kept = r.items();
    expect(kept).toHaveLength(50);
    expect(kept[kept.length - 1]).toEqual({ step: 4999, item: 9998 });
    for (let i = 1; i < kept.length; i++) expect(kept[i].step).toBeGreaterThan(kept[i - 1].step);
    for (const k of kept) expect(k.item).toBe(k.step * 2);
    // sampled, not just the first 49 + last
    expect(kept.some((k) => k.step > 1000 && k.step < 4999)).toBe(true);
  });

  it('replaces the newest slot when the random draw does not select the item', () => {
    const r = new Reservoir<number>(4, () => 0.999999);
    for (let i = 0; i < 20; i++) r.add(i, i);
    expect(steps(r)).toEqual([0, 1, 2, 19]);
  });

  it('samples roughly uniformly over the stream (fixed seed)', () => {
    const rng = seededRng(12345);
    const N = 1000;
    const C = 100;
    const trials = 300;
    const deciles = new Array(10).fill(0);
    for (let t = 0; t < trials; t++) {
      const r = new Reservoir<null>(C, rng);
      for (let i = 0; i < N; i++) r.add(i, null);
      for (const s of r.stepList()) if (s !== N - 1) deciles[Math.floor(s / (N / 10))]++;
    }
    // (C - 1) non-newest kept items per trial spread evenly over 10 deciles.
    const expected = (trials * (C - 1)) / 10;
    for (const d of deciles) expect(Math.abs(d - expected) / expected).toBeLessThan(0.08);
  });

  it('evicts items with step >= a rewound step and keeps the new one', () => {
    const r = new Reservoir<string>(1000, seededRng(3));
    for (let i = 0; i < 100; i++) r.add(i, `a${i}`);
    const res = r.add(50, 'b50');
    expect(res.rewound).toBe(true);
    expect(res.accepted).toBe(true);
    expect(steps(r)).toEqual([...Array(51).keys()]);
    expect(r.items().at(-1)).toEqual({ step: 50, item: 'b50' });
    expect(r.items().at(-2)).toEqual({ step: 49, item: 'a49' });
    expect(r.seenCount).toBe(51);
  });

  it('treats a repeated step as a rewind (replaces it)', () => {
    const r = new Reservoir<string>(10);
    r.add(1, 'x');
    r.add(2, 'y');
    expect(r.add(2, 'z').rewound).toBe(true);
    expect(r.items()).toEqual([
      { step: 1, item: 'x' },
      { step: 2, item: 'z' },
    ]);
  });

  it('rewinds a sampled reservoir and scales the seen count', () => {
    const r = new Reservoir<number>(10, seededRng(9));
    for (let i = 0; i < 1000; i++) r.add(i, i);
    const before = r.stepList();
    expect(r.add(500, -1).rewound).toBe(true);
    const after = r.stepList();
    expect(after).toEqual([...before.filter((s) => s < 500), 500]);
    expect(r.seenCount).toBe(Math.round((1000 * (after.length - 1)) / before.length) + 1);
    for (let i = 501; i < 600; i++) r.add(i, i);
    expect(r.size).toBe(10);
    expect(r.lastStep).toBe(599);
    expect(r.items().find((x) => x.step === 500)?.item ?? -1).toBe(-1);
  });

  it('rejects non-finite steps and invalid capacities', () => {
    const r = new Reservoir<number>(3);
    expect(r.add(NaN, 1)).toEqual({ accepted: false, rewound: false, slot: -1 });
    expect(r.size).toBe(0);
    expect(() => new Reservoir(0)).toThrow(/capacity/);
    expect(() => new Reservoir(2.5)).toThrow(/capacity/);
  });

  it('keeps everything with Infinity capacity', () => {
    const r = new Reservoir<number>(Infinity);
    for (let i = 0; i < 3000; i++) r.add(i, i);
    expect(r.size).toBe(3000);
    expect(r.items(2990).map((x) => x.item)).toEqual([...Array(9).keys()].map((i) => 2991 + i));
  });
});

describe('ScalarSeries', () => {
  it('stores columns in typed arrays and maps non-finite values to null only in columns', () => {
    const s = new ScalarSeries(Infinity);
    s.add(0, 100, 1.5);
    s.add(1, 101, NaN);
    s.add(2, 102, Infinity);
    s.add(3, 103, -Infinity);
    const t = s.tuples();
    expect(t[0]).toEqual([100, 0, 1.5]);
    expect(Number.isNaN(t[1][2])).toBe(true);
    expect(t[2][2]).toBe(Infinity);
    expect(t[3][2]).toBe(-Infinity);
    expect(s.columns(0)).toEqual({ wallTimes: [101, 102, 103], steps: [1, 2, 3], values: [null, null, null] });
  });

  it('samples like the generic reservoir with the same rng', () => {
    const a = new ScalarSeries(20, seededRng(42));
    const b = new Reservoir<number>(20, seededRng(42));
    for (let i = 0; i < 2000; i++) {
      a.add(i, i / 10, i * 3);
      b.add(i, i * 3);
    }
    expect(a.tuples().map((t) => t[1])).toEqual(b.stepList());
    expect(a.tuples().map((t) => t[2])).toEqual(b.items().map((x) => x.item));
    expect(a.tuples().map((t) => t[0])).toEqual(b.stepList().map((s) => s / 10));
  });

  it('returns ordered columns for the slots written', () => {
    const s = new ScalarSeries(5, seededRng(5));
    for (let i = 0; i < 100; i++) s.add(i, i, i);
    const slots = [s.add(100, 100, 100).slot, s.add(101, 101, 101).slot];
    const cols = s.columnsForSlots(slots);
    // 101 is kept for sure; 100 only if 101 did not overwrite it
    expect(cols.steps.at(-1)).toBe(101);
    expect(cols.steps.every((x) => x === 100 || x === 101)).toBe(true);
    expect(s.tuples().map((t) => t[1])).toEqual(expect.arrayContaining(cols.steps));
  });
});
