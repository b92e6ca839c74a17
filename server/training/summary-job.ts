// One summary step's work after the reads: per-layer histograms and scalars and the optional image,
// from plain arrays. Pure (no tfjs, no I/O); the trainer's RunLogger writes the output in its order.
// (Running this on a thread of its own was measured and dropped: on 2 cores the contention cost the
// training thread more than the work itself, and it took the second core from sweeps.)
import { summarizeHistogram, type HistogramSummary } from '../../shared/histogram.ts';
import type { Activation } from '../../shared/types.ts';
import { decisionBoundaryPng, upsampleBilinear, weightTilesPng } from './images.ts';
import { layerScalars, type CountActivations } from './summaries.ts';

/** A weight layer's arrays as read at one summary step (row-major, float32). */
export interface LayerArrays {
  name: string;
  units: number;
  activation: Activation | 'softmax';
  kernel: Float32Array;
  bias: Float32Array;
  kernelGrad: Float32Array;
  biasGrad: Float32Array;
  /** Activations on the probe batch, [examples, units]. */
  activations: Float32Array;
}

export type ImageJob =
  /** Class probabilities on a grid x grid lattice over `bounds`, drawn upsampled to size x size. */
  | { kind: 'boundary'; probs: Float32Array; classes: number; grid: number; size: number; bounds: [number, number, number, number] }
  /** The first layer's kernel [side*side, units] as tiles. */
  | { kind: 'weights'; kernel: Float32Array; units: number; side: number };

export interface SummaryJob {
  step: number;
  /** Seconds since the epoch when the arrays were read: every record of the step carries it. */
  wallTime: number;
  layers: LayerArrays[];
  image?: ImageJob;
}

/** A 2-D dataset's training points, drawn over decision-boundary images. */
export interface BoundaryPoints {
  xs: Float32Array;
  ys: Int32Array;
}

export type SummaryEntry =
  /** Buckets: histogramProtoToBuckets(summary), made when needed (the live record's are lazy). */
  | { kind: 'histogram'; tag: string; summary: HistogramSummary }
  | { kind: 'scalar'; tag: string; value: number }
  | { kind: 'image'; tag: string; png: Uint8Array; width: number; height: number };

export interface SummaryOutput {
  step: number;
  wallTime: number;
  entries: SummaryEntry[];
}

/** A layer's summary tags. */
interface LayerTags {
  kernel: string;
  bias: string;
  activations: string;
  kernelGrad: string;
  gradNorm: string;
  deadFraction: string;
  saturationFraction: string;
}

const tagCache = new Map<string, LayerTags>();
const TAG_CACHE_MAX = 1024;

/**
 * The same string objects every summary step: the writer looks each tag up in its encoded-tag cache, and
 * a string made afresh (a template literal) would be hashed again on every lookup.
 */
function layerTags(name: string): LayerTags {
  let t = tagCache.get(name);
  if (!t) {
    if (tagCache.size >= TAG_CACHE_MAX) tagCache.clear();
    t = {
      kernel: `${name}/kernel`,
      bias: `${name}/bias`,
      activations: `${name}/activations`,
      kernelGrad: `${name}/kernel_grad`,
      gradNorm: `${name}/grad_norm`,
      deadFraction: `${name}/dead_fraction`,
      saturationFraction: `${name}/saturation_fraction`,
    };
    tagCache.set(name, t);
  }
  return t;
}

/**
 * `summarize` makes each histogram and `count` counts dead units and saturated values (the trainer passes
 * wasm-histogram.ts's, for arrays on the wasm heap).
 */
export function runSummaryJob(
  job: SummaryJob,
  points: BoundaryPoints | null,
  summarize: (values: Float32Array) => HistogramSummary = summarizeHistogram,
  count?: CountActivations,
): SummaryOutput {
  const entries: SummaryEntry[] = [];
  const histogram = (tag: string, values: Float32Array) => {
    const summary = summarize(values);
    entries.push({ kind: 'histogram', tag, summary });
    return summary;
  };
  for (const l of job.layers) {
    const t = layerTags(l.name);
    histogram(t.kernel, l.kernel);
    histogram(t.bias, l.bias);
    histogram(t.activations, l.activations);
    const kg = histogram(t.kernelGrad, l.kernelGrad);
    // The histogram's sum of squares gives the norm without another pass; not when it skipped
    // non-finite values (the norm must show those).
    const s = layerScalars(l.activations, l.units, l.activation, l.kernelGrad, l.biasGrad, kg.num === l.kernelGrad.length ? kg.sumSquares : undefined, count);
    entries.push({ kind: 'scalar', tag: t.gradNorm, value: s.gradNorm });
    entries.push({ kind: 'scalar', tag: t.deadFraction, value: s.deadFraction });
    entries.push({ kind: 'scalar', tag: t.saturationFraction, value: s.saturationFraction });
  }
  const im = job.image;
  if (im?.kind === 'boundary') {
    const probs = upsampleBilinear(im.probs, im.classes, im.grid, im.size);
    const img = decisionBoundaryPng(probs, im.classes, im.size, im.bounds, points ?? undefined);
    entries.push({ kind: 'image', tag: 'images/decision_boundary', png: img.png, width: img.width, height: img.height });
  } else if (im?.kind === 'weights') {
    const img = weightTilesPng(im.kernel, im.units, im.side);
    entries.push({ kind: 'image', tag: 'images/first_layer_weights', png: img.png, width: img.width, height: img.height });
  }
  return { step: job.step, wallTime: job.wallTime, entries };
}
