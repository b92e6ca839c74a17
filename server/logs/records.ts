// The normalized records every reader produces and every consumer (store, live hub, export) takes.
// One shape per kind, whatever wrote the log (TF1, TF2, PyTorch, our own writer). Plain data:
// structured-clone-able, so training workers can post them to the main thread as they are.
import type { Bucket, GraphJson } from '../../shared/types.ts';

interface Base {
  wallTime: number;
  step: number;
  /** The step's exact decimal text when the int64 is past 2^53 (`step` is then the nearest double). */
  stepExact?: string;
}

export interface ScalarRecord extends Base {
  kind: 'scalar';
  tag: string;
  value: number;
  /** From the tag's summary metadata (display_name / summary_description), when the writer set them. */
  displayName?: string;
  description?: string;
}
export interface HistogramRecord extends Base {
  kind: 'histogram';
  tag: string;
  buckets: Bucket[];
  /** From the tag's summary metadata (display_name / summary_description), when the writer set them. */
  displayName?: string;
  description?: string;
}
export interface ImageRecord extends Base {
  kind: 'image';
  tag: string;
  width: number;
  height: number;
  /** Encoded image bytes as stored (PNG for ours; TF may store JPEG/GIF). */
  data: Uint8Array;
  /** Index of the image among several logged at one step (TF2 image tensors), else 0. */
  sample: number;
  /** From the tag's summary metadata (display_name / summary_description), when the writer set them. */
  displayName?: string;
  description?: string;
}
export interface GraphRecord extends Base {
  kind: 'graph';
  graph: GraphJson;
  /**
   * What TensorBoard serves for it: the run's GraphDef bytes (an Event's graph_def), or a Keras model's JSON
   * with its summary tag (the graph_keras_model plugin).
   */
  source?: { kind: 'graph_def'; data: Uint8Array } | { kind: 'keras'; tag: string; json: string };
}
export interface TextRecord extends Base {
  kind: 'text';
  tag: string;
  text: string;
  /** The string tensor's shape ([] for one string) and its cells in row-major order, when known. */
  shape?: number[];
  cells?: string[];
}
/** An hparams experiment summary as written (api.proto Experiment), for the hparams routes. */
export interface HparamInfoRecord {
  name: string;
  displayName: string;
  description: string;
  /** 'DATA_TYPE_STRING' | 'DATA_TYPE_BOOL' | 'DATA_TYPE_FLOAT64' | 'DATA_TYPE_UNSET' */
  type: string;
  domainDiscrete?: (string | number | boolean)[];
  domainInterval?: { minValue: number; maxValue: number };
  differs: boolean;
}
export interface MetricInfoRecord {
  group: string;
  tag: string;
  displayName: string;
  description: string;
  /** 'DATASET_UNKNOWN' | 'DATASET_TRAINING' | 'DATASET_VALIDATION' */
  datasetType: string;
}
export interface ExperimentRecord {
  name: string;
  description: string;
  user: string;
  timeCreatedSecs: number;
  hparamInfos: HparamInfoRecord[];
  metricInfos: MetricInfoRecord[];
}
/** hparams plugin data: the experiment config, a session's values, or a session's end. */
export interface HparamsRecord extends Base {
  kind: 'hparams';
  tag: string;
  hparams?: Record<string, string | number | boolean>;
  /** Metric tags declared by the experiment, if any. */
  metrics?: string[];
  /** 'experiment' | 'session_start' | 'session_end' */
  part: 'experiment' | 'session_start' | 'session_end';
  /** session_end status, e.g. 'STATUS_SUCCESS'. */
  status?: string;
  /** The whole experiment summary (part 'experiment'), when decoded from a log. */
  experiment?: ExperimentRecord;
  /** session_start_info fields besides the values (part 'session_start'). */
  groupName?: string;
  startTimeSecs?: number;
  modelUri?: string;
  monitorUrl?: string;
  /** session_end_info end time (part 'session_end'). */
  endTimeSecs?: number;
}
/** Any other summary (pr_curves, audio, custom_scalars, unknown plugins): kept, never dropped silently. */
export interface TensorRecord extends Base {
  kind: 'tensor';
  tag: string;
  plugin: string;
  dtype?: string;
  shape?: number[];
  /** Decoded numeric content when it has any (flattened). */
  values?: number[];
  /** Elements of a string tensor (audio clips and labels, custom-scalar layouts), row-major. */
  strings?: Uint8Array[];
  /** The tag's summary metadata plugin content (from its first metadata), e.g. the audio encoding. */
  content?: Uint8Array;
  /** From the tag's summary metadata, when the writer set them. */
  displayName?: string;
  description?: string;
  /** The serialized RunMetadata of the graph_run_metadata / graph_run_metadata_graph plugins. */
  blob?: Uint8Array;
}
/** Event-level records that carry no summary (session logs, file_version, run metadata). */
export interface MetaRecord extends Base {
  kind: 'meta';
  what: 'file_version' | 'session_log' | 'tagged_run_metadata' | 'meta_graph_def' | 'log_message' | 'source_metadata';
  detail?: string;
  /** tagged_run_metadata: the serialized RunMetadata (detail is its tag). */
  blob?: Uint8Array;
}

export type LogRecord =
  | ScalarRecord
  | HistogramRecord
  | ImageRecord
  | GraphRecord
  | TextRecord
  | HparamsRecord
  | TensorRecord
  | MetaRecord;
