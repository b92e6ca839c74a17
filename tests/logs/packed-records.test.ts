// Packed records (a load worker's hand-over) give back exactly the records, in order; a decoder packing
// as it decodes gives what decoding to objects and annotating gives.
import { describe, expect, it } from 'vitest';
import { annotate } from '../../server/logs/annotate.ts';
import { EventDecoder } from '../../server/logs/event-codec.ts';
import { EventFileTailer } from '../../server/logs/event-file-reader.ts';
import { columnBuffers, PackBuilder, packRecords, unpackRecords, type PackedRecords } from '../../server/logs/packed-records.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { corpusFiles } from './corpus-files.ts';

const base = { wallTime: 1.5, step: 3 };
const records: LogRecord[] = [
  { kind: 'scalar', ...base, tag: 'a', value: 0.5 },
  { kind: 'histogram', ...base, tag: 'h', buckets: [[-1, 0, 2], [0, 0.5, 0], [0.5, 2, 7]] },
  { kind: 'histogram', ...base, step: 4, tag: 'h', buckets: [] },
  { kind: 'histogram', ...base, tag: 'gapped', buckets: [[0, 1, 1], [2, 3, 1]] },
  { kind: 'histogram', ...base, tag: 'minus0', buckets: [[-1, 0, 1], [-0, 1, 1]] },
  { kind: 'scalar', ...base, tag: 'a', value: NaN, stepExact: '18446744073709551615' },
  { kind: 'scalar', ...base, tag: 'named', value: 1, displayName: 'N' },
  { kind: 'meta', ...base, what: 'session_log', detail: 'START' },
  { kind: 'scalar', ...base, step: 5, tag: 'b', value: -Infinity },
  { kind: 'histogram', ...base, step: 5, tag: 'one', buckets: [[-0, 2 ** 60, 2 ** 40 + 0.5]] },
];

/** Through postMessage's structured clone, the buffers moved. */
function sent(p: { packed: PackedRecords; transfer: ArrayBuffer[] }): PackedRecords {
  return structuredClone(p.packed, { transfer: p.transfer });
}

describe('packed records', () => {
  it('give back every record exactly, in order, plain ones from columns', () => {
    const p = packRecords(records);
    expect(p.packed.count).toBe(records.length);
    // what goes in columns: the plain scalars and the histograms whose buckets touch (-0 is not 0)
    expect(p.packed.segments.map((s) => (s.kind === 'columns' ? `c${s.type.length}` : `r${s.records.length}`))).toEqual(['c3', 'r5', 'c2']);
    const cols = p.packed.segments[0];
    if (cols.kind !== 'columns') throw new Error('columns expected');
    expect(Array.from(cols.edges)).toEqual([-1, 0, 0.5, 2]);
    expect(Array.from(cols.counts)).toEqual([2, 0, 7]);
    const back = unpackRecords(sent(p));
    expect(back).toEqual(records);
    expect(Object.is((back[4] as { buckets: number[][] }).buckets[1][0], -0)).toBe(true);
    expect(Object.is((back[9] as { buckets: number[][] }).buckets[0][0], -0)).toBe(true);
  });

  it('a builder is reusable: each finish() hands over what came since the last one', () => {
    const b = new PackBuilder();
    for (const r of records.slice(0, 4)) b.add(r);
    const first = sent(b.finish());
    for (const r of records.slice(4)) b.add(r);
    const second = sent(b.finish());
    expect(unpackRecords(first)).toEqual(records.slice(0, 4));
    expect(unpackRecords(second)).toEqual(records.slice(4));
    expect(b.finish().packed).toEqual({ segments: [], count: 0 });
  });

  it('takes back the buffers it handed out: later slices reuse them, and read right', () => {
    const b = new PackBuilder();
    for (const r of records) b.add(r);
    const first = b.finish();
    expect(unpackRecords(first.packed)).toEqual(records);
    const back = columnBuffers(first.packed);
    expect(new Set(back)).toEqual(new Set(first.transfer));
    b.recycle(back); // first.packed is done with: its buffers are the builder's again
    const more = [...records, ...records].map((r) => ({ ...r, step: r.step + 10 }));
    for (const r of more) b.add(r);
    const second = b.finish();
    expect(second.transfer.filter((x) => back.includes(x)).length).toBeGreaterThanOrEqual(5);
    expect(unpackRecords(sent(second))).toEqual(more);
    // moved buffers (detached here) are neither handed back nor taken
    expect(columnBuffers(second.packed)).toEqual([]);
    b.recycle(second.transfer);
    b.add(records[0]);
    expect(unpackRecords(b.finish().packed)).toEqual([records[0]]);
  });

  it('a decoder packing as it decodes gives what decoding and annotating give, on every corpus file', async () => {
    let packedRecords = 0;
    for (const f of corpusFiles()) {
      const plain = new EventFileTailer(f, { lenient: true, maxBytesPerPoll: 64 << 10 });
      const annotated = new Set<string>();
      const want: LogRecord[] = [];
      const dec = new EventDecoder();
      const packing = new EventFileTailer(f, { lenient: true, maxBytesPerPoll: 64 << 10, decoder: dec });
      const out = new PackBuilder();
      const packedAnnotated = new Set<string>();
      dec.packInto(out, packedAnnotated);
      const got: LogRecord[] = [];
      for (;;) {
        const before = plain.position;
        const a = await plain.poll();
        annotate(plain.decoder.tagInfo, annotated, a.records);
        want.push(...a.records);
        const b = await packing.poll();
        expect(b.records).toEqual([]);
        expect(b.warnings).toEqual(a.warnings);
        expect(packing.position).toBe(plain.position);
        got.push(...unpackRecords(sent(out.finish())));
        if (plain.position === before || a.truncatedAt !== null) break;
      }
      expect(got).toEqual(want);
      expect([...packedAnnotated].sort()).toEqual([...annotated].sort());
      packedRecords += got.length;
    }
    expect(packedRecords).toBeGreaterThan(1000);
  }, 120_000);
});
