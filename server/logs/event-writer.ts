// Append-only tfevents writer. Records are framed into an in-memory staging buffer and appended to
// the file in large writes (no fs call per record), at least every flushMs so live readers see data.
import { open, mkdir, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Bucket } from '../../shared/types.ts';
import { bucketsToHistogramProto, summarizeHistogram, type HistogramSummary } from '../../shared/histogram.ts';
import { ownWriterName, writeErrorMessage } from './own-writer.ts';
import { RECORD_OVERHEAD, fillDataCrc, frameInPlace, frameLength, writeRecordInto } from './tfrecord.ts';
import {
  encodeFileVersionEvent,
  encodeHistogramEvent,
  encodeHparamsExperimentEvent,
  encodeHparamsSessionEndEvent,
  encodeHparamsSessionStartEvent,
  encodeImageEvent,
  encodeKerasModelEvent,
  encodeScalarEvent,
  encodeTextEvent,
  histogramEventSize,
  scalarEventSize,
  planSummaryEvent,
  tagBytes,
  writeHistogramEvent,
  writeScalarEvent,
  writeSummaryEvent,
  type PlainValue,
} from './event-encode.ts';

export interface EventWriterOptions {
  /** Longest time a record waits in memory before being appended (ms). Default 500. */
  flushMs?: number;
  /** Appended to the file name (TensorBoard convention: e.g. ".v2"). */
  filenameSuffix?: string;
  /**
   * Called once, from the background flush, when a write fails (e.g. the disk is full): a caller that
   * never awaits flush() still learns of it at once. Later records are dropped; flush()/close() reject.
   */
  onError?: (err: Error) => void;
}

const STAGE_BYTES = 1 << 20;
/**
 * Written stage buffers kept for reuse: a fresh 1 MiB buffer costs a page fault per 4 KiB touched, which
 * at a fast run's logging rate (~8 MB/s with histograms every 10 iterations) was ~1 µs per histogram event.
 */
const SPARE_STAGES = 4;
/** Staged bytes that trigger an immediate flush instead of waiting for the timer. */
const EAGER_FLUSH_BYTES = 4 << 20;

let fileCounter = 0;

function now(): number {
  return Date.now() / 1000;
}

export class EventWriter {
  readonly path: string;
  private readonly fh: FileHandle;
  private stage: Buffer = Buffer.allocUnsafe(STAGE_BYTES);
  private stageView = new DataView(this.stage.buffer, this.stage.byteOffset, this.stage.byteLength);
  private stagePos = 0;
  /**
   * Stage positions of histogram and summary-step records whose data CRC is still to be written: they are
   * checksummed together when the stage is retired. One at a time between training iterations, a native
   * CRC call took 3-5x as long as back to back (~10-15 µs on a 2-16-16-2 net's 12 KB summary step against
   * ~3-4). Bounded by the stage: a record is at least RECORD_OVERHEAD bytes.
   */
  private uncheckedAt: number[] = [];
  private total = 0;
  private full: Buffer[] = [];
  private spare: Buffer[] = [];
  private fullBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private error: Error | null = null;
  private timer: NodeJS.Timeout | null;
  private closed = false;

  private readonly onError: ((err: Error) => void) | undefined;

  private constructor(path: string, fh: FileHandle, flushMs: number, onError?: (err: Error) => void) {
    this.path = path;
    this.fh = fh;
    this.onError = onError;
    this.timer = setInterval(() => void this.flush().catch(() => undefined), flushMs);
    this.timer.unref();
  }

