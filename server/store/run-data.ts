// One run's data in the store: its series with their per-ingest bookkeeping, and everything else a run
// carries (texts, tensors, tag metadata, graphs, hparams, warnings). Plain data; SeriesStore owns the logic.
import type { GraphJson, TagInfo, Bucket } from '../../shared/types.ts';
import type { HparamsDetail } from './hparams-detail.ts';
import type { ImageSeries } from './image-series.ts';
import type { PluginSeries } from './plugin-series.ts';
import type { HistogramSeries } from './histogram-series.ts';
import type { Reservoir } from './reservoir.ts';
import type { ScalarSeries } from './scalar-series.ts';
import { emptyGraphSources, type GraphSources } from './graph-sources.ts';

/** Bounds on everything that is not a sampled series. */
export const STORE_BOUNDS = {
  /** Tags per kind per run; records of further tags are dropped with one warning. */
  tagsPerKind: 10_000,
  /** Text samples per tag (reservoir, latest kept). */
  textSamples: 100,
  /** Characters kept of one text sample. */
  textChars: 100_000,
  /** Steps past 2^53 whose exact decimal is kept per run. */
  exactStepsPerRun: 10_000,
  /** Latest graphs kept per run. */
  graphsPerRun: 3,
  /** Warnings kept per run (the oldest are kept; the rest are counted). */
  warningsPerRun: 200,
  /** Folders (not runs) whose warnings are kept until they become runs. */
  pendingWarningRuns: 1_000,
  /** Hyper-parameter keys per run. */
  hparamKeys: 1_000,
} as const;

export type Kind = 'scalars' | 'histograms' | 'images';

export interface HistItem {
  wallTime: number;
  buckets: Bucket[];
}
export interface TextItem {
  wallTime: number;
  text: string;
  shape?: number[];
  cells?: string[];
}

/** Per-series bookkeeping of one ingest() call. */
export interface Track {
  epoch: number;
  slots: number[];
  reset: boolean;
  /** Image ids of this batch are >= this. */
  minIndex: number;
}
export interface Entry<S> {
  kind: Kind;
  tag: string;
  series: S;
  /** The series' bytes when last counted (see RunData.bytes). */
  bytes: number;
  track: Track;
}

export class RunData {
  readonly scalars = new Map<string, Entry<ScalarSeries>>();
  readonly histograms = new Map<string, Entry<HistogramSeries>>();
  readonly images = new Map<string, Entry<ImageSeries>>();
  readonly texts = new Map<string, Reservoir<TextItem>>();
  readonly tensors = new Map<string, { plugin: string; count: number }>();
  readonly tagInfo = new Map<string, TagInfo>();
  readonly graphs: GraphJson[] = [];
  hparams: Record<string, string | number | boolean> | undefined;
  hparamMetrics: string[] | undefined;
  hparamStatus: string | undefined;
  /** Last Event.source_metadata.writer seen; whether a hparams session_start was seen. */
  writer: string | undefined;
  sessionStarted = false;
  readonly hparamsDetail: HparamsDetail = {};
  plugins!: PluginSeries;
  readonly warnings: string[] = [];
  droppedWarnings = 0;
  readonly tagLimitWarned = new Set<string>();
  /** Bytes held by the run's sampled series as of the last ingest (what --max-memory counts). */
  bytes = 0;
  /** See SeriesStore.resetMark. */
  resetMark = 0;
  /** Exact decimal of steps past 2^53, by their (rounded) number. */
  readonly exactSteps = new Map<number, string>();
  /** Wall time of the run's first record (TensorBoard orders runs by it). */
  startTime: number | undefined;
  /** What the graphs plugin serves as TensorBoard does: the latest of each. */
  readonly graphSources: GraphSources = emptyGraphSources();
}
