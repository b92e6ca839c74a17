// Types shared by server and web. No Node or DOM APIs here.

/** A run is named by its directory relative to the logdir ("." for the logdir itself). */
export type RunName = string;
export type Tag = string;

/** [wall_time seconds, step, value] — TensorBoard's scalar shape. NaN/±Inf allowed (null on the JSON wire). */
export type ScalarTuple = [wallTime: number, step: number, value: number];
/** One histogram bucket: [left edge, right edge, count]. */
export type Bucket = [left: number, right: number, count: number];
/** [wall_time, step, buckets] — TensorBoard's histogram shape. */
export type HistogramTuple = [wallTime: number, step: number, buckets: Bucket[]];
/** [basis point 0..10000, value] */
export type BasisPointValue = [bp: number, value: number];
/** [wall_time, step, nine basis-point values] — TensorBoard's distribution shape. */
export type DistributionTuple = [wallTime: number, step: number, bands: BasisPointValue[]];

/** An image's metadata; the PNG bytes are fetched over HTTP by (run, tag, index). */
export interface ImageRef {
  wallTime: number;
  step: number;
  width: number;
  height: number;
  /** Position of this image among the run's kept images for the tag (stable while kept). */
  index: number;
  /** Several images may be logged at one step (TF2 image tensors); this is the sample within it. */
  sample: number;
}

/** A normalized graph, whatever wrote it: Keras model JSON (layers) or a GraphDef (ops). */
export interface GraphNode {
  name: string; // full name; "/" separates name scopes
  op: string; // layer class for Keras ("Dense"), op for GraphDef ("MatMul")
  inputs: string[]; // names of input nodes (control inputs start with "^")
  device?: string;
  /** Readable attributes: activation, units, output shape, dtype... */
  attrs: Record<string, string>;
  outputShape?: (number | null)[];
  /** Trainable parameter count (Keras layers). */
  params?: number;
}
export interface GraphJson {
  kind: 'graph_def' | 'keras';
  step: number;
  nodes: GraphNode[];
}

export type Activation =
  | 'linear'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'prelu'
  | 'elu'
  | 'selu'
  | 'softplus'
  | 'softsign'
  | 'swish'
  | 'maxout';
export const ACTIVATIONS: readonly Activation[] = [
  'linear',
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'prelu',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'swish',
  'maxout',
];
export type DatasetName = 'mnist' | 'spiral' | 'circles' | 'xor' | 'moons';
export const DATASETS: readonly DatasetName[] = ['mnist', 'spiral', 'circles', 'xor', 'moons'];
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'rmsprop';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'rmsprop'];
export type BackendName = 'gpu' | 'node' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

/** What a user asks for when starting a training run (one activation) — validated with zod on arrival. */
export interface TrainSpec {
  dataset: DatasetName;
  /** Noise level for the 2-D sets (ignored for mnist). */
  noise: number;
  /** Number of generated samples for 2-D sets; cap on digits used for mnist. */
  samples: number;
  activation: Activation;
  /** Hidden layer widths, e.g. [16, 16]. */
  layers: number[];
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Dropout rate after each hidden layer; 0 = none. */
  dropout: number;
  batchNorm: boolean;
  seed: number;
  /** Histograms/images every N iterations. */
  summaryEvery: number;
  /** Cap on iterations per second (a demo at a pace people can watch); absent = as fast as it goes. */
  maxItersPerSec?: number;
  /** With `serve --redis`: when the worker training the run dies, train it once more (as "<name>-2"). */
  retry?: boolean;
}

/** interrupted: read from a log of ours whose writing process died before the run ended (server killed). */
export type RunState = 'queued' | 'running' | 'finished' | 'failed' | 'stopped' | 'interrupted';
export interface RunProgress {
  epoch: number; // 1-based current epoch
  epochs: number;
  iteration: number; // global iteration (batches done)
  iterationsPerEpoch: number;
  /** Seconds left, estimated; null before the first measurement. */
  etaSec: number | null;
  loss: number | null;
}
export interface RunStatus {
  state: RunState;
  progress?: RunProgress;
  /** Reason a run failed, with context. */
  error?: string;
  backend?: BackendName;
  startedAt?: number; // unix seconds
  endedAt?: number;
}

/** A run as listed to clients. */
export interface RunInfo {
  name: RunName;
  /** 'trainer': trained by this server (has status); 'disk': read from the logdir. */
  source: 'trainer' | 'disk';
  /** Group for the sidebar: the sweep name for sweep runs, else the parent directory. */
  group: string;
  status?: RunStatus;
  /** Hyper-parameters, when the log has them (our runs always do). */
  hparams?: Record<string, string | number | boolean>;
  /**
   * Trainer runs started by a dashboard client: that client's public owner tag (a hash of its id, see
   * Hello.you). Absent for runs started by the CLI or the demo, which any client may stop.
   */
  startedBy?: string;
  /** How the run ended as its log says (hparams session end), for runs read from disk. */
  logStatus?: RunState;
  /** While the server's initial read of the logdir has not finished this run: bytes read of its bytes. */
  loading?: { bytesRead: number; totalBytes: number };
}

export interface TagInfo {
  displayName: string;
  description: string;
}

/** One step of a PR curve, as TensorBoard's /data/plugin/pr_curves/pr_curves answers it. */
export interface PrCurveEntry {
  wall_time: number;
  step: number;
  precision: number[];
  recall: number[];
  true_positives: number[];
  false_positives: number[];
  true_negatives: number[];
  false_negatives: number[];
  thresholds: number[];
}

/** `trainscope export` / GET /api/export document. */
export interface ExportDocument {
  runs: Record<
    RunName,
    {
      scalars: Record<Tag, ScalarTuple[]>;
      histograms: Record<Tag, HistogramTuple[]>;
      images: Record<Tag, [wallTime: number, step: number, width: number, height: number][]>;
      graphs: { kind: 'graph_def' | 'keras'; step: number; nodes: number }[];
      tensors: Record<Tag, { plugin: string; count: number }>;
      warnings: string[];
      /** Text entries: the raw text (cells joined by newlines), shape and cells, and TensorBoard's HTML. */
      text?: Record<Tag, { wallTime: number; step: number; raw: string; shape?: number[]; cells?: string[]; html: string }[]>;
      /** hparams summaries: the experiment as written, the session start and end. */
      hparams?: {
        experiment?: {
          name: string;
          description: string;
          user: string;
          timeCreatedSecs: number;
          hparamInfos: {
            name: string;
            displayName: string;
            description: string;
            type: string;
            differs: boolean;
            domainDiscrete?: (string | number | boolean)[];
            domainInterval?: { minValue: number; maxValue: number };
          }[];
          metricInfos: { group: string; tag: string; displayName: string; description: string; datasetType: string }[];
        };
        start?: { hparams: Record<string, string | number | boolean>; groupName: string; startTimeSecs: number; modelUri: string; monitorUrl: string };
        end?: { status: string; endTimeSecs: number };
      };
      /** PR curves as TensorBoard's /pr_curves answers them. */
      prCurves?: Record<Tag, PrCurveEntry[]>;
      /** Audio clips (base64) with their labels and content type. */
      audio?: Record<Tag, { wallTime: number; step: number; contentType: string; clips: string[]; labels: string[] }[]>;
      /** Projector embeddings of the run directory (projector_config.pbtxt and its files). */
      embeddings?: {
        tensorName: string;
        shape: [number, number];
        values: number[][];
        metadata?: string;
        /** Sprite image, base64, with its single-image size. */
        sprite?: { mime: string; data: string; singleImageDim: number[] };
      }[];
    }
  >;
}
