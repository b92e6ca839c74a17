// The shared edge ladder gives back exactly the edges it was given, grows at its ends only, and refuses
// what is not a slice of it without changing.
import { describe, expect, it } from 'vitest';
import { LADDER_MAX, ladderFind, newLadder, type Ladder } from '../../server/store/edge-ladder.ts';
import { TF_BUCKET_LIMITS } from '../../shared/histogram.ts';
import { seededRng } from './seeded-rng.ts';

const TF = Float64Array.from(TF_BUCKET_LIMITS);

function contents(l: Ladder): number[] {
  return Array.from(l.v);
}

/** find() on a copy placed at an offset in a bigger array, as the store passes a column's edges. */
function find(l: Ladder, values: readonly number[]): number {
  const src = new Float64Array(values.length + 5);
  src.set(values, 3);
  return ladderFind(l, src, 3, values.length);
}

describe('edge ladder', () => {
  it('holds slices of one ladder once, and every slice reads back exactly (indexes kept across growth below)', () => {
    const rand = seededRng(7);
    const l = newLadder();
    const given: { from: number; to: number; at: number }[] = [];
    for (let i = 0; i < 300; i++) {
      // drifting, widening and narrowing ranges around the middle of TensorFlow's default ladder
      const mid = TF.length >> 1;
      const from = mid - 20 - Math.floor(rand() * 200);
      const to = mid + 20 + Math.floor(rand() * 200);
      const at = find(l, Array.from(TF.subarray(from, to)));
      expect(at).toBeGreaterThanOrEqual(0);
      // entries put below move what was given before
      for (const g of given) g.at += l.shifted;
      given.push({ from, to, at });
    }
    for (const g of given) {
      const back = Array.from({ length: g.to - g.from }, (_, k) => l.v[g.at + k]);
      expect(back).toEqual(Array.from(TF.subarray(g.from, g.to)));
    }
    // no more than the union of the slices
    const lo = Math.min(...given.map((g) => g.from));
    const hi = Math.max(...given.map((g) => g.to));
    expect(contents(l)).toEqual(Array.from(TF.subarray(lo, hi)));
    expect(l.v.byteLength).toBe((hi - lo) * 8);
  });

  it('grows above and below, and across both ends at once', () => {
    const l = newLadder();
    expect(find(l, [3, 4, 5])).toBe(0);
    expect(find(l, [5, 6, 7])).toBe(2);
    expect(l.shifted).toBe(0);
    expect(find(l, [1, 2, 3])).toBe(0);
    expect(l.shifted).toBe(2);
    expect(find(l, [0, 1, 2, 3, 4, 5, 6, 7, 8])).toBe(0);
    expect(l.shifted).toBe(1);
    expect(contents(l)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(find(l, [10, 11])).toBe(9); // wholly above: appended (a gap is fine, values are compared)
    expect(find(l, [-5])).toBe(0);
    expect(contents(l)).toEqual([-5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11]);
    expect(find(l, [])).toBe(0);
  });

  it('refuses what is not a slice of it, unchanged', () => {
    const l = newLadder();
    expect(find(l, [0, 1, 2, 3])).toBe(0);
    const refused: number[][] = [
      [1, 3], // skips an entry
      [1.5, 2], // a value between entries
      [-1, 1, 2], // below, then not from the start
      [2, 3, 5, 4], // not increasing
      [2, 2, 3], // repeated
      [-1, 5], // below and above with nothing of it between
      [-0, 1], // -0 is not 0
      [NaN],
      [1, NaN],
      [2, 3, 4, NaN],
    ];
    for (const r of refused) {
      expect(find(l, r)).toBe(-1);
      expect(contents(l)).toEqual([0, 1, 2, 3]);
    }
    const nan = newLadder();
    expect(find(nan, [NaN])).toBe(-1);
    expect(nan.v.length).toBe(0);
  });

  it(`stays under ${LADDER_MAX} entries`, () => {
    const l = newLadder();
    const run = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);
    expect(find(l, run(0, LADDER_MAX - 10))).toBe(0);
    expect(find(l, run(LADDER_MAX - 10, 10))).toBe(LADDER_MAX - 10);
    expect(find(l, run(LADDER_MAX, 1))).toBe(-1);
    expect(l.v.length).toBe(LADDER_MAX);
    expect(find(newLadder(), run(0, LADDER_MAX + 1))).toBe(-1);
  });
});
