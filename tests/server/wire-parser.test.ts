// The socket's MessagePack wire (shared/wire-parser.ts, shared/msgpack-decode.ts): what the server encodes
// decodes to the same values; names from outside stay own keys; malformed frames fail with a reason
// before any large allocation.
import { describe, expect, it } from 'vitest';
import { decodeMsgpack, MsgpackError } from '../../shared/msgpack-decode.ts';
import { WireDecoder, WireEncoder } from '../../shared/wire-parser.ts';

const encode = (v: unknown): Uint8Array => new WireEncoder().encode({ type: 2, nsp: '/', data: ['x', v] })[0];
const roundTrip = (v: unknown): unknown => (decodeMsgpack(encode(v)) as { data: unknown[] }).data[1];

describe('MessagePack wire', () => {
  it('round-trips a delta batch: ints of every width, doubles, nulls, unicode names, nested columns', () => {
    const batch = {
      series: [
        {
          kind: 'scalars',
          run: 'sweep/ré-λ 🚀',
          tag: 'a'.repeat(300),
          wallTimes: [1.7e9 + 0.123456789, 1.7e9 + 1],
          steps: [0, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 62, -1, -32, -33, -128, -129, -32_768, -32_769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53) + 1],
          // Integral doubles past 2^64 (a diverging loss) are where notepack's encoder wrapped around.
          values: [0.1, null, -0.5, 1e20, 3.4e38, 2 ** 64, -1e300, 1e300, 5e-324, 2 ** 53 + 2],
        },
      ],
      runs: [{ name: 'r', source: 'disk', group: '.', hparams: { lr: 0.01, on: true, off: false } }],
      loaded: [],
    };
    expect(roundTrip(batch)).toEqual(batch);
  });

  it('drops undefined members as JSON does; undefined in a list is null', () => {
    expect(roundTrip({ a: undefined, b: 1, c: [undefined, 2] })).toEqual({ b: 1, c: [null, 2] });
  });

  it('keeps "__proto__" and "constructor" as own keys (as JSON.parse does), without touching prototypes', () => {
    const have = JSON.parse('{"__proto__":{"__proto__":2,"loss":4},"constructor":{"x":1}}');
    const out = roundTrip({ have }) as { have: Record<string, Record<string, number>> };
    expect(Object.hasOwn(out.have, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out.have)).toBe(Object.prototype);
    expect(out.have['__proto__']['loss']).toBe(4);
    expect(Object.hasOwn(out.have['__proto__'], '__proto__')).toBe(true);
    expect(out.have['constructor']).toEqual({ x: 1 });
    expect(({} as Record<string, unknown>).loss).toBeUndefined();
  });

  it('refuses truncated frames, trailing bytes, lengths larger than the frame, deep nesting and unknown extensions', () => {
    const good = encode({ a: 'a string of forty characters, more or less' });
    expect(() => decodeMsgpack(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    expect(() => decodeMsgpack(new Uint8Array([...good, 0]))).toThrow(/trailing/);
    // array32 claiming 2^32-1 entries in a 5-byte frame: refused before allocating.
    expect(() => decodeMsgpack(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]))).toThrow(/entries claimed/);
    expect(() => decodeMsgpack(new Uint8Array([0xdf, 0x7f, 0xff, 0xff, 0xff]))).toThrow(MsgpackError);
    expect(() => decodeMsgpack(new Uint8Array(200).fill(0x91))).toThrow(/deeper/);
    expect(() => decodeMsgpack(new Uint8Array([0xd6, 0x05, 0, 0, 0, 0]))).toThrow(/extension type 5/);
    expect(() => decodeMsgpack(new Uint8Array([0xc1]))).toThrow(/invalid type byte/);
    expect(() => decodeMsgpack(new Uint8Array([0x81, 0x90, 0x01]))).toThrow(/map key/);
  });

  it('the socket.io decoder emits checked packets and refuses text frames and non-packets', () => {
    const d = new WireDecoder();
    const got: unknown[] = [];
    d.on('decoded', (p) => got.push(p));
    d.add(encode({ runs: '*' }));
    expect(got).toEqual([{ type: 2, nsp: '/', data: ['x', { runs: '*' }] }]);
    expect(() => d.add('2["subscribe",{}]')).toThrow(/text frame/);
    expect(() => d.add(new Uint8Array([0x01]))).toThrow(/map/);
    expect(() => d.add(new WireEncoder().encode({ type: 9, nsp: '/' })[0])).toThrow(/packet type/);
  });
});
