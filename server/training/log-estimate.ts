// How many bytes a training spec's event file will take, estimated before it runs (to refuse specs that
// would blow a disk budget). Pure arithmetic over the trainer's logging schedule (trainer.ts): 7 scalars
// every iteration, 4 val/epoch scalars per epoch, and on each summary step 4 histograms and 3 scalars per
// weight layer, plus an image now and then. Checked against real runs in tests/training/log-estimate.test.ts
// (within a factor of 2 either way); it errs on the high side for large layers.
import type { TrainSpec } from '../../shared/types.ts';
import { MNIST_SIDE, TRAIN_FRACTION } from './datasets.ts';
import { EMBED_EXAMPLES, projectorBytesBound } from './projector-writer.ts';
import { BOUNDARY_SIZE, IMAGE_EVERY, PROBE_SIZE } from './train-settings.ts';

/** Digits in the bundled MNIST subset (datasets.ts: loadMnist). */
const MNIST_AVAILABLE = 10_000;
const BOUNDARY_PIXELS = BOUNDARY_SIZE * BOUNDARY_SIZE;
/** From the maxout layer (activations.ts: MAXOUT_PIECES): its kernel is pieces times wider. */
const MAXOUT_PIECES = 2;

/** One scalar event: 16 bytes of record framing, wall time, step, tag (~18 chars) and float. */
const SCALAR_EVENT_BYTES = 60;
/** A scalar inside a summary step's merged event: tag (~24 chars) and float, no framing. */
const MERGED_SCALAR_BYTES = 32;
/** A histogram value's fixed part: tag, min/max/num/sum/sumSquares doubles, wrappers. */
const HISTOGRAM_FIXED_BYTES = 75;
/** Each bucket: its right edge and its count, both packed doubles. */
const BUCKET_BYTES = 16;
/**
 * Buckets a histogram of n values keeps: about one per distinct magnitude, so at most ~n (plus the empty
 * runs collapsed between them), and no more than ~120 for the spreads training produces (measured: 45-110
 * on average, a few up to ~300 on MNIST).
 */
const MAX_BUCKETS = 120;
/** PNG bytes per pixel: decision boundaries are smooth (~1.4 measured), weight tiles noisy (~3.2). */
const BOUNDARY_PNG_BYTES_PER_PIXEL = 1.6;
const TILES_PNG_BYTES_PER_PIXEL = 3.5;
/** Graph (Keras model JSON), hparams and session events: a few KB, more with more layers. */
const FIXED_BYTES = 6_000;
const FIXED_BYTES_PER_LAYER = 1_500;

export interface LogEstimate {
  bytes: number;
  iterations: number;
  summarySteps: number;
  images: number;
  /** Of `bytes`: the projector files beside the event file (MNIST runs with a hidden layer; projector-writer.ts). */
  projectorBytes: number;
}

function histogramBytes(values: number): number {
  return HISTOGRAM_FIXED_BYTES + BUCKET_BYTES * Math.min(values + 2, MAX_BUCKETS);
}

/** Training examples the trainer will iterate over for this spec (80% of the samples it loads). */
export function trainExamples(spec: Pick<TrainSpec, 'dataset' | 'samples'>): number {
  const n = spec.dataset === 'mnist' ? Math.max(10, Math.min(Math.floor(spec.samples), MNIST_AVAILABLE)) : Math.max(2, Math.floor(spec.samples));
  return Math.min(n - 1, Math.max(1, Math.round(n * TRAIN_FRACTION)));
}

/** Examples the dataset loads (train + validation). */
function nTrainOrAll(spec: Pick<TrainSpec, 'dataset' | 'samples'>): number {
  return spec.dataset === 'mnist' ? Math.max(10, Math.min(Math.floor(spec.samples), MNIST_AVAILABLE)) : Math.max(2, Math.floor(spec.samples));
}

/** The estimated size of the event file (and projector files) a run of `spec` writes (summaries on, as the server runs them). */
export function estimateLogBytes(spec: TrainSpec): LogEstimate {
  const nTrain = trainExamples(spec);
  const batch = Math.max(1, Math.min(spec.batchSize, nTrain));
  const perEpoch = Math.ceil(nTrain / batch);
  const iterations = perEpoch * spec.epochs;
  const every = Number.isInteger(spec.summaryEvery) && spec.summaryEvery >= 1 ? spec.summaryEvery : 10;
  // Every `every` iterations, plus the first and the last.
  const summarySteps = Math.floor(iterations / every) + 2;
  const mnist = spec.dataset === 'mnist';
  const inputs = mnist ? MNIST_SIDE * MNIST_SIDE : 2;
  const classes = mnist ? 10 : 2;
  const widths = [...spec.layers, classes];
  let perSummary = 0;
  let fanIn = inputs;
  widths.forEach((units, i) => {
    const hidden = i < spec.layers.length;
    const kernel = fanIn * units * (hidden && spec.activation === 'maxout' ? MAXOUT_PIECES : 1);
    perSummary += 2 * histogramBytes(kernel) + histogramBytes(units) + histogramBytes(PROBE_SIZE * units) + 3 * MERGED_SCALAR_BYTES;
    fanIn = units;
  });
  perSummary += 16 + 20; // the merged event's framing and header
  // Every IMAGE_EVERY summary steps (and at the first and last iteration); the trainer also spaces them
  // by at least a second of training, which only makes fewer.
  const images = Math.floor(iterations / (every * IMAGE_EVERY)) + 2;
  const tiles = Math.min(spec.layers[0] ?? 1, 64);
  const imageBytes = mnist
    ? TILES_PNG_BYTES_PER_PIXEL * Math.ceil(Math.sqrt(tiles)) ** 2 * (MNIST_SIDE + 1) ** 2 + 200
    : BOUNDARY_PNG_BYTES_PER_PIXEL * BOUNDARY_PIXELS + 200;
  const embedRows = mnist && spec.layers.length > 0 ? Math.min(nTrainOrAll(spec) - nTrain, EMBED_EXAMPLES) : 0;
  const projectorBytes = embedRows > 0 ? Math.round(projectorBytesBound(embedRows, spec.layers[spec.layers.length - 1], spec.epochs, MNIST_SIDE)) : 0;
  const bytes =
    projectorBytes +
    FIXED_BYTES +
    FIXED_BYTES_PER_LAYER * widths.length +
    iterations * 7 * SCALAR_EVENT_BYTES +
    spec.epochs * 4 * SCALAR_EVENT_BYTES +
    summarySteps * perSummary +
    images * imageBytes;
  return { bytes: Math.round(bytes), iterations, summarySteps, images, projectorBytes };
}

/** 1.5 GB, 12.0 MB, 800 B: for messages. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'unlimited';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** "2GB", "500 MB", "1.5G", "123456" (bytes), "unlimited" -> bytes (decimal units). Throws a readable Error. */
export function parseByteSize(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'unlimited' || t === 'none') return Infinity;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/.exec(t);
  if (!m) throw new Error(`not a size: "${s}" (use e.g. 500MB, 2GB, 1TB or a number of bytes)`);
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 }[m[2] as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * mult);
}
