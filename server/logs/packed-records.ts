// A slice of decoded records in a compact, transferable form, for handing a load worker's output to the
// main thread without one object per point: runs of plain scalar/histogram records become typed columns
// (a histogram as its n+1 bucket edges and n counts, flat); every other record (images, text, graphs,
// hparams, session logs, histograms whose buckets do not touch, and any record carrying metadata or an
// exact step past 2^53) stays an object. Segments keep the records' order, so rewinds and restarts apply
// exactly as for the plain records. PackBuilder fills the columns straight from the event bytes
// (fast-decode.ts), so the common records never exist as objects in the worker either.
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
  /** Scalar value, or the histogram's bucket count n. */
  value: Float64Array;
  /** Histogram bucket edges in row order: n + 1 per histogram with n > 0 (bucket k is [edges[k], edges[k+1]]). */
  edges: Float64Array;
  /** Histogram bucket counts in row order, n per histogram. */
  counts: Float64Array;
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

type Plain = Extract<LogRecord, { kind: 'scalar' | 'histogram' }>;

/** Whether a record can go in columns (exactly what unpackRecords gives back). */
function isColumnar(r: LogRecord): r is Plain {
  if (r.kind !== 'scalar' && r.kind !== 'histogram') return false;
  if (r.stepExact !== undefined || r.displayName !== undefined || r.description !== undefined) return false;
  if (r.kind === 'scalar') return true;
  const b = r.buckets;
  for (let k = 1; k < b.length; k++) if (!Object.is(b[k][0], b[k - 1][1])) return false;
  return true;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function grow<T extends Float64Array | Uint32Array | Uint8Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const next = make(Math.max(need, a.length * 2));
  next.set(a as never);
  return next;
}

/** Where a builder stood before an event: rollback() returns to it. */
export interface PackMark {
  rows: number;
  edges: number;
  counts: number;
}

/** Spare buffers a builder keeps for its next columns (see recycle()). */
const SPARE_MAX = 32;

/**
 * Packs records as they are decoded, in order. Column rows are written without step and wall time
 * (an event's fields may come in any order); timeRows() fills them in once the event is read.
 * The columns finish() hands out are views of the builder's own buffers, which it gives up (they are
 * moved to the receiver, not copied); the receiver may hand them back for reuse (recycle()).
 */
export class PackBuilder {
  private segments: Segment[] = [];
  private records: LogRecord[] | null = null;
  private count = 0;
  private tags: string[] = [];
  private tagIndex = new Map<string, number>();
  private rows = 0;
  private spare: ArrayBuffer[] = [];
  private type!: Uint8Array;
  private tag!: Uint32Array;
  private step!: Float64Array;
  private wall!: Float64Array;
  private value!: Float64Array;
  private edges!: Float64Array;
  private edgesU8!: Uint8Array;
  private nEdges = 0;
  private counts!: Float64Array;
  private countsU8!: Uint8Array;
  private nCounts = 0;

  constructor() {
    this.fresh(256, 4096, 4096);
  }

  /** Buffers given out by finish() and no longer used: the builder takes them for its next columns. */
  recycle(buffers: readonly ArrayBuffer[]): void {
    for (const b of buffers) if (this.spare.length < SPARE_MAX && b.byteLength > 0) this.spare.push(b);
  }

