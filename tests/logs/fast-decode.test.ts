// The hand-written fast path must agree with protobufjs decoding on every record it accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventDecoder } from '../../server/logs/event-codec.ts';
import { decodeFastColumns, decodeFastInto } from '../../server/logs/fast-decode.ts';
import { PackBuilder, unpackRecords } from '../../server/logs/packed-records.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import {
  encodeEvent,
  encodeHistogramEvent,
  encodeScalarEvent,
  planSummaryEvent,
  writeSummaryEvent,
  type PlainValue,
} from '../../server/logs/event-encode.ts';
import { scanRecords } from '../../server/logs/tfrecord.ts';
import { summarizeHistogram } from '../../shared/histogram.ts';
import { corpusFiles } from './corpus-files.ts';

/** The fast path's records, or null where it declines. */
function decodeFast(data: Uint8Array, start: number, end: number): LogRecord[] | null {
  const out: LogRecord[] = [];
  return decodeFastInto(data, start, end, out) ? out : null;
}

const NO_INFO = { info: new Map<string, unknown>(), annotated: new Set<string>() };

/** The columns path's records (through a PackBuilder), or null where it declines. */
function decodeColumns(data: Uint8Array, start: number, end: number, pending = NO_INFO): LogRecord[] | null {
  const b = new PackBuilder();
  b.add({ kind: 'meta', what: 'file_version', wallTime: 0, step: 0, detail: 'before' });
  const ok = decodeFastColumns(data, start, end, b, pending);
  const recs = unpackRecords(b.finish().packed);
  expect(recs[0]).toMatchObject({ kind: 'meta', detail: 'before' });
  if (!ok) expect(recs).toHaveLength(1); // nothing left behind
  return ok ? recs.slice(1) : null;
}

/** writeSummaryEvent's bytes for values (the trainer's one event per summary step). */
function summaryEvent(values: PlainValue[], step: number, wallTime: number): Uint8Array {
  const plan = planSummaryEvent(values, step, wallTime);
  const b = new Uint8Array(plan.size);
  expect(writeSummaryEvent(b, new DataView(b.buffer), 0, plan)).toBe(b.length);
  return b;
}

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
        const f = decodeFast(fr.data, 0, fr.data.length);
        if (f) taken++;
        expect(decodeColumns(fr.data, 0, fr.data.length)).toEqual(f);
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
      // several values in one event: protobufjs' encoding and our in-place writer's
      encodeEvent({ wall_time: 3, step: 7, summary: { value: [{ tag: 'a', simple_value: 1 }, { tag: 'b', simple_value: 0 }] } }),
      summaryEvent(
        [
          { kind: 'histogram', tag: 'l/kernel', summary: summarizeHistogram([0.5, -0.25, 3]) },
          { kind: 'scalar', tag: 'l/grad_norm', value: 0 },
          { kind: 'histogram', tag: 'l/bias', summary: summarizeHistogram(Float32Array.from([1, 2, 2])) },
          { kind: 'scalar', tag: 'ü', value: -1.5 },
        ],
        12,
        1700000000.25,
      ),
    ];
    for (const c of cases) {
      expect(decodeFast(c, 0, c.length)).not.toBeNull();
      expect(decodeColumns(c, 0, c.length)).toEqual(decodeFast(c, 0, c.length));
      const { fast, slow } = both(c);
      expect(fast).toEqual(slow);
    }
    const merged = both(cases.at(-1)!).slow.records;
    expect(merged.map((r) => [r.kind, r.step, r.wallTime, 'tag' in r ? r.tag : ''])).toEqual([
      ['histogram', 12, 1700000000.25, 'l/kernel'],
      ['scalar', 12, 1700000000.25, 'l/grad_norm'],
      ['histogram', 12, 1700000000.25, 'l/bias'],
      ['scalar', 12, 1700000000.25, 'ü'],
    ]);
  });

  it('declines a merged event as a whole when one of its values is not a plain shape', () => {
    const ev = encodeEvent({
      wall_time: 1,
      step: 2,
      summary: { value: [{ tag: 'a', simple_value: 1 }, { tag: 'b', simple_value: 2, metadata: { plugin_data: { plugin_name: 'scalars' } } }] },
    });
    const records: LogRecord[] = [];
    expect(decodeFastInto(ev, 0, ev.length, records)).toBe(false);
    expect(records).toEqual([]);
    const { fast, slow } = both(ev);
    expect(fast).toEqual(slow);
    expect(fast.records).toHaveLength(2);
  });

  it('never disagrees or throws on mutated records (every single-byte change of a scalar, histogram or merged event)', () => {
    const seeds = [
      encodeScalarEvent('loss/x', 0.5, 300, 1700000000.5),
      encodeHistogramEvent('h', summarizeHistogram([1, 5, 9]), 4, 3),
      summaryEvent([{ kind: 'scalar', tag: 's', value: 2 }, { kind: 'histogram', tag: 'h', summary: summarizeHistogram([1, 5]) }], 4, 3),
    ];
    for (const seed of seeds) {
      for (let i = 0; i < seed.length; i++) {
        for (const v of [0x00, 0x0a, 0x15, 0x2a, 0x80, 0xff, seed[i] ^ 0x01]) {
          const m = seed.slice();
          m[i] = v;
          const f = decodeFast(m, 0, m.length);
          expect(decodeColumns(m, 0, m.length)).toEqual(f);
          if (!f) continue;
          const slow = new EventDecoder();
          slow.fastPath = false;
          expect(f).toEqual(slow.decode(m, 'x').records);
        }
      }
    }
  });

  it('the columns path declines an event whose tag still has its metadata to be put on a record', () => {
    const ev = encodeEvent({ wall_time: 3, step: 7, summary: { value: [{ tag: 'a', simple_value: 1 }, { tag: 'b', simple_value: 2 }] } });
    const info = new Map([['b', { displayName: 'B', description: '' }]]);
    expect(decodeColumns(ev, 0, ev.length, { info, annotated: new Set() })).toBeNull();
    expect(decodeColumns(ev, 0, ev.length, { info, annotated: new Set(['b']) })).toHaveLength(2);
    expect(decodeColumns(ev, 0, ev.length, { info: new Map([['c', {}]]), annotated: new Set() })).toHaveLength(2);
  });
});
