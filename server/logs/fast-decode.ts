// Hand-written decoder for the most common record shapes:
//   Event{wall_time, step, summary{value{tag, simple_value}}}  and the same with histo{HistogramProto},
// one value or several (TF1's merged summaries, our trainer's summary steps), without metadata. Anything
// unexpected appends nothing and the caller falls back to protobufjs; tests compare both on every corpus
// record and on our writer's output.
import type { LogRecord } from './records.ts';
import type { Bucket } from '../../shared/types.ts';
import { MAX_TAG_CHARS } from './names.ts';

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

function histoBuckets(b: Uint8Array, dv: DataView, start: number, end: number): Bucket[] | null {
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
      if (pos + 8 > end) return null;
      if (key === 0x09) min = dv.getFloat64(pos, true);
      else if (key === 0x11) max = dv.getFloat64(pos, true);
      pos += 8;
    } else if (key === 0x32 || key === 0x3a) {
      const len = varint(b, pos, end);
      if (len < 0 || vPos + len > end || len % 8 !== 0) return null;
      if (key === 0x32) {
        if (limStart >= 0) return null;
        limStart = vPos;
        limLen = len / 8;
      } else {
        if (cntStart >= 0) return null;
        cntStart = vPos;
        cntLen = len / 8;
      }
      pos = vPos + len;
    } else {
      return null;
    }
  }
  if (pos !== end || limLen !== cntLen) return null;
  let first = 0;
  while (first < cntLen && !(dv.getFloat64(cntStart + first * 8, true) > 0)) first++;
  let last = cntLen - 1;
  while (last >= 0 && !(dv.getFloat64(cntStart + last * 8, true) > 0)) last--;
  // Exact-length array (no regrowth); each bucket's left edge is the previous bucket's right edge.
  const n = last - first + 1;
  if (n <= 0) return [];
  const out: Bucket[] = new Array(n);
  let left = min;
  for (let k = 0, i = first; k < n; k++, i++) {
    const right = i === last ? max : dv.getFloat64(limStart + i * 8, true);
    out[k] = [left, right, dv.getFloat64(cntStart + i * 8, true)];
    left = right;
  }
  return out;
}

/** Takes back what an event appended before it turned out not to be a simple shape. */
function decline(records: LogRecord[], before: number): false {
  records.length = before;
  return false;
}

let lastBuf: Uint8Array | null = null;
let lastDv: DataView | null = null;

/**
 * Decodes the event in b[start, end) if it is one of the simple shapes, appending its records (one per
 * Summary.Value, in order) to `records`; returns false, having appended nothing, otherwise.
 */
export function decodeFastInto(b: Uint8Array, start: number, end: number, records: LogRecord[]): boolean {
  if (b !== lastBuf) {
    lastBuf = b;
    lastDv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  const dv = lastDv!;
  const before = records.length;
  let pos = start;
  let wallTime = 0;
  let step = 0;
  let sawSummary = false;
  // The values are read before wall_time/step may have appeared (fields can come in any order): the
  // records take them at the end.
  while (pos < end) {
    const key = b[pos++];
    if (key === 0x09) {
      if (pos + 8 > end) return decline(records, before);
      wallTime = dv.getFloat64(pos, true);
      pos += 8;
    } else if (key === 0x10) {
      step = varint(b, pos, end);
      if (step < 0) return decline(records, before);
      pos = vPos;
    } else if (key === 0x2a && !sawSummary) {
      sawSummary = true;
      const sLen = varint(b, pos, end);
      if (sLen < 0) return decline(records, before);
      const sEnd = vPos + sLen;
      if (sEnd > end) return decline(records, before);
      pos = vPos;
      if (pos === sEnd) return decline(records, before); // no values: left to the full decoder
      while (pos < sEnd) {
        if (b[pos++] !== 0x0a) return decline(records, before); // Summary.value, nothing else
        const vLen = varint(b, pos, sEnd);
        if (vLen < 0 || vPos + vLen > sEnd) return decline(records, before);
        pos = vPos;
        const vEnd = pos + vLen;
        let tag: string | null = null;
        let value: number | null = null;
        let buckets: Bucket[] | null = null;
        while (pos < vEnd) {
          const k = b[pos++];
          if (k === 0x0a && tag === null) {
            const tLen = varint(b, pos, vEnd);
            if (tLen < 0 || vPos + tLen > vEnd) return decline(records, before);
            if (tLen > MAX_TAG_CHARS) return decline(records, before); // maybe over-long: capped (and warned) by the full decoder
            tag = internTag(b, vPos, vPos + tLen);
            if (tag === null) return decline(records, before);
            pos = vPos + tLen;
          } else if (k === 0x15 && value === null && buckets === null) {
            if (pos + 4 > vEnd) return decline(records, before);
            value = dv.getFloat32(pos, true);
            pos += 4;
          } else if (k === 0x2a && value === null && buckets === null) {
            const hLen = varint(b, pos, vEnd);
            if (hLen < 0 || vPos + hLen > vEnd) return decline(records, before);
            const hStart = vPos; // histoBuckets moves vPos
            buckets = histoBuckets(b, dv, hStart, hStart + hLen);
            if (buckets === null) return decline(records, before);
            pos = hStart + hLen;
          } else {
            return decline(records, before);
          }
        }
        if (tag === null || pos !== vEnd) return decline(records, before);
        if (value !== null) records.push({ kind: 'scalar', wallTime: 0, step: 0, tag, value });
        else if (buckets !== null) records.push({ kind: 'histogram', wallTime: 0, step: 0, tag, buckets });
        else return decline(records, before);
      }
    } else {
      return decline(records, before);
    }
  }
  if (pos !== end || records.length === before) return decline(records, before);
  for (let i = before; i < records.length; i++) {
    records[i].wallTime = wallTime;
    records[i].step = step;
  }
  return true;
}