  /** A spare buffer of at least `bytes` (the smallest such), else a new one. */
  private take(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.spare.length; i++) {
      const len = this.spare[i].byteLength;
      if (len >= bytes && (best < 0 || len < this.spare[best].byteLength)) best = i;
    }
    if (best < 0) return new ArrayBuffer(bytes);
    const b = this.spare[best];
    this.spare[best] = this.spare[this.spare.length - 1];
    this.spare.pop();
    return b;
  }

  /** New column buffers (rows, edges, counts: capacities in elements). */
  private fresh(rows: number, edges: number, counts: number): void {
    this.type = new Uint8Array(this.take(rows), 0, rows);
    this.tag = new Uint32Array(this.take(rows * 4), 0, rows);
    this.step = new Float64Array(this.take(rows * 8), 0, rows);
    this.wall = new Float64Array(this.take(rows * 8), 0, rows);
    this.value = new Float64Array(this.take(rows * 8), 0, rows);
    this.edges = new Float64Array(this.take(edges * 8), 0, edges);
    this.edgesU8 = new Uint8Array(this.edges.buffer, 0, edges * 8);
    this.counts = new Float64Array(this.take(counts * 8), 0, counts);
    this.countsU8 = new Uint8Array(this.counts.buffer, 0, counts * 8);
  }

  /** Append a record (as an object, or in columns when it can be). */
  add(r: LogRecord): void {
    if (isColumnar(r)) {
      this.mark();
      if (r.kind === 'scalar') this.scalar(r.tag, r.value);
      else this.histogram(r);
      this.timeRows(this.rows - 1, r.wallTime, r.step);
      return;
    }
    this.flushColumns();
    (this.records ??= []).push(r);
    this.count++;
  }

  /** Start an event's column rows (closes a records segment); returns where to roll back to. */
  mark(): PackMark {
    if (this.records) {
      this.segments.push({ kind: 'records', records: this.records });
      this.records = null;
    }
    return { rows: this.rows, edges: this.nEdges, counts: this.nCounts };
  }

  rollback(m: PackMark): void {
    this.count -= this.rows - m.rows;
    this.rows = m.rows;
    this.nEdges = m.edges;
    this.nCounts = m.counts;
  }

  /** Set step and wall time of the rows from `fromRow` on. */
  timeRows(fromRow: number, wallTime: number, step: number): void {
    for (let k = fromRow; k < this.rows; k++) {
      this.wall[k] = wallTime;
      this.step[k] = step;
    }
  }

  get rowCount(): number {
    return this.rows;
  }

  private row(tag: string, type: number, value: number): void {
    const k = this.rows;
    if (k === this.type.length) {
      const n = k * 2;
      this.type = grow(this.type, n, (x) => new Uint8Array(x));
      this.tag = grow(this.tag, n, (x) => new Uint32Array(x));
      this.step = grow(this.step, n, (x) => new Float64Array(x));
      this.wall = grow(this.wall, n, (x) => new Float64Array(x));
      this.value = grow(this.value, n, (x) => new Float64Array(x));
    }
    let t = this.tagIndex.get(tag);
    if (t === undefined) {
      t = this.tags.length;
      this.tags.push(tag);
      this.tagIndex.set(tag, t);
    }
    this.type[k] = type;
    this.tag[k] = t;
    this.value[k] = value;
    this.rows = k + 1;
    this.count++;
  }

  scalar(tag: string, value: number): void {
    this.row(tag, 0, value);
  }

  private room(edges: number, counts: number): void {
    if (this.nEdges + edges > this.edges.length) {
      this.edges = grow(this.edges, this.nEdges + edges, (x) => new Float64Array(x));
      this.edgesU8 = new Uint8Array(this.edges.buffer);
    }
    if (this.nCounts + counts > this.counts.length) {
      this.counts = grow(this.counts, this.nCounts + counts, (x) => new Float64Array(x));
      this.countsU8 = new Uint8Array(this.counts.buffer);
    }
  }

  /** A histogram of contiguous buckets given as objects. */
  private histogram(r: Extract<LogRecord, { kind: 'histogram' }>): void {
    const n = r.buckets.length;
    this.row(r.tag, 1, n);
    if (n === 0) return;
    this.room(n + 1, n);
    let e = this.nEdges;
    let c = this.nCounts;
    for (const [left, , count] of r.buckets) {
      this.edges[e++] = left;
      this.counts[c++] = count;
    }
    this.edges[e++] = r.buckets[n - 1][1];
    this.nEdges = e;
    this.nCounts = c;
  }

  /**
   * A histogram straight from a HistogramProto's bytes: buckets first..last of the packed little-endian
   * doubles at limits / counts in `b` (bucket i spans limits[i-1]..limits[i]); the first bucket starts
   * at `min`, the last ends at `max` (as TensorBoard reads them). n = last - first + 1 (0: none).
   */
  histogramBytes(tag: string, b: Uint8Array, dv: DataView, limits: number, counts: number, first: number, last: number, min: number, max: number): void {
    const n = last - first + 1;
    if (n <= 0) {
      this.row(tag, 1, 0);
      return;
    }
    this.row(tag, 1, n);
    this.room(n + 1, n);
    const e = this.nEdges;
    const c = this.nCounts;
    this.edges[e] = min;
    this.edges[e + n] = max;
    if (LITTLE_ENDIAN) {
      // Plain byte copies: the proto's packed doubles are the columns' doubles.
      this.edgesU8.set(b.subarray(limits + first * 8, limits + last * 8), (e + 1) * 8);
      this.countsU8.set(b.subarray(counts + first * 8, counts + (last + 1) * 8), c * 8);
    } else {
      for (let k = 1; k < n; k++) this.edges[e + k] = dv.getFloat64(limits + (first + k - 1) * 8, true);
      for (let k = 0; k < n; k++) this.counts[c + k] = dv.getFloat64(counts + (first + k) * 8, true);
    }
    this.nEdges = e + n + 1;
    this.nCounts = c + n;
  }

  private flushColumns(): void {
    const n = this.rows;
    if (n === 0) return;
    // Exact-length views of the buffers, which go with the segment; the builder takes others.
    this.segments.push({
      kind: 'columns',
      tags: this.tags,
      type: new Uint8Array(this.type.buffer, 0, n),
      tag: new Uint32Array(this.tag.buffer, 0, n),
      step: new Float64Array(this.step.buffer, 0, n),
      wallTime: new Float64Array(this.wall.buffer, 0, n),
      value: new Float64Array(this.value.buffer, 0, n),
      edges: new Float64Array(this.edges.buffer, 0, this.nEdges),
      counts: new Float64Array(this.counts.buffer, 0, this.nCounts),
    });
    this.fresh(this.type.length, this.edges.length, this.counts.length);
    this.tags = [];
    this.tagIndex = new Map();
    this.rows = this.nEdges = this.nCounts = 0;
  }

  /** What was added since the last finish(); `transfer` lists the buffers to move with postMessage. */
  finish(): { packed: PackedRecords; transfer: ArrayBuffer[] } {
    this.flushColumns();
    if (this.records) this.segments.push({ kind: 'records', records: this.records });
    const segments = this.segments;
    const packed = { segments, count: this.count };
    this.segments = [];
    this.records = null;
    this.count = 0;
    const transfer: ArrayBuffer[] = [];
    for (const s of segments) {
      if (s.kind === 'columns') for (const a of [s.type, s.tag, s.step, s.wallTime, s.value, s.edges, s.counts]) transfer.push(a.buffer as ArrayBuffer);
    }
    return { packed, transfer };
  }
}

