// Reading event files from disk: whole files (readEventFile) and growing files (EventFileTailer).
// Reads in bounded chunks and resumes from the last whole record, so a record being written is
// picked up on a later poll, exactly once.
import { open } from 'node:fs/promises';
import type { LogRecord } from './records.ts';
import { EventDecoder } from './event-codec.ts';
import { iterateRecords, lenientModeText } from './tfrecord.ts';

export interface ReadResult {
  records: LogRecord[];
  warnings: string[];
  /** Offset of a cut-short / bad-length record where reading stopped (a tailer waits there); else null. */
  truncatedAt: number | null;
  /** Why reading stopped at truncatedAt (cut short, bad length CRC, length over the per-record limit). */
  truncatedReason?: string;
}

export interface ReadOptions {
  /** true: decode records with a bad data CRC; false: skip them; default auto (see scanRecords). */
  lenient?: boolean;
  /** Share one decoder across a run's files (tag metadata comes from a tag's first occurrence). */
  decoder?: EventDecoder;
  /**
   * Default bound on the bytes one EventFileTailer.poll() consumes: it stops after the record that
   * reaches it (see poll). Default: unbounded. Ignored by readEventFile. Small bounds (~512 KiB) ingest
   * big files fastest: a poll's records then die in V8's young generation instead of being promoted.
   */
  maxBytesPerPoll?: number;
}

/** Bytes read per step; a record larger than this is read whole with a bigger buffer. */
const CHUNK = 8 << 20;
/** Reads smaller than this (live tailing: a few records) get a small buffer of their own. */
const SMALL_READ = 64 << 10;

// Chunk buffers are reused across chunks, polls and tailers: a fresh multi-MB buffer per chunk costs
// page faults on every read. Safe because decoded records never keep views into the read buffer
// (bytes fields are copied, tags interned from copies). Bounded: at most POOL_MAX idle buffers.
const POOL_MAX = 2;
const pool: Buffer[] = [];

function takeBuffer(len: number): Buffer {
  if (len <= CHUNK) {
    const b = pool.pop();
    if (b !== undefined) return b;
    if (len < SMALL_READ) return Buffer.allocUnsafe(len);
  }
  return Buffer.allocUnsafeSlow(Math.max(len, CHUNK));
}

function giveBack(buf: Buffer): void {
  if (buf.length === CHUNK && pool.length < POOL_MAX) pool.push(buf);
}

export interface TailerState {
  offset: number;
  reportedBadLength: number;
  lastSize: number;
  lenientWarned: boolean;
  autoLenient: boolean;
  waitEnd: number;
  waitReason: string;
}

export class EventFileTailer {
  readonly path: string;
  readonly decoder: EventDecoder;
  private readonly lenient: boolean | undefined;
  private readonly maxBytesPerPoll: number;
  /** Resume point: end of the last whole record. */
  private offset = 0;
  private reportedBadLength = -1;
  private lastSize = -1;
  private lenientWarned = false;
  /** Set once a file proved to come from a writer without checksums: later polls decode leniently. */
  private autoLenient = false;
  private polling: Promise<ReadResult> | null = null;
  /** The record at `offset` needs the file to reach this size (its header claims so); -1: none pending. */
  private waitEnd = -1;
  private waitReason = '';
  /** No more bytes will come: a record running past the end is corruption, not one being written. */
  private complete = false;

  constructor(path: string, opts: ReadOptions = {}) {
    this.path = path;
    this.lenient = opts.lenient;
    const m = opts.maxBytesPerPoll;
    this.maxBytesPerPoll = m !== undefined && m > 0 ? m : Infinity;
    this.decoder = opts.decoder ?? new EventDecoder();
  }

  /** Where reading stands (plain data): a load worker hands it over so the main thread tails on from there. */
  exportState(): TailerState {
    const { offset, reportedBadLength, lastSize, lenientWarned, autoLenient, waitEnd, waitReason } = this;
    return { offset, reportedBadLength, lastSize, lenientWarned, autoLenient, waitEnd, waitReason };
  }

  importState(st: TailerState): void {
    ({
      offset: this.offset,
      reportedBadLength: this.reportedBadLength,
      lastSize: this.lastSize,
      lenientWarned: this.lenientWarned,
      autoLenient: this.autoLenient,
      waitEnd: this.waitEnd,
      waitReason: this.waitReason,
    } = st);
  }

  /** Declares the file finished (its writer moved on to a newer file): a cut-short record is corrupt. */
  markComplete(): void {
    this.complete = true;
  }

  /** Bytes consumed so far (end of the last whole record). */
  get position(): number {
    return this.offset;
  }

  /**
   * Reads what was appended since the last poll. Concurrent calls share one read.
   * maxBytes (default: the maxBytesPerPoll option, else unbounded) bounds the bytes one poll reads and
   * decodes, in whole records: a poll stops after the record that reaches the bound (so it consumes
   * at least maxBytes when that many are there, and at most maxBytes plus one record), letting callers
   * ingest a huge file in slices with bounded memory: poll again while position < file size.
   */
  poll(maxBytes?: number): Promise<ReadResult> {
    if (!this.polling) {
      const bound = maxBytes !== undefined && maxBytes > 0 ? maxBytes : this.maxBytesPerPoll;
      this.polling = this.readNew(bound).finally(() => {
        this.polling = null;
      });
    }
    return this.polling;
  }