  /** Creates dir (mkdir -p) and a new event file in it; never opens an existing file. */
  static async open(dir: string, opts: EventWriterOptions = {}): Promise<EventWriter> {
    await mkdir(dir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOSPC' || e.code === 'EDQUOT' ? new Error(writeErrorMessage(e, dir), { cause: e }) : e;
    });
    const secs = String(Math.floor(Date.now() / 1000)).padStart(10, '0');
    const host = hostname().replace(/[/\\]/g, '_') || 'localhost';
    for (let attempt = 0; ; attempt++) {
      const name = `events.out.tfevents.${secs}.${host}.${process.pid}.${fileCounter++}${opts.filenameSuffix ?? ''}`;
      const path = join(dir, name);
      try {
        const fh = await open(path, 'ax'); // append-only, fails if the file exists
        const w = new EventWriter(path, fh, opts.flushMs ?? 500, opts.onError);
        // Our name and process in source_metadata: a later reader tells our unfinished runs (own-writer.ts).
        w.push(encodeFileVersionEvent(now(), ownWriterName(process.pid, hostname())));
        return w;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new Error(writeErrorMessage(e, path), { cause: e });
        if (code !== 'EEXIST' || attempt > 1000) throw e;
      }
    }
  }

  /** Bytes written or buffered so far (the file's size once flushed). */
  get size(): number {
    return this.total;
  }

  /** Makes room for `need` more bytes in the stage. */
  private reserve(need: number): void {
    if (this.closed) throw new Error(`EventWriter ${this.path}: write after close`);
    if (this.stagePos + need > this.stage.length) {
      this.retireStage();
      if (need > this.stage.length) this.newStage(need);
    }
  }

  private pushed(start: number): void {
    this.total += this.stagePos - start;
    if (this.fullBytes + this.stagePos >= EAGER_FLUSH_BYTES) void this.flush().catch(() => undefined);
  }

  private push(event: Uint8Array): void {
    this.reserve(event.length + RECORD_OVERHEAD);
    const start = this.stagePos;
    this.stagePos = writeRecordInto(this.stage, this.stagePos, event);
    this.pushed(start);
  }

  private newStage(bytes: number): void {
    this.stage = (bytes === STAGE_BYTES && this.spare.pop()) || Buffer.allocUnsafe(bytes);
    this.stageView = new DataView(this.stage.buffer, this.stage.byteOffset, this.stage.byteLength);
    this.stagePos = 0;
  }

  private retireStage(): void {
    for (const pos of this.uncheckedAt) fillDataCrc(this.stage, this.stageView, pos);
    this.uncheckedAt.length = 0;
    if (this.stagePos === 0) return;
    this.full.push(this.stage.subarray(0, this.stagePos));
    this.fullBytes += this.stagePos;
    this.newStage(STAGE_BYTES);
  }

  scalar(tag: string, value: number, step: number, wallTime: number = now()): void {
    if (!Number.isSafeInteger(step) || step < 0) {
      this.push(encodeScalarEvent(tag, value, step, wallTime)); // protobufjs handles odd steps
      return;
    }
    // Hot path: encode and frame in place, no intermediate buffers.
    const t = tagBytes(tag);
    const len = scalarEventSize(t, step);
    this.reserve(len + RECORD_OVERHEAD);
    const start = this.stagePos;
    writeScalarEvent(this.stage, this.stageView, start + 12, t, value, step, wallTime);
    this.stagePos = frameInPlace(this.stage, this.stageView, start, len);
    this.pushed(start);
  }

  /** Bucketized like TF1 (exponential edges, see shared/histogram.ts); non-finite values are left out. */
  histogram(tag: string, values: ArrayLike<number>, step: number, wallTime: number = now()): void {
    this.histogramProto(tag, summarizeHistogram(values), step, wallTime);
  }

  /**
   * A HistogramProto's fields as they are (the exact sums of the values it was made from); encoded and
   * framed in place like scalars (trainer hot path).
   */
  histogramProto(tag: string, h: HistogramSummary, step: number, wallTime: number): void {
    if (!Number.isSafeInteger(step) || step < 0) {
      this.push(encodeHistogramEvent(tag, h, step, wallTime)); // protobufjs handles odd steps
      return;
    }
    const t = tagBytes(tag);
    const len = histogramEventSize(t, h, step, wallTime);
    this.reserve(len + RECORD_OVERHEAD);
    const start = this.stagePos;
    writeHistogramEvent(this.stage, this.stageView, start + 12, t, h, step, wallTime);
    this.stagePos = frameLength(this.stage, this.stageView, start, len);
    this.uncheckedAt.push(start);
    this.pushed(start);
  }

  /**
   * Scalars and histograms of one step as one Event with a Summary.Value each (as TF1's merged summaries):
   * a trainer's summary step is one record, framed and checksummed once.
   */
  summaryValues(values: readonly PlainValue[], step: number, wallTime: number = now()): void {
    if (values.length === 0) return;
    if (!Number.isSafeInteger(step) || step < 0) {
      for (const v of values) {
        if (v.kind === 'scalar') this.scalar(v.tag, v.value, step, wallTime);
        else this.histogramProto(v.tag, v.summary, step, wallTime);
      }
      return;
    }
    const plan = planSummaryEvent(values, step, wallTime);
    this.reserve(plan.size + RECORD_OVERHEAD);
    const start = this.stagePos;
    writeSummaryEvent(this.stage, this.stageView, start + 12, plan);
    this.stagePos = frameLength(this.stage, this.stageView, start, plan.size);
    this.uncheckedAt.push(start);
    this.pushed(start);
  }

  /** Buckets only: the sums written are estimated from bucket midpoints (histogramProto has the exact ones). */
  histogramBuckets(tag: string, buckets: Bucket[], step: number, wallTime: number = now()): void {
    this.histogramProto(tag, bucketsToHistogramProto(buckets), step, wallTime);
  }

  image(tag: string, png: Uint8Array, width: number, height: number, step: number, wallTime: number = now()): void {
    this.push(encodeImageEvent(tag, png, width, height, step, wallTime));
  }

  text(tag: string, text: string, step: number, wallTime: number = now()): void {
    this.push(encodeTextEvent(tag, text, step, wallTime));
  }

  kerasModel(modelJson: string, step = 0, wallTime: number = now()): void {
    this.push(encodeKerasModelEvent(modelJson, step, wallTime));
  }

  /** The hparams plugin's experiment (hparam names/types, metric tags) and this session's values. */
  hparams(hparams: Record<string, string | number | boolean>, metricTags: string[], wallTime: number = now()): void {
    this.push(encodeHparamsExperimentEvent(hparams, metricTags, wallTime));
    this.push(encodeHparamsSessionStartEvent(hparams, wallTime));
  }

  /** STATUS_ABORTED has no TensorBoard equivalent and is written as STATUS_UNKNOWN. */
  hparamsEnd(status: 'STATUS_SUCCESS' | 'STATUS_FAILURE' | 'STATUS_ABORTED' | 'STATUS_RUNNING', wallTime: number = now()): void {
    this.push(encodeHparamsSessionEndEvent(status, wallTime));
  }

  /** Appends everything buffered so far; resolves when it is written. Rejects after a write error. */
  flush(): Promise<void> {
    this.retireStage();
    if (this.full.length > 0) {
      const bufs = this.full;
      this.full = [];
      this.fullBytes = 0;
      this.writing = this.writing.then(async () => {
        if (this.error) return;
        try {
          for (const data of bufs) {
            let off = 0;
            while (off < data.length) off += (await this.fh.write(data, off, data.length - off)).bytesWritten;
          }
          // Written: whole stages go back for reuse (views of the same memory).
          for (const data of bufs) {
            if (data.buffer.byteLength === STAGE_BYTES && data.byteOffset === 0 && this.spare.length < SPARE_STAGES) {
              this.spare.push(Buffer.from(data.buffer, 0, STAGE_BYTES));
            }
          }
        } catch (e) {
          this.error = new Error(writeErrorMessage(e, this.path), { cause: e });
          try {
            this.onError?.(this.error);
          } catch {
            // the caller's handler must not break the write chain
          }
        }
      });
    }
    return this.writing.then(() => {
      if (this.error) throw this.error;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return this.writing;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.fh.close();
    }
  }
}
