// TFRecord framing: u64 length (LE) | u32 masked crc32c(length bytes) | data | u32 masked crc32c(data).
// Pure: works on byte buffers; the readers do the I/O.
import { crc32c } from '@node-rs/crc32';

const MASK_DELTA = 0xa282ead8;
/** Bytes around each record's data: 8 length + 4 length CRC + 4 data CRC. */
export const RECORD_OVERHEAD = 16;

/**
 * Largest record a reader accepts (data bytes). A length header beyond it is corruption, however many
 * bytes follow: a hostile or damaged header (2^40) must not make a reader wait for, or allocate, that much.
 * TensorFlow's own writers stay far below (protobuf messages are capped at 2 GiB, summaries are KB to MB).
 */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/**
 * smdebug with write_checksum=False stores masked_crc32c(b"0x12345678") as every data CRC.
 * Auto mode decodes records carrying exactly this value (with a warning) instead of skipping them.
 */
export const SMDEBUG_NO_CHECKSUM_CRC = 0x062dc0b3;

function mask(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

// Table-driven CRC-32C (slicing by 8) for short inputs: the native call costs ~300 ns however small
// the input, which would dominate for 8-byte length fields and small scalar events.
const T = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) for (let j = 1; j < 8; j++) t[j * 256 + i] = (t[(j - 1) * 256 + i] >>> 8) ^ t[t[(j - 1) * 256 + i] & 255];
  return t;
})();

