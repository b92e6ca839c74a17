// The hand-written fast path must agree with protobufjs decoding on every record it accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventDecoder } from '../../server/logs/event-codec.ts';
import { decodeFast } from '../../server/logs/fast-decode.ts';
import { encodeHistogramEvent, encodeScalarEvent } from '../../server/logs/event-encode.ts';
import { scanRecords } from '../../server/logs/tfrecord.ts';
import { summarizeHistogram } from '../../shared/histogram.ts';
import { corpusFiles } from './corpus-files.ts';

function both(data: Uint8Array) {
  const fast = new EventDecoder();
  const slow = new EventDecoder();
  slow.fastPath = false;
  return { fast: fast.decode(data, 'x'), slow: slow.decode(data, 'x') };
}

describe('fast path vs protobufjs', () => {
  it('agrees on every corpus record and takes the fast path for plain simple_value events', () => {
    let taken = 0;
    for (const f of corpusFiles()) {
      for (const fr of scanRecords(readFileSync(f), { lenient: true }).frames) {
        if (fr.kind !== 'record') continue;
        if (decodeFast(fr.data, 0, fr.data.length)) taken++;
        const { fast, slow } = both(fr.data);
        expect(fast).toEqual(slow);
      }
    }
    expect(taken).toBeGreaterThan(1000);
  });

  it('agrees on our writer output (scalars incl. big steps and NaN, histograms)', () => {
    const cases = [
      encodeScalarEvent('a', 0.25, 0, 1.5),
      encodeScalarEvent('ü/ß', NaN, 2 ** 50, 1700000000.123),
      encodeScalarEvent('t', -Infinity, 127, 0),
      encodeScalarEvent('t', 3, 128, 0),
      encodeHistogramEvent('h', summarizeHistogram([1, 2, 3, -4, 0]), 9, 2),
      encodeHistogramEvent('empty', summarizeHistogram([]), 9, 2),
    ];
    for (const c of cases) {
      expect(decodeFast(c, 0, c.length)).not.toBeNull();
      const { fast, slow } = both(c);
      expect(fast).toEqual(slow);
    }
  });

  it('never disagrees or throws on mutated records (every single-byte change of a scalar / histogram event)', () => {
    const seeds = [encodeScalarEvent('loss/x', 0.5, 300, 1700000000.5), encodeHistogramEvent('h', summarizeHistogram([1, 5, 9]), 4, 3)];
    for (const seed of seeds) {
      for (let i = 0; i < seed.length; i++) {
        for (const v of [0x00, 0x0a, 0x15, 0x2a, 0x80, 0xff, seed[i] ^ 0x01]) {
          const m = seed.slice();
          m[i] = v;
          const f = decodeFast(m, 0, m.length);
          if (!f) continue;
          const slow = new EventDecoder();
          slow.fastPath = false;
          expect([f]).toEqual(slow.decode(m, 'x').records);
        }
      }
    }
  });
});