/** The buffers of a packed slice's columns (to hand back to its builder once ingested; detached ones left out). */
export function columnBuffers(p: PackedRecords): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const s of p.segments) {
    if (s.kind !== 'columns') continue;
    for (const a of [s.type, s.tag, s.step, s.wallTime, s.value, s.edges, s.counts]) {
      const b = a.buffer;
      if (b instanceof ArrayBuffer && b.byteLength > 0) out.add(b);
    }
  }
  return [...out];
}

/** Pack records (order kept); `transfer` lists the buffers to move with postMessage. */
export function packRecords(records: readonly LogRecord[]): { packed: PackedRecords; transfer: ArrayBuffer[] } {
  const b = new PackBuilder();
  for (const r of records) b.add(r);
  return b.finish();
}

/** The records back as objects (for consumers other than the store, and for tests). */
export function unpackRecords(p: PackedRecords): LogRecord[] {
  const out: LogRecord[] = [];
  for (const seg of p.segments) {
    if (seg.kind === 'records') {
      out.push(...seg.records);
      continue;
    }
    let e = 0;
    let c = 0;
    for (let k = 0; k < seg.type.length; k++) {
      const base = { wallTime: seg.wallTime[k], step: seg.step[k], tag: seg.tags[seg.tag[k]] };
      if (seg.type[k] === 0) out.push({ kind: 'scalar', ...base, value: seg.value[k] });
      else {
        const n = seg.value[k];
        const buckets: [number, number, number][] = new Array(n);
        for (let q = 0; q < n; q++) buckets[q] = [seg.edges[e + q], seg.edges[e + q + 1], seg.counts[c + q]];
        if (n > 0) e += n + 1;
        c += n;
        out.push({ kind: 'histogram', ...base, buckets });
      }
    }
  }
  return out;
}
