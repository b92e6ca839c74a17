// Hand-written decoder for the most common record shapes:
//   Event{wall_time, step, summary{value{tag, simple_value}}}  and the same with histo{HistogramProto},
// one value or several (TF1's merged summaries, our trainer's summary steps), without metadata. Anything
// unexpected appends nothing and the caller falls back to protobufjs; tests compare both on every corpus
// record and on our writer's output.
import type { LogRecord } from './records.ts';
import type { Bucket } from '../../shared/types.ts';
import { MAX_TAG_CHARS } from './names.ts';
import type { PackBuilder, PackMark } from './packed-records.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Tags repeat on every step: intern them in a direct-mapped cache (one string per tag, no UTF-8
// decode per record, and records of one tag share the string).
const TAG_SLOTS = 4096;
const slotBytes: (Uint8Array | undefined)[] = new Array(TAG_SLOTS);
const slotTag: (string | undefined)[] = new Array(TAG_SLOTS);

function internTag(b: Uint8Array, start: number, end: number): string | null {
  const n = end - start;
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  const slot = (h ^ (h >>> 15)) & (TAG_SLOTS - 1);
  const cached = slotBytes[slot];
  if (cached !== undefined && cached.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (cached[i] !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return slotTag[slot]!;
  }
  let tag: string;
  try {
    tag = utf8.decode(b.subarray(start, end));
  } catch {
    return null;
  }
  slotBytes[slot] = b.slice(start, end);
  slotTag[slot] = tag;
  return tag;
}

// Varint reader state (avoids allocating a result pair per call).
let vPos = 0;
/** Reads a varint at pos (< end) into the return value and vPos; -1 when malformed or > 2^53. */
function varint(b: Uint8Array, pos: number, end: number): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (pos >= end) return -1;
    const byte = b[pos++];
    result += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) {
      vPos = pos;
      return result <= Number.MAX_SAFE_INTEGER ? result : -1;
    }
    mul *= 128;
  }
  return -1; // 9-10 byte varints (negative or huge int64): leave to protobufjs
}

// Where the last parseHisto() found a HistogramProto's parts (avoids allocating a result per call).
let hMin = 0;
let hMax = 0;
let hLimits = 0;
let hCounts = 0;
let hFirst = 0;
let hLast = -1;

/** Reads HistogramProto{min, max, ..., bucket_limit, bucket} in b[start, end); false if not that shape. */
function parseHisto(b: Uint8Array, dv: DataView, start: number, end: number): boolean {
  let min = 0;
  let max = 0;
  let limStart = -1;
  let limLen = 0;
  let cntStart = -1;
  let cntLen = 0;
  let pos = start;
  while (pos < end) {
    const key = b[pos++];
    if (key === 0x09 || key === 0x11 || key === 0x19 || key === 0x21 || key === 0x29) {
      if (pos + 8 > end) return false;
      if (key === 0x09) min = dv.getFloat64(pos, true);
      else if (key === 0x11) max = dv.getFloat64(pos, true);
      pos += 8;
    } else if (key === 0x32 || key === 0x3a) {
      const len = varint(b, pos, end);
      if (len < 0 || vPos + len > end || len % 8 !== 0) return false;
      if (key === 0x32) {
        if (limStart >= 0) return false;
        limStart = vPos;
        limLen = len / 8;
      } else {
        if (cntStart >= 0) return false;
        cntStart = vPos;
        cntLen = len / 8;
      }
      pos = vPos + len;
    } else {
      return false;
    }
  }
  if (pos !== end || limLen !== cntLen) return false;
  // Leading and trailing empty buckets are dropped (as TensorBoard does).
  let first = 0;
  while (first < cntLen && !(dv.getFloat64(cntStart + first * 8, true) > 0)) first++;
  let last = cntLen - 1;
  while (last >= 0 && !(dv.getFloat64(cntStart + last * 8, true) > 0)) last--;
  hMin = min;
  hMax = max;
  hLimits = limStart;
  hCounts = cntStart;
  hFirst = first;
  hLast = last;
  return true;
}

/** The parsed histogram's buckets as objects; each bucket's left edge is the previous bucket's right edge. */
function histoBuckets(dv: DataView): Bucket[] {
  const n = hLast - hFirst + 1;
  if (n <= 0) return [];
  const out: Bucket[] = new Array(n);
  let left = hMin;
  for (let k = 0, i = hFirst; k < n; k++, i++) {
    const right = i === hLast ? hMax : dv.getFloat64(hLimits + i * 8, true);
    out[k] = [left, right, dv.getFloat64(hCounts + i * 8, true)];
    left = right;
  }
  return out;
}

/** Where the fast path puts an event's values: LogRecord objects, or a load worker's columns. */
interface Sink {
  /** Before the event's first value. */
  begin(): void;
  /** False: the value cannot go this way (the event is declined). */
  scalar(tag: string, value: number): boolean;
  /** The histogram parseHisto() just read. */
  histogram(tag: string, b: Uint8Array, dv: DataView): boolean;
  /** Take back what the event appended. */
  undo(): void;
  /** The event is read: its values get its step and wall time; false if it had none. */
  end(wallTime: number, step: number): boolean;
}

class RecordSink implements Sink {
  records: LogRecord[] = [];
  private before = 0;
  begin(): void {
    this.before = this.records.length;
  }
  scalar(tag: string, value: number): boolean {
    this.records.push({ kind: 'scalar', wallTime: 0, step: 0, tag, value });
    return true;
  }
  histogram(tag: string, _b: Uint8Array, dv: DataView): boolean {
    this.records.push({ kind: 'histogram', wallTime: 0, step: 0, tag, buckets: histoBuckets(dv) });
    return true;
  }
  undo(): void {
    this.records.length = this.before;
  }
  end(wallTime: number, step: number): boolean {
    const r = this.records;
    if (r.length === this.before) return false;
    for (let i = this.before; i < r.length; i++) {
      r[i].wallTime = wallTime;
      r[i].step = step;
    }
    return true;
  }
}

