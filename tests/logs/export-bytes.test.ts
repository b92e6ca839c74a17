// The export's byte writer (export-bytes.ts) writes exactly the text num() and JSON.stringify write,
// across chunk boundaries, and never splits a character between chunks.
import { describe, expect, it } from 'vitest';
import { BucketHeads, ByteOut, NUMBER_ROOM } from '../../server/logs/export-bytes.ts';
import { stringifyExact } from '../../shared/exact-int.ts';

/** A number as the export writes it: JSON, NaN and ±Infinity as strings. */
const num = (v: number): string => stringifyExact(v);

/** A ByteOut over chunks of `size` bytes, each kept (copied) as it is handed on. */
function collect(size: number): { out: ByteOut; chunks: Uint8Array[]; text: () => string } {
  const chunks: Uint8Array[] = [];
  const out = new ByteOut(new Uint8Array(size), (filled) => {
    chunks.push(filled.slice());
    return new Uint8Array(size);
  });
  return {
    out,
    chunks,
    text: () => {
      out.flush();
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** Doubles from random bits (every exponent, NaN patterns included), seeded. */
function randomDoubles(n: number, seed = 7): number[] {
  const words = new Uint32Array(2);
  const f = new Float64Array(words.buffer);
  const out: number[] = [];
  let x = seed;
  const next = () => (x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0);
  for (let i = 0; i < n; i++) {
    words[0] = next();
    words[1] = next();
    out.push(f[0]);
  }
  return out;
}

const EDGE_CASES = [
  0, -0, 1, -1, 9, 10, 99, 100, 999_999_999, 1e9, 1e9 + 1, -1e9, 2 ** 31 - 1, 2 ** 31, 2 ** 32, -(2 ** 31), 1234567890123,
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 53 + 2, 9007199254740993, 1e20, 123456789012345680000, 1e21, -1e21, 2 ** 70,
  0.1, -0.1, 1e-7, 1.5e-7, 5e-324, -5e-324, 1.7976931348623157e308, 1700000000.123456, 0.019998665899038315, 1.5, -2.5,
  NaN, Infinity, -Infinity,
];

describe('ByteOut', () => {
  it('writes every number as num() does: integers, -0, the exponent forms, non-finite values', () => {
    const values = [...EDGE_CASES, ...randomDoubles(20_000), ...Array.from({ length: 5000 }, (_, i) => Math.round((i * 7919) ** 1.7) * (i % 2 ? -1 : 1))];
    const { out, text } = collect(100); // small chunks: many numbers land at a chunk's end
    for (let i = 0; i < values.length; i++) {
      out.room(NUMBER_ROOM + 1);
      if (i > 0) out.byte(44);
      out.num(values[i]);
    }
    expect(text()).toBe(values.map(num).join(','));
  });

  it('splits a long text between characters, never inside one', () => {
    const s = `${'a'.repeat(37)}é中🙂`.repeat(400) + '"\\u0001';
    const { out, chunks, text } = collect(64);
    out.text(s);
    out.text('tail');
    expect(text()).toBe(`${s}tail`);
    expect(chunks.length).toBeGreaterThan(100);
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const c of chunks) expect(() => strict.decode(c)).not.toThrow();
  });
});

describe('BucketHeads', () => {
  it('writes `[lo,hi,` as num() does, from its table or not, and after forgetting everything when full', () => {
    const heads = new BucketHeads(64); // tiny: it fills and starts over many times
    const edges = [...randomDoubles(300, 3).filter((v) => Number.isFinite(v)), 0, -0, 0.1, NaN, Infinity, -Infinity, 2 ** 60];
    const { out, text } = collect(4096);
    let want = '';
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i + 1 < edges.length; i++) {
        const lo = edges[i];
        const hi = edges[(i * 7 + round) % edges.length];
        out.room(3 * NUMBER_ROOM + 8);
        heads.write(out, lo, hi);
        out.byte(93);
        want += `[${num(lo)},${num(hi)},]`;
      }
    }
    expect(text()).toBe(want);
  });
});
