// The table-driven bucket index in shared/histogram.ts (used for every histogram summary the trainer
// logs) must agree exactly with the binary search over TF's limits, including on and next to every edge.
import { describe, expect, it } from 'vitest';
import { KEY_SHIFT_32, TF_BUCKET_LIMITS, bucketIndexFast, bucketIndexReference, summarizeHistogram } from '../../shared/histogram.ts';
import { mulberry32 } from '../../server/training/rng.ts';

/** The adjacent doubles below and above x (finite x). */
function neighbours(x: number): number[] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const bits = dv.getBigUint64(0);
  const out: number[] = [];
  for (const d of [-1n, 1n]) {
    dv.setBigUint64(0, BigInt.asUintN(64, bits + d));
    const y = dv.getFloat64(0);
    if (Number.isFinite(y)) out.push(y);
  }
  return out;
}

describe('bucketIndexFast', () => {
  it('equals the binary search on every limit, its neighbouring doubles and special values', () => {
    const values = [0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, -2.2250738585072014e-308, 1e-300, -1e-300,
      Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, -1e300, 1, -1, 1e20, -1e20, 1e-12, -1e-12];
    for (const l of TF_BUCKET_LIMITS) values.push(l, ...neighbours(l), l * (1 + 1e-9), l * (1 - 1e-9), l * 1.05);
    let checked = 0;
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      const want = bucketIndexReference(v);
      if (bucketIndexFast(v) !== want) expect({ v, got: bucketIndexFast(v) }).toEqual({ v, got: want });
      checked++;
    }
    expect(checked).toBeGreaterThan(TF_BUCKET_LIMITS.length * 5);
  });

  it('equals the binary search on a million random values over 600 decades and on float32 values', () => {
    const rnd = mulberry32(12345);
    const f32 = new Float32Array(1);
    let mismatches = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const v = (rnd() < 0.5 ? -1 : 1) * rnd() * 10 ** Math.floor(rnd() * 616 - 308);
      f32[0] = v;
      for (const x of [v, f32[0]]) if (Number.isFinite(x) && bucketIndexFast(x) !== bucketIndexReference(x)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('a summary from the fast index matches one counted with the reference index', () => {
    const rnd = mulberry32(7);
    const values = Float32Array.from({ length: 50_000 }, () => (rnd() - 0.5) * 10 ** (rnd() * 6 - 3));
    const s = summarizeHistogram(values);
    const counts = new Map<number, number>();
    for (const v of values) counts.set(TF_BUCKET_LIMITS[bucketIndexReference(v)], (counts.get(TF_BUCKET_LIMITS[bucketIndexReference(v)]) ?? 0) + 1);
    const nonEmpty = s.bucketLimit.map((l, i) => [l, s.bucket[i]] as const).filter(([, c]) => c > 0);
    expect(new Map(nonEmpty)).toEqual(counts);
    expect(s.num).toBe(values.length);
  });

  it('float32 input (bit-level path) summarizes exactly like the same values as plain numbers', () => {
    const f = new Float32Array(1);
    const xs: number[] = [0, -0, NaN, Infinity, -Infinity, 1.4e-45, -1.4e-45, 3.4028234663852886e38, -3.4028234663852886e38];
    for (const l of TF_BUCKET_LIMITS) {
      f[0] = l; // nearest float32 to the limit, and its float32 neighbours
      const u = new Uint32Array(f.buffer)[0];
      for (const d of [-1, 0, 1]) xs.push(new Float32Array(new Uint32Array([u + d]).buffer)[0]);
    }
    const rnd = mulberry32(3);
    for (let i = 0; i < 100_000; i++) xs.push((rnd() - 0.5) * 10 ** (rnd() * 80 - 40));
    const f32 = Float32Array.from(xs);
    expect(summarizeHistogram(f32)).toEqual(summarizeHistogram(Array.from(f32)));
    expect(summarizeHistogram(f32.subarray(5, 2005))).toEqual(summarizeHistogram(Array.from(f32.subarray(5, 2005))));
  });
});

describe('the float32 two-at-a-time loop', () => {
  it('matches plain numbers for odd and even lengths, with non-finite values late, at odd and even positions', () => {
    const rnd = mulberry32(11);
    const base = Float32Array.from({ length: 20_001 }, () => (rnd() - 0.5) * 10 ** (rnd() * 8 - 4));
    const cases: Float32Array[] = [base, base.subarray(0, 20_000), base.subarray(1, 2)];
    for (const at of [15_000, 15_001]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const c = base.slice();
        c[at] = bad;
        cases.push(c, c.subarray(0, 19_999));
      }
    }
    for (const c of cases) {
      const s = summarizeHistogram(c);
      expect(s).toEqual(summarizeHistogram(Array.from(c)));
      expect(s.num).toBe(c.filter((v) => Number.isFinite(v)).length);
    }
  });
});

describe('summarizeHistogram reuses its count buffer without leaking between calls', () => {
  /** Counts per limit index computed independently with the reference search. */
  function referenceCounts(values: Float32Array): Map<number, number> {
    const m = new Map<number, number>();
    for (const v of values) m.set(TF_BUCKET_LIMITS[bucketIndexReference(v)], (m.get(TF_BUCKET_LIMITS[bucketIndexReference(v)]) ?? 0) + 1);
    return m;
  }
  it('gives the same summary for the same values whatever came before, and matches the reference counts', () => {
    const rng = mulberry32(7);
    const wide = Float32Array.from({ length: 500 }, () => (rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 6));
    const narrow = Float32Array.from({ length: 300 }, () => 0.5 + rng() * 0.01);
    const first = summarizeHistogram(narrow);
    summarizeHistogram(wide); // spans far more buckets than `narrow`
    expect(summarizeHistogram(narrow)).toEqual(first);
    const s = summarizeHistogram(wide);
    const ref = referenceCounts(wide);
    const got = new Map<number, number>();
    s.bucketLimit.forEach((l, i) => s.bucket[i] > 0 && got.set(l, s.bucket[i]));
    expect(got).toEqual(ref);
    expect(s.num).toBe(500);
  });
});

describe('the float32 fast path takes at most one refinement step', () => {
  it('no key range of float32 values (top KEY_SHIFT_32 bits dropped) spans more than two TF buckets', () => {
    const u = new Uint32Array(1), f = new Float32Array(u.buffer);
    const low = (1 << KEY_SHIFT_32) - 1;
    let worst = 0;
    for (let h = 0; h < 1 << (32 - KEY_SHIFT_32); h++) {
      u[0] = (h << KEY_SHIFT_32) >>> 0;
      const a = f[0];
      u[0] = ((h << KEY_SHIFT_32) | low) >>> 0;
      const b = f[0];
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      worst = Math.max(worst, Math.abs(bucketIndexReference(a) - bucketIndexReference(b)));
    }
    expect(worst).toBe(1);
  });
});
