// Histogram records that keep the HistogramProto they come from and make their buckets only when read.
// A training worker never reads them: record-wire.ts flattens the proto straight into the typed array it
// posts, and the main thread makes the buckets once. Building ~100 small [left, right, count] arrays per
// histogram on the training thread, only to flatten them again, cost a 2-16-16-2 net ~50 µs per summary
// step. A class, not an object literal with a getter: V8 makes those ~25x slower to create.
import { histogramProtoToBuckets, type HistogramSummary } from '../../shared/histogram.ts';
import type { Bucket } from '../../shared/types.ts';
import type { HistogramRecord, LogRecord } from '../logs/records.ts';

/**
 * `buckets` is a getter on the prototype: read it (or pack the record with record-wire.ts), don't spread or
 * structured-clone the record itself, which would leave the buckets behind.
 */
class LazyHistogramRecord implements HistogramRecord {
  readonly kind = 'histogram';
  #proto: HistogramSummary;
  #buckets: Bucket[] | undefined;

  constructor(
    readonly tag: string,
    readonly step: number,
    readonly wallTime: number,
    proto: HistogramSummary,
  ) {
    this.#proto = proto;
  }

  get buckets(): Bucket[] {
    return (this.#buckets ??= histogramProtoToBuckets(this.#proto));
  }

  static protoOf(r: LogRecord): HistogramSummary | undefined {
    return r instanceof LazyHistogramRecord ? r.#proto : undefined;
  }
}

/** A histogram record for `h` whose buckets are made on first read. */
export function lazyHistogramRecord(tag: string, h: HistogramSummary, step: number, wallTime: number): HistogramRecord {
  return new LazyHistogramRecord(tag, step, wallTime, h);
}

/** The proto a lazyHistogramRecord was made from (undefined for any other record). */
export function histogramProtoOf(r: LogRecord): HistogramSummary | undefined {
  return LazyHistogramRecord.protoOf(r);
}
