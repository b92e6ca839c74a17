// A slice of decoded records in a compact, transferable form, for handing a load worker's output to the
// main thread without one object per point: runs of plain scalar/histogram records become typed columns
// (histogram buckets flat, as [left, right, count] triples); every other record (images, text, graphs,
// hparams, session logs, and any record carrying metadata or an exact step past 2^53) stays an object.
// Segments keep the records' order, so rewinds and restarts apply exactly as for the plain records.
import type { LogRecord } from './records.ts';

export interface ColumnSegment {
  kind: 'columns';
  /** Tag table of this segment (rows refer to it by index). */
  tags: string[];
  /** 0: scalar, 1: histogram. */
  type: Uint8Array;
  tag: Uint32Array;
  step: Float64Array;
  wallTime: Float64Array;
  /** Scalar value, or the histogram's bucket count. */
  value: Float64Array;
  /** Histogram buckets in row order, three numbers each. */
  buckets: Float64Array;
}
export interface RecordSegment {
  kind: 'records';
  records: LogRecord[];
}
export type Segment = ColumnSegment | RecordSegment;

export interface PackedRecords {
  segments: Segment[];
  /** Number of records packed. */
  count: number;
}

const isColumnar = (r: LogRecord): boolean =>
  (r.kind === 'scalar' || r.kind === 'histogram') && r.stepExact === undefined && r.displayName === undefined && r.description === undefined;

function columns(records: readonly LogRecord[], from: number, to: number): ColumnSegment {
  const n = to - from;
  let nb = 0;
  for (let i = from; i < to; i++) {
    const r = records[i];
    if (r.kind === 'histogram') nb += r.buckets.length;
  }
  const seg: ColumnSegment = {
    kind: 'columns',
    tags: [],
    type: new Uint8Array(n),
    tag: new Uint32Array(n),
    step: new Float64Array(n),
    wallTime: new Float64Array(n),
    value: new Float64Array(n),
    buckets: new Float64Array(nb * 3),
  };
  const tagIndex = new Map<string, number>();
  let b = 0;
  for (let i = from; i < to; i++) {
    const r = records[i] as Extract<LogRecord, { kind: 'scalar' | 'histogram' }>;
    const k = i - from;
    let t = tagIndex.get(r.tag);
    if (t === undefined) {
      t = seg.tags.length;
      seg.tags.push(r.tag);
      tagIndex.set(r.tag, t);
    }
    seg.tag[k] = t;
    seg.step[k] = r.step;
    seg.wallTime[k] = r.wallTime;
    if (r.kind === 'scalar') seg.value[k] = r.value;
    else {
      seg.type[k] = 1;
      seg.value[k] = r.buckets.length;
      for (const [left, right, count] of r.buckets) {
        seg.buckets[b++] = left;
        seg.buckets[b++] = right;
        seg.buckets[b++] = count;
      }
    }
  }
  return seg;
}

/** Pack records (order kept); `transfer` lists the buffers to move with postMessage. */
export function packRecords(records: readonly LogRecord[]): { packed: PackedRecords; transfer: ArrayBuffer[] } {
  const segments: Segment[] = [];
  const transfer: ArrayBuffer[] = [];
  let i = 0;
  while (i < records.length) {
    let j = i;
    if (isColumnar(records[i])) {
      while (j < records.length && isColumnar(records[j])) j++;
      const seg = columns(records, i, j);
      segments.push(seg);
      for (const a of [seg.type, seg.tag, seg.step, seg.wallTime, seg.value, seg.buckets]) transfer.push(a.buffer as ArrayBuffer);
    } else {
      while (j < records.length && !isColumnar(records[j])) j++;
      segments.push({ kind: 'records', records: records.slice(i, j) });
    }
    i = j;
  }
  return { packed: { segments, count: records.length }, transfer };
}

/** The records back as objects (for consumers other than the store, and for tests). */
export function unpackRecords(p: PackedRecords): LogRecord[] {
  const out: LogRecord[] = [];
  for (const seg of p.segments) {
    if (seg.kind === 'records') {
      out.push(...seg.records);
      continue;
    }
    let b = 0;
    for (let k = 0; k < seg.type.length; k++) {
      const base = { wallTime: seg.wallTime[k], step: seg.step[k], tag: seg.tags[seg.tag[k]] };
      if (seg.type[k] === 0) out.push({ kind: 'scalar', ...base, value: seg.value[k] });
      else {
        const n = seg.value[k];
        const buckets: [number, number, number][] = new Array(n);
        for (let q = 0; q < n; q++, b += 3) buckets[q] = [seg.buckets[b], seg.buckets[b + 1], seg.buckets[b + 2]];
        out.push({ kind: 'histogram', ...base, buckets });
      }
    }
  }
  return out;
}