  private async readNew(maxBytes: number): Promise<ReadResult> {
    const records: LogRecord[] = [];
    const warnings: string[] = [];
    let truncatedAt: number | null = null;
    let lastReason: string | undefined;
    let buf: Buffer | null = null;
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch (e) {
      warnings.push(`${this.path}: cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return { records, warnings, truncatedAt };
    }
    try {
      const size = (await fh.stat()).size;
      if (size < this.offset) {
        warnings.push(`${this.path}: file shrank from ${this.offset} to ${size} bytes; reading it again from the start`);
        this.offset = 0;
        this.reportedBadLength = -1;
        this.waitEnd = -1;
      }
      // Stuck at a corrupt record and nothing changed: don't re-read it on every poll.
      if (this.offset === this.reportedBadLength && size === this.lastSize) return { records, warnings, truncatedAt: this.offset };
      // A record whose header claims more bytes than the file holds yet: wait for them without reading
      // (or allocating) anything until the file is long enough.
      if (this.waitEnd >= 0 && size < this.waitEnd && !this.complete) {
        this.lastSize = size;
        return { records, warnings, truncatedAt: this.offset, truncatedReason: this.waitReason };
      }
      this.waitEnd = -1;
      this.lastSize = size;
      let need = 0;
      const startOffset = this.offset;
      // Stuck at a corrupt header while the file grows: its 12 bytes decide it, not a chunk's worth.
      let probe = this.offset === this.reportedBadLength;
      while (this.offset < size && this.offset - startOffset < maxBytes) {
        const budget = maxBytes - (this.offset - startOffset);
        const len = probe ? Math.min(size - this.offset, 12) : Math.min(size - this.offset, Math.max(Math.min(CHUNK, budget), need));
        probe = false;
        need = 0;
        if (buf === null || buf.length < len) {
          if (buf !== null) giveBack(buf);
          buf = takeBuffer(len);
        }
        let got = 0;
        while (got < len) {
          const { bytesRead } = await fh.read(buf, got, len - got, this.offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        const view = new Uint8Array(buf.buffer, buf.byteOffset, got);
        const path = this.path;
        const decoder = this.decoder;
        let firstLenient = -1;
        let at = 0; // offset of the record being decoded; one closure instead of one per record
        const where = () => `${path} @ offset ${at}`;
        const scan = iterateRecords(view, { lenient: this.lenient ?? (this.autoLenient ? true : undefined), baseOffset: this.offset }, {
          record(offset, start, end, lenient) {
            if (lenient && firstLenient < 0) firstLenient = offset;
            at = offset;
            decoder.decodeInto(view, start, end, where, records, warnings);
          },
          badDataCrc(offset) {
            warnings.push(`${path} @ offset ${offset}: bad data CRC; record skipped (strict mode)`);
          },
        });
        if (scan.lenientMode === 'constant-crc') this.autoLenient = true;
        if (firstLenient >= 0 && !this.lenientWarned) {
          this.lenientWarned = true;
          warnings.push(
            `${path} @ offset ${firstLenient}: data CRC does not match; decoded anyway — ${lenientModeText(scan.lenientMode)}`,
          );
        }
        const chunkEnd = this.offset + got;
        this.offset += scan.consumed;
        if (scan.truncatedAt === null) {
          if (got < len) break; // file shrank while reading; next poll sorts it out
          continue;
        }
        truncatedAt = scan.truncatedAt;
        let reason = scan.truncatedReason ?? 'record cut short';
        let corrupt = scan.truncatedCorrupt === true;
        if (!corrupt) {
          // Cut short: by the chunk's end or the poll's bound (read on from the record, whole; the
          // length is bounded by MAX_RECORD_BYTES), or by the file's end (a record still being written).
          const end = scan.truncatedAt + (scan.truncatedNeed ?? 12);
          if (end <= size && chunkEnd < size) {
            need = end - scan.truncatedAt;
            truncatedAt = null;
            continue;
          }
          if (scan.truncatedNeed !== undefined) reason = `record cut short (needs ${scan.truncatedNeed} bytes, ${size - scan.truncatedAt} in the file)`;
          if (this.complete) {
            corrupt = true;
            reason = `${reason} at the end of a file no longer written to`;
          } else {
            this.waitEnd = end;
            this.waitReason = reason;
          }
        }
        if (corrupt && this.reportedBadLength !== scan.truncatedAt) {
          this.reportedBadLength = scan.truncatedAt;
          warnings.push(`${this.path}: truncated at offset ${scan.truncatedAt} (${reason}); later records not read`);
        }
        lastReason = reason;
        break;
      }
    } catch (e) {
      warnings.push(`${this.path}: read error at offset ${this.offset} (${(e as Error).message})`);
    } finally {
      if (buf !== null) giveBack(buf);
      await fh.close();
    }
    return lastReason === undefined ? { records, warnings, truncatedAt } : { records, warnings, truncatedAt, truncatedReason: lastReason };
  }
}

/** Reads a whole event file. Never throws for bad content: problems come back as warnings. */
export async function readEventFile(path: string, opts: ReadOptions = {}): Promise<ReadResult> {
  const t = new EventFileTailer(path, opts);
  const r = await t.poll(Infinity);
  // One read, no waiting: a record running past the end is reported (it may be one still being written).
  if (r.truncatedAt !== null && !r.warnings.some((w) => w.includes(`truncated at offset ${r.truncatedAt}`))) {
    r.warnings.push(`${path}: truncated at offset ${r.truncatedAt} (last record cut short${r.truncatedReason ? `: ${r.truncatedReason}` : ''})`);
  }
  return r;
}
