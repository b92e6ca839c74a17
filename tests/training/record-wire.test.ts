// Records packed for the worker -> main thread hop come back exactly, in order.
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../server/logs/records.ts';
import { histogramProtoToBuckets, summarizeHistogram } from '../../shared/histogram.ts';
import { histogramProtoOf, lazyHistogramRecord } from '../../server/training/lazy-histogram.ts';
import { packRecords, unpackRecords, wireTransferList } from '../../server/training/record-wire.ts';

const scalar = (tag: string, step: number, value: number): LogRecord => ({ kind: 'scalar', tag, step, value, wallTime: 1_700_000_000.123 + step });

describe('record wire format', () => {
  it('round-trips every kind of record, keeping the order and every field', () => {
    const records: LogRecord[] = [
      scalar('train/loss', 1, 0.6931471824645996),
      scalar('train/accuracy', 1, 0.5),
      { kind: 'histogram', tag: 'dense_1/kernel', step: 1, wallTime: 1_700_000_001.5, buckets: [[-0.5, -0.1, 3], [-0.1, 0.25, 0], [0.25, 1e-300, 7.5]] },
      { kind: 'histogram', tag: 'empty', step: 1, wallTime: 1_700_000_001.5, buckets: [], displayName: 'E', description: 'none' },
      scalar('dense_1/grad_norm', 1, NaN),
      { kind: 'scalar', tag: 'described', step: 2, value: -Infinity, wallTime: 3, displayName: 'D', description: 'shown as is' },
      scalar('train/loss', 2, 0.5),
      { kind: 'image', tag: 'images/x', step: 2, wallTime: 4, width: 1, height: 1, sample: 0, data: new Uint8Array([1, 2, 3]) },
      { kind: 'hparams', tag: '_hparams_/session_end_info', part: 'session_end', status: 'STATUS_SUCCESS', step: 0, wallTime: 5 },
      scalar('train/loss', 2 ** 40, 1e-45),
    ];
    const blocks = packRecords(records);
    expect(blocks.map((b) => b.kind)).toEqual(['scalars', 'histogram', 'histogram', 'scalars', 'record', 'scalars', 'record', 'record', 'scalars']);
    expect(unpackRecords(structuredClone(blocks))).toEqual(records);
  });

  it('moves typed arrays only, which transfer rather than copy', () => {
    const records = Array.from({ length: 1000 }, (_, i) => scalar(`t${i % 7}`, i, i / 3));
    const blocks = packRecords(records);
    expect(blocks).toHaveLength(1);
    expect(blocks[0].kind === 'scalars' && blocks[0].tags).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
    const transfer = wireTransferList(blocks);
    expect(transfer).toHaveLength(4);
    const moved = structuredClone(blocks, { transfer });
    expect(transfer[0].byteLength).toBe(0); // detached: the data went with the message
    expect(unpackRecords(moved)).toEqual(records);
  });

  it('starts a new block before 65536 scalars (16-bit tag index)', () => {
    const records = Array.from({ length: 70_000 }, (_, i) => scalar('a', i, 1));
    const blocks = packRecords(records);
    expect(blocks.map((b) => (b.kind === 'scalars' ? b.tag.length : -1))).toEqual([65_535, 4_465]);
    expect(unpackRecords(blocks)).toHaveLength(70_000);
  });

  it('packs a lazy histogram record from its proto, without making its buckets, to what its buckets would be', () => {
    const cases = [[0.5, -2, 3e-5, 3e-5, 7], [], [NaN, 1], [-0.25]].map((vs) => summarizeHistogram(vs));
    for (const h of cases) {
      const r = lazyHistogramRecord('dense_1/kernel', h, 7, 1_700_000_002.25);
      expect(histogramProtoOf(r)).toBe(h);
      const blocks = packRecords([r]);
      expect(blocks.map((b) => b.kind)).toEqual(['histogram']);
      expect(unpackRecords(structuredClone(blocks))).toEqual([
        { kind: 'histogram', tag: 'dense_1/kernel', step: 7, wallTime: 1_700_000_002.25, buckets: histogramProtoToBuckets(h) },
      ]);
      // Read directly, the record makes the same buckets (once).
      expect(r.buckets).toEqual(histogramProtoToBuckets(h));
      expect(r.buckets).toBe(r.buckets);
    }
    expect(histogramProtoOf({ kind: 'histogram', tag: 'x', step: 0, wallTime: 0, buckets: [] })).toBeUndefined();
  });
});