/** Tags whose metadata still has to go on a record (see annotate.ts): such values are declined. */
export interface PendingInfo {
  info: ReadonlyMap<string, unknown>;
  annotated: ReadonlySet<string>;
}

class ColumnSink implements Sink {
  out!: PackBuilder;
  pending!: PendingInfo;
  private m: PackMark = { rows: 0, edges: 0, counts: 0 };
  begin(): void {
    this.m = this.out.mark();
  }
  private plain(tag: string): boolean {
    const p = this.pending;
    return p.info.size === p.annotated.size || p.annotated.has(tag) || !p.info.has(tag);
  }
  scalar(tag: string, value: number): boolean {
    if (!this.plain(tag)) return false;
    this.out.scalar(tag, value);
    return true;
  }
  histogram(tag: string, b: Uint8Array, dv: DataView): boolean {
    if (!this.plain(tag)) return false;
    this.out.histogramBytes(tag, b, dv, hLimits, hCounts, hFirst, hLast, hMin, hMax);
    return true;
  }
  undo(): void {
    this.out.rollback(this.m);
  }
  end(wallTime: number, step: number): boolean {
    if (this.out.rowCount === this.m.rows) return false;
    this.out.timeRows(this.m.rows, wallTime, step);
    return true;
  }
}

const recordSink = new RecordSink();
const columnSink = new ColumnSink();

/** Takes back what an event appended before it turned out not to be a simple shape. */
function decline(sink: Sink): false {
  sink.undo();
  return false;
}

let lastBuf: Uint8Array | null = null;
let lastDv: DataView | null = null;

/**
 * Decodes the event in b[start, end) if it is one of the simple shapes, appending its records (one per
 * Summary.Value, in order) to `records`; returns false, having appended nothing, otherwise.
 */
export function decodeFastInto(b: Uint8Array, start: number, end: number, records: LogRecord[]): boolean {
  recordSink.records = records;
  const ok = decodeWith(b, start, end, recordSink);
  recordSink.records = [];
  return ok;
}

/**
 * decodeFastInto for a load worker: the event's values go straight into `out`'s columns (no object per
 * record). Also declines an event with a value whose tag's metadata is still to be put on a record.
 */
export function decodeFastColumns(b: Uint8Array, start: number, end: number, out: PackBuilder, pending: PendingInfo): boolean {
  columnSink.out = out;
  columnSink.pending = pending;
  return decodeWith(b, start, end, columnSink);
}

function decodeWith(b: Uint8Array, start: number, end: number, sink: Sink): boolean {
  if (b !== lastBuf) {
    lastBuf = b;
    lastDv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  const dv = lastDv!;
  sink.begin();
  let pos = start;
  let wallTime = 0;
  let step = 0;
  let sawSummary = false;
  // The values are read before wall_time/step may have appeared (fields can come in any order): the
  // records take them at the end.
  while (pos < end) {
    const key = b[pos++];
    if (key === 0x09) {
      if (pos + 8 > end) return decline(sink);
      wallTime = dv.getFloat64(pos, true);
      pos += 8;
    } else if (key === 0x10) {
      step = varint(b, pos, end);
      if (step < 0) return decline(sink);
      pos = vPos;
    } else if (key === 0x2a && !sawSummary) {
      sawSummary = true;
      const sLen = varint(b, pos, end);
      if (sLen < 0) return decline(sink);
      const sEnd = vPos + sLen;
      if (sEnd > end) return decline(sink);
      pos = vPos;
      if (pos === sEnd) return decline(sink); // no values: left to the full decoder
      while (pos < sEnd) {
        if (b[pos++] !== 0x0a) return decline(sink); // Summary.value, nothing else
        const vLen = varint(b, pos, sEnd);
        if (vLen < 0 || vPos + vLen > sEnd) return decline(sink);
        pos = vPos;
        const vEnd = pos + vLen;
        let tag: string | null = null;
        let value: number | null = null;
        let histo = false;
        while (pos < vEnd) {
          const k = b[pos++];
          if (k === 0x0a && tag === null) {
            const tLen = varint(b, pos, vEnd);
            if (tLen < 0 || vPos + tLen > vEnd) return decline(sink);
            if (tLen > MAX_TAG_CHARS) return decline(sink); // maybe over-long: capped (and warned) by the full decoder
            tag = internTag(b, vPos, vPos + tLen);
            if (tag === null) return decline(sink);
            pos = vPos + tLen;
          } else if (k === 0x15 && value === null && !histo) {
            if (pos + 4 > vEnd) return decline(sink);
            value = dv.getFloat32(pos, true);
            pos += 4;
          } else if (k === 0x2a && value === null && !histo) {
            const hLen = varint(b, pos, vEnd);
            if (hLen < 0 || vPos + hLen > vEnd) return decline(sink);
            const hStart = vPos; // parseHisto moves vPos
            if (!parseHisto(b, dv, hStart, hStart + hLen)) return decline(sink);
            histo = true;
            pos = hStart + hLen;
          } else {
            return decline(sink);
          }
        }
        if (tag === null || pos !== vEnd) return decline(sink);
        // A histogram is handed over before the next value's parseHisto() overwrites what it found.
        if (value !== null) {
          if (!sink.scalar(tag, value)) return decline(sink);
        } else if (histo) {
          if (!sink.histogram(tag, b, dv)) return decline(sink);
        } else return decline(sink);
      }
    } else {
      return decline(sink);
    }
  }
  if (pos !== end || !sink.end(wallTime, step)) return decline(sink);
  return true;
}
