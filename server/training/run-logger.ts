// One run's summaries, written to an EventWriter (disk) AND kept as LogRecords for live streaming.
// Both get the same wallTime and, for histograms, the same buckets (bucketized once), so what a
// client sees live equals what a reader later gets from the file.
import { summarizeHistogram, type HistogramSummary } from '../../shared/histogram.ts';
import { lazyHistogramRecord } from './lazy-histogram.ts';
import type { LogRecord } from '../logs/records.ts';
import type { SummaryOutput } from './summary-job.ts';
import { HPARAMS_TAGS, type PlainValue } from '../logs/event-encode.ts';
import { kerasModelToGraph } from '../logs/graph-normalize.ts';

export type SessionStatus = 'STATUS_SUCCESS' | 'STATUS_FAILURE' | 'STATUS_ABORTED';

/** The part of server/logs/event-writer.ts EventWriter the logger uses (structural, so tests can fake it). */
export interface RunLogSink {
  scalar(tag: string, value: number, step: number, wallTime?: number): void;
  histogramProto(tag: string, h: HistogramSummary, step: number, wallTime?: number): void;
  summaryValues(values: readonly PlainValue[], step: number, wallTime?: number): void;
  image(tag: string, png: Uint8Array, width: number, height: number, step: number, wallTime?: number): void;
  kerasModel(modelJson: string, step?: number, wallTime?: number): void;
  hparams(hparams: Record<string, string | number | boolean>, metricTags: string[], wallTime?: number): void;
  hparamsEnd(status: SessionStatus, wallTime?: number): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** TensorBoard's session status has no "aborted": the writer stores STATUS_UNKNOWN, and so do our records. */
const STATUS_ON_DISK: Record<SessionStatus, string> = {
  STATUS_SUCCESS: 'STATUS_SUCCESS',
  STATUS_FAILURE: 'STATUS_FAILURE',
  STATUS_ABORTED: 'STATUS_UNKNOWN',
};

/** Records kept between takeRecords() calls before the oldest are dropped (a caller that never drains). */
export const MAX_PENDING_RECORDS = 100_000;

const now = () => Date.now() / 1000;

export class RunLogger {
  private pending: LogRecord[] = [];
  private dropped = 0;
  private endedWith: SessionStatus | null = null;

  /** `writer` null keeps records only (tests, dry runs). */
  constructor(private readonly writer: RunLogSink | null) {}

  private push(r: LogRecord): void {
    if (this.pending.length >= MAX_PENDING_RECORDS) {
      this.pending.shift();
      this.dropped++;
    }
    this.pending.push(r);
  }

  /** Records not taken because nobody drained them in time. */
  get droppedRecords(): number {
    return this.dropped;
  }

  scalar(tag: string, value: number, step: number, wallTime: number = now()): void {
    this.writer?.scalar(tag, value, step, wallTime);
    this.pushScalar(tag, value, step, wallTime);
  }

  private pushScalar(tag: string, value: number, step: number, wallTime: number): void {
    // The log stores simple_value as float32: stream the same number, so live and replayed series are equal.
    this.push({ kind: 'scalar', tag, value: Math.fround(value), step, wallTime });
  }

  /** Returns the values' summary (count, sums), so callers can reuse e.g. the sum of squares. */
  histogram(tag: string, values: ArrayLike<number>, step: number): HistogramSummary {
    const summary = summarizeHistogram(values);
    this.histogramProto(tag, summary, step);
    return summary;
  }

  image(tag: string, png: Uint8Array, width: number, height: number, step: number, wallTime: number = now()): void {
    this.writer?.image(tag, png, width, height, step, wallTime);
    this.push({ kind: 'image', tag, data: png, width, height, sample: 0, step, wallTime });
  }

  /**
   * A histogram already summarized: the log gets the proto (with the values' exact sums), the live record
   * the buckets a reader of the log gets (made from the proto when first read: lazy-histogram.ts).
   */
  histogramProto(tag: string, h: HistogramSummary, step: number, wallTime: number = now()): void {
    this.writer?.histogramProto(tag, h, step, wallTime);
    this.push(lazyHistogramRecord(tag, h, step, wallTime));
  }

  /**
   * One summary step's output (summary-job.ts) with its wall time: its scalars and histograms as one event
   * (one record to frame and checksum instead of ~20), then any image; the records in the output's order.
   */
  summary(out: SummaryOutput): void {
    const { step, wallTime } = out;
    const values: PlainValue[] = [];
    for (const e of out.entries) if (e.kind !== 'image') values.push(e);
    this.writer?.summaryValues(values, step, wallTime);
    for (const e of out.entries) {
      if (e.kind === 'histogram') this.push(lazyHistogramRecord(e.tag, e.summary, step, wallTime));
      else if (e.kind === 'scalar') this.pushScalar(e.tag, e.value, step, wallTime);
      else this.image(e.tag, e.png, e.width, e.height, step, wallTime);
    }
  }

  kerasModel(json: string, step = 0): void {
    const wallTime = now();
    this.writer?.kerasModel(json, step, wallTime);
    this.push({ kind: 'graph', graph: kerasModelToGraph(json, step), step, wallTime, source: { kind: 'keras', tag: 'keras', json } });
  }

  hparams(h: Record<string, string | number | boolean>, metrics: string[]): void {
    const wallTime = now();
    this.writer?.hparams(h, metrics, wallTime);
    const names: Record<string, string> = {};
    for (const k of Object.keys(h)) names[k] = k;
    // The same experiment / session the writer puts on disk, so live and replayed runs read alike.
    const experiment = {
      name: '', description: '', user: '', timeCreatedSecs: wallTime,
      hparamInfos: Object.entries(h).map(([name, v]) => ({
        name, displayName: '', description: '', differs: false,
        type: typeof v === 'number' ? 'DATA_TYPE_FLOAT64' : typeof v === 'boolean' ? 'DATA_TYPE_BOOL' : 'DATA_TYPE_STRING',
      })),
      metricInfos: metrics.map((tag) => ({ group: '', tag, displayName: '', description: '', datasetType: 'DATASET_UNKNOWN' })),
    };
    this.push({ kind: 'hparams', tag: HPARAMS_TAGS.experiment, part: 'experiment', hparams: names, metrics: [...metrics], experiment, step: 0, wallTime });
    this.push({ kind: 'hparams', tag: HPARAMS_TAGS.sessionStart, part: 'session_start', hparams: { ...h }, groupName: '', startTimeSecs: wallTime, modelUri: '', monitorUrl: '', step: 0, wallTime });
  }

  /** The status end() was called with, or null. */
  get endStatus(): SessionStatus | null {
    return this.endedWith;
  }

  /** Session end status; only the first call counts. */
  end(status: SessionStatus): void {
    if (this.endedWith) return;
    this.endedWith = status;
    const wallTime = now();
    this.writer?.hparamsEnd(status, wallTime);
    this.push({ kind: 'hparams', tag: HPARAMS_TAGS.sessionEnd, part: 'session_end', status: STATUS_ON_DISK[status], endTimeSecs: wallTime, step: 0, wallTime });
  }

  /** Records made since the last call. */
  takeRecords(): LogRecord[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  async close(): Promise<void> {
    await this.writer?.close();
  }
}