/** CRC-32C in JavaScript (unmasked); exported for tests against the native implementation. */
export function crc32cJs(b: Uint8Array, start: number, end: number): number {
  let c = ~0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    c ^= b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    c =
      T[1792 + (c & 255)] ^ T[1536 + ((c >>> 8) & 255)] ^ T[1280 + ((c >>> 16) & 255)] ^ T[1024 + (c >>> 24)] ^
      T[768 + b[i + 4]] ^ T[512 + b[i + 5]] ^ T[256 + b[i + 6]] ^ T[b[i + 7]];
  }
  for (; i < end; i++) c = T[(c ^ b[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

const JS_CRC_MAX = 192;

function crcOf(buf: Uint8Array, start: number, end: number): number {
  // Native @node-rs/crc32 on a view (no copy) for anything but tiny inputs.
  return end - start <= JS_CRC_MAX ? crc32cJs(buf, start, end) : crc32c(buf.subarray(start, end));
}

export function maskedCrc32c(data: Uint8Array): number {
  return mask(crcOf(data, 0, data.length));
}

export function encodeRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + RECORD_OVERHEAD);
  writeRecordInto(out, 0, data);
  return out;
}

/** Frames `data` into `out` at `pos` (needs data.length + 16 bytes); returns the position after it. */
export function writeRecordInto(out: Uint8Array, pos: number, data: Uint8Array): number {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(pos, data.length >>> 0, true);
  dv.setUint32(pos + 4, Math.floor(data.length / 0x100000000), true);
  dv.setUint32(pos + 8, mask(crcOf(out, pos, pos + 8)), true);
  out.set(data, pos + 12);
  const end = pos + 12 + data.length;
  dv.setUint32(end, mask(crcOf(data, 0, data.length)), true);
  return end + 4;
}

/**
 * Frames data already placed at out[pos + 12, pos + 12 + len): writes the length, its CRC and the data
 * CRC around it (lets writers encode straight into their buffer). Returns the position after it.
 */
export function frameInPlace(out: Uint8Array, dv: DataView, pos: number, len: number): number {
  const next = frameLength(out, dv, pos, len);
  fillDataCrc(out, dv, pos);
  return next;
}

/**
 * frameInPlace without the data CRC, which fillDataCrc writes later: a writer can checksum a buffer's
 * large records together rather than one at a time between other work (event-writer.ts).
 */
export function frameLength(out: Uint8Array, dv: DataView, pos: number, len: number): number {
  dv.setUint32(pos, len >>> 0, true);
  dv.setUint32(pos + 4, Math.floor(len / 0x100000000), true);
  dv.setUint32(pos + 8, mask(crc32cJs(out, pos, pos + 8)), true);
  return pos + 12 + len + 4;
}

/** Writes the data CRC of the record framed at `pos` (its length already written by frameLength). */
export function fillDataCrc(out: Uint8Array, dv: DataView, pos: number): void {
  const end = pos + 12 + dv.getUint32(pos, true) + dv.getUint32(pos + 4, true) * 0x100000000;
  dv.setUint32(end, mask(crcOf(out, pos + 12, end)), true);
}

export type FrameEvent =
  | { kind: 'record'; offset: number; data: Uint8Array; lenient?: boolean }
  | { kind: 'bad_data_crc'; offset: number };

export interface FrameScan {
  frames: FrameEvent[];
  /** Bytes of whole records (and skipped bad-data-CRC records) from the start: the resume point. */
  consumed: number;
  /** Absolute offset of a record cut short or with a bad length CRC; null when the buffer ended cleanly. */
  truncatedAt: number | null;
  truncatedReason?: string;
  /** The record at truncatedAt is corrupt (bad length CRC, length over MAX_RECORD_BYTES), not just unfinished. */
  truncatedCorrupt?: boolean;
  /** Total bytes the record at truncatedAt needs, when its header was whole and valid (tailers wait for it). */
  truncatedNeed?: number;
  /** How lenient records were accepted, for the warning text. */
  lenientMode?: 'option' | 'smdebug-constant' | 'constant-crc';
}

export interface ScanOptions {
  /** true: decode records whose data CRC is wrong; false: skip them; undefined: auto (see below). */
  lenient?: boolean;
  /** Absolute file offset of buf[0], for the offsets reported. */
  baseOffset?: number;
}

/** Receives each record found by iterateRecords; data is buf[start, end). */
export interface RecordSink {
  record(offset: number, start: number, end: number, lenient: boolean): void;
  badDataCrc(offset: number): void;
}

export type ScanSummary = Omit<FrameScan, 'frames'>;

/**
 * Walks the records of a buffer without allocating per record (the reader's hot path). Never throws.
 * A bad length CRC or a record running past the end stops the walk (truncatedAt); a bad data CRC
 * skips that record, or keeps it leniently.
 * Auto mode (lenient undefined): a record is kept leniently when its stored data CRC is smdebug's
 * constant, or when every record in the buffer (at least two) stores one and the same wrong data CRC
 * — a writer that does not checksum; otherwise bad-CRC records are skipped.
 * Records whose fate depends on that end-of-buffer decision are reported at the end, in order.
 */
export function iterateRecords(buf: Uint8Array, opts: ScanOptions, sink: RecordSink): ScanSummary {
  const base = opts.baseOffset ?? 0;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = buf.length;
  let pos = 0;
  let truncatedAt: number | null = null;
  let truncatedReason: string | undefined;
  let truncatedNeed: number | undefined;
  let truncatedCorrupt: boolean | undefined;
  let lenientMode: FrameScan['lenientMode'];
  // Auto mode: while no record has passed its CRC, bad-CRC records wait for the end-of-buffer decision.
  let goodCount = 0;
  let constantCrc: number | null = null;
  let allSameBad = true;
  let deferred: number[] | null = null; // [offset, start, end] triples

  while (pos < n) {
    if (n - pos < 12) {
      truncatedAt = base + pos;
      truncatedReason = `record header cut short (${n - pos} of 12 bytes)`;
      break;
    }
    const lenLo = dv.getUint32(pos, true);
    const lenHi = dv.getUint32(pos + 4, true);
    if (mask(crc32cJs(buf, pos, pos + 8)) !== dv.getUint32(pos + 8, true)) {
      truncatedAt = base + pos;
      truncatedReason = 'bad length CRC';
      truncatedCorrupt = true;
      break;
    }
    const len = lenHi * 0x100000000 + lenLo;
    if (len > MAX_RECORD_BYTES) {
      truncatedAt = base + pos;
      truncatedReason = `record length ${len} over the ${MAX_RECORD_BYTES}-byte per-record limit (corrupt length)`;
      truncatedCorrupt = true;
      break;
    }
    if (len + RECORD_OVERHEAD > n - pos) {
      truncatedAt = base + pos;
      truncatedReason = `record cut short (needs ${len + RECORD_OVERHEAD} bytes, ${n - pos} present)`;
      truncatedNeed = len + RECORD_OVERHEAD;
      break;
    }
    const dataStart = pos + 12;
    const dataEnd = dataStart + len;
    const stored = dv.getUint32(dataEnd, true);
    if (mask(crcOf(buf, dataStart, dataEnd)) === stored) {
      goodCount++;
      if (deferred) {
        // a good record rules out a checksum-less writer: flush what waited, as skipped
        for (let i = 0; i < deferred.length; i += 3) sink.badDataCrc(deferred[i]);
        deferred = null;
      }
      sink.record(base + pos, dataStart, dataEnd, false);
    } else if (opts.lenient === true) {
      lenientMode = 'option';
      sink.record(base + pos, dataStart, dataEnd, true);
    } else if (opts.lenient === undefined && stored === SMDEBUG_NO_CHECKSUM_CRC) {
      lenientMode = 'smdebug-constant';
      sink.record(base + pos, dataStart, dataEnd, true);
    } else if (opts.lenient === undefined && goodCount === 0) {
      if (constantCrc === null) constantCrc = stored;
      else if (constantCrc !== stored) allSameBad = false;
      (deferred ??= []).push(base + pos, dataStart, dataEnd);
    } else {
      sink.badDataCrc(base + pos);
    }
    pos = dataEnd + 4;
  }

  if (deferred) {
    const keep = deferred.length >= 6 && allSameBad;
    if (keep) lenientMode = 'constant-crc';
    for (let i = 0; i < deferred.length; i += 3) {
      if (keep) sink.record(deferred[i], deferred[i + 1], deferred[i + 2], true);
      else sink.badDataCrc(deferred[i]);
    }
  }
  return { consumed: pos, truncatedAt, truncatedReason, truncatedCorrupt, truncatedNeed, lenientMode };
}

/** iterateRecords collected into frames (data are views into buf). */
export function scanRecords(buf: Uint8Array, opts: ScanOptions = {}): FrameScan {
  const frames: FrameEvent[] = [];
  const summary = iterateRecords(buf, opts, {
    record(offset, start, end, lenient) {
      const data = buf.subarray(start, end);
      frames.push(lenient ? { kind: 'record', offset, data, lenient: true } : { kind: 'record', offset, data });
    },
    badDataCrc(offset) {
      frames.push({ kind: 'bad_data_crc', offset });
    },
  });
  // deferred records are reported last; keep frames in file order
  frames.sort((a, b) => a.offset - b.offset);
  return { frames, ...summary };
}

/** Human text for how a lenient record was accepted. */
export function lenientModeText(mode: FrameScan['lenientMode']): string {
  switch (mode) {
    case 'option':
      return 'lenient mode (option): data CRC not checked';
    case 'smdebug-constant':
      return "auto-lenient: smdebug's no-checksum constant data CRC";
    case 'constant-crc':
      return 'auto-lenient: every record stores the same constant data CRC (writer without checksums)';
    default:
      return 'lenient';
  }
}
