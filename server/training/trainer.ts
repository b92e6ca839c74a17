// The training loop for one run: data -> MLP -> our own loop (train-step.ts gives the loss, probabilities
// and per-layer gradients; applyGradients) -> summaries through a RunLogger.
// Reads from the device: a synchronous read of the batch's probabilities (and, on the tape path, the loss) every iteration
// and, on summary steps, of the weights/grads/probe activations (and the boundary grid's probabilities);
// plus one per validation pass. No await on the hot path: the loop yields every YIELD_MS instead.
import * as tf from '@tensorflow/tfjs-core';
import { keras3ModelJson } from './keras3-config.ts';
import type { BackendName, RunProgress, TrainSpec } from '../../shared/types.ts';
import type { LogRecord } from '../logs/records.ts';
import { makeDataset, MNIST_SIDE } from './datasets.ts';
import { gridPoints } from './images.ts';
import { hostForward, type HostForward } from './host-forward.ts';
import { heapActivationCounts, heapSummarizer, prepareHeapHistograms } from './wasm-histogram.ts';
import { float32Peeker } from './wasm-kernels.ts';
import { buildMlp } from './model.ts';
import { deriveSeed, mulberry32, permutation } from './rng.ts';
import type { RunLogger } from './run-logger.ts';
import { EtaTracker } from '../../shared/eta.ts';
import { specHparams } from './run-meta.ts';
import type { RunResult } from './worker-protocol.ts';
import { runSummaryJob, type BoundaryPoints, type ImageJob, type LayerArrays } from './summary-job.ts';
import { lastHiddenActivations } from './embedding-pass.ts';
import { EMBED_EXAMPLES, type EmbeddingSink } from './projector-writer.ts';
import { handEvaluate, handStep, handStepSupported, handTaps, tapeStep } from './train-step.ts';
import { makeOptimizer } from './optimizers.ts';
import { countHits, EVAL_CHUNK, evaluate, gatherBatch, oneHot } from './train-data.ts';
import {
  BOUNDARY_GRID,
  BOUNDARY_SIZE,
  checkSpec,
  DEFAULT_SUMMARY_EVERY,
  HPARAM_METRICS,
  IMAGE_EVERY,
  IMAGE_MIN_SECONDS,
  imageGapMs,
  PROBE_SIZE,
  VAL_MAX_EXAMPLES,
} from './train-settings.ts';

// Callers (tests, bench) take these from the trainer, where they act.
export { countHits } from './train-data.ts';
export { makeOptimizer, type TrainOptimizer } from './optimizers.ts';
export * from './train-settings.ts';

/** The trainer's final figures; declared with the worker messages, which carry it to the main thread. */
export type TrainResult = RunResult;

export interface TrainContext {
  logger: RunLogger;
  backend: BackendName;
  /** Stop: end cleanly after the current iteration, status ABORTED. */
  signal?: AbortSignal;
  /** After every iteration (caller throttles). */
  onProgress?: (p: RunProgress) => void;
  /** logger.takeRecords() after each iteration. */
  onRecords?: (records: LogRecord[]) => void;
  /**
   * Default true; false = scalars only every iteration, no histograms/images/graph. A function turns the
   * summary steps on for the iterations it accepts (bench:train alternates blocks of iterations, so both
   * sides of its comparison see the same machine).
   */
  summaries?: boolean | ((iteration: number) => boolean);
  /**
   * Least training time between two images (default IMAGE_MIN_SECONDS, and longer for costly images: see
   * IMAGE_TIME_SHARE); 0 = strictly every IMAGE_EVERY summary steps.
   */
  imageMinSeconds?: number;
  /** MNIST runs: the last hidden layer's embedding of fixed validation digits at each epoch's end (projector-writer.ts). */
  embedding?: EmbeddingSink;
}

/** Yield to the event loop at least this often (ms) so abort messages and timers get through. */
const YIELD_MS = 20;

/** The hparams a run writes: the same keys the manager shows clients (one definition, in run-meta.ts). */
export function hparamsFor(spec: TrainSpec, backend: BackendName): Record<string, string | number | boolean> {
  return specHparams(spec, backend);
}

export async function trainRun(spec: TrainSpec, ctx: TrainContext): Promise<TrainResult> {
  checkSpec(spec);
  const { logger } = ctx;
  const summaries = ctx.summaries !== false;
  const summariesAt = typeof ctx.summaries === 'function' ? ctx.summaries : () => summaries;
  const every = Number.isInteger(spec.summaryEvery) && spec.summaryEvery >= 1 ? spec.summaryEvery : DEFAULT_SUMMARY_EVERY;
  const ds = makeDataset({ name: spec.dataset, samples: spec.samples, noise: spec.noise, seed: spec.seed });
  const nTrain = ds.trainY.length, nVal = ds.valY.length;
  const batch = Math.min(spec.batchSize, nTrain);
  const itersPerEpoch = Math.ceil(nTrain / batch);
  const totalIters = itersPerEpoch * spec.epochs;

  const mlp = buildMlp(spec, ds.inputShape, ds.numClasses);
  const optimizer = makeOptimizer(spec);
  const held: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (held.push(t), t);
  let host: HostForward | null = null;
  try {
    if (summaries) logger.kerasModel(keras3ModelJson(mlp.model), 0);
    logger.hparams(hparamsFor(spec, ctx.backend), HPARAM_METRICS);
    ctx.onRecords?.(logger.takeRecords());

    const nEval = Math.min(nVal, VAL_MAX_EXAMPLES);
    const valX = keep(tf.tensor(ds.valX.subarray(0, nEval * ds.inputDim), [nEval, ...ds.inputShape]));
    const valY = keep(tf.tensor2d(oneHot(ds.valY.subarray(0, nEval), ds.numClasses), [nEval, ds.numClasses]));
    const probeN = Math.min(PROBE_SIZE, nEval);
    const probeX = keep(tf.slice(valX, 0, probeN));
    const embedN = ctx.embedding && ds.name === 'mnist' && mlp.weightLayers.length > 1 ? Math.min(nEval, EMBED_EXAMPLES) : 0;
    const embedX = embedN > 0 ? keep(tf.slice(valX, 0, embedN)) : null;
    if (embedX) ctx.embedding!.begin({ labels: ds.valY.subarray(0, embedN), pixels: ds.valX.subarray(0, embedN * ds.inputDim), rows: embedN, side: MNIST_SIDE });
    const gridXs = ds.bounds ? gridPoints(ds.bounds, BOUNDARY_GRID) : null;
    const grid = gridXs ? keep(tf.tensor2d(gridXs, [BOUNDARY_GRID * BOUNDARY_GRID, 2])) : null;

    // A written-out backward pass where the model allows it (train-step.ts), else the gradient tape.
    const hand = handStepSupported(spec);
    const points: BoundaryPoints | null = ds.bounds ? { xs: ds.trainX, ys: ds.trainY } : null;
    // Heap buffers before any heap view is taken (an allocation may grow the heap): the histogram
    // kernel's tables, and the probe (input 0) and grid (input 1) for the host-side forward pass.
    if (summaries) prepareHeapHistograms();
    host = summaries
      ? hostForward(mlp, spec, [
          { data: ds.valX.subarray(0, probeN * ds.inputDim), rows: probeN },
          ...(gridXs ? [{ data: gridXs, rows: BOUNDARY_GRID * BOUNDARY_GRID }] : []),
        ])
      : null;
    // Bound once per run (a summary step makes a dozen histograms and views).
    const summarizeValues = summaries ? heapSummarizer() : undefined;
    const countActivations = summaries ? heapActivationCounts() : undefined;
    const peek = float32Peeker();

    /**
     * One summary step: each layer's weights, gradients and probe activations (and the image's input) are
     * summarized straight from the wasm heap (no copies: no tfjs allocation happens until they are done).
     * The activations come from the host-side pass where it applies (host-forward.ts), else from tfjs.
     */
    const summarize = (step: number, grads: tf.NamedTensorMap, withImage: boolean): void => {
      const owned: tf.Tensor[] = [];
      const viaTfjs = (f: () => tf.Tensor[]) => {
        const ts = tf.tidy(f);
        owned.push(...ts);
        return ts;
      };
      const taps = host ? null : viaTfjs(() => (hand ? handTaps(mlp, spec.activation, probeX) : mlp.forward(probeX, false, true).taps));
      const gridProbs =
        withImage && grid && !host ? viaTfjs(() => [hand ? handTaps(mlp, spec.activation, grid).at(-1)! : mlp.forward(grid, false).probs])[0] : null;
      try {
        // From here on no tfjs allocation until the job is done: the views below stay valid.
        const acts = host ? host.run(0) : taps!.map(peek);
        const layers: LayerArrays[] = mlp.weightLayers.map((w, i) => ({
          name: w.name,
          units: w.units,
          activation: w.activation,
          kernel: peek(w.kernel),
          bias: peek(w.bias),
          kernelGrad: peek(grads[w.kernel.name]),
          biasGrad: peek(grads[w.bias.name]),
          activations: acts[i],
        }));
        let image: ImageJob | undefined;
        if (withImage && grid && ds.bounds) {
          const probs = host ? host.run(1).at(-1)! : peek(gridProbs!);
          image = { kind: 'boundary', probs, classes: ds.numClasses, grid: BOUNDARY_GRID, size: BOUNDARY_SIZE, bounds: ds.bounds };
        } else if (withImage && ds.name === 'mnist') {
          image = { kind: 'weights', kernel: layers[0].kernel, units: layers[0].units, side: MNIST_SIDE };
        }
        logger.summary(runSummaryJob({ step, wallTime: Date.now() / 1000, layers, image }, points, summarizeValues, countActivations));
      } finally {
        tf.dispose(owned);
      }
    };
    const shuffleRng = mulberry32(deriveSeed(spec.seed, 'shuffle'));
    const dropoutSeeds = mlp.dropoutLayers.map((_, i) => deriveSeed(spec.seed, `dropout:${i}`));
    const xBuf = new Float32Array(batch * ds.inputDim);
    const yBuf = new Float32Array(batch * ds.numClasses);

    let it = 0;
    let aborted = false;
    let lastVal = { loss: NaN, accuracy: NaN };
    let epochLoss = 0, epochHits = 0, epochSeen = 0;
    let lastTrain = { loss: NaN, accuracy: NaN };
    let lastYield = performance.now();
    let lastImageAt = -Infinity;
    /** The last image step's time (not the first one's, which includes the image code's warm-up). */
    let lastImageMs = 0;
    const minImageGapMs = 1000 * (ctx.imageMinSeconds ?? IMAGE_MIN_SECONDS);
    const pace = spec.maxItersPerSec !== undefined && spec.maxItersPerSec > 0 ? spec.maxItersPerSec : 0;
    const t0 = performance.now();
    // ETA from wall-clock progress (pacing, validation and summaries included), not compute time alone.
    const eta = new EtaTracker(totalIters);
    eta.update(0, 0);
    /** Time spent on summary steps' extra work: probe pass, reads, histograms, layer scalars, images. */
    let summaryMs = 0;
    let epochsDone = 0;
    let lastValStep = -1;
    const logVal = async (step: number) => {
      lastVal = hand ? handEvaluate(mlp, spec.activation, valX, ds.valY, EVAL_CHUNK) : await evaluate(mlp, valX, valY);
      lastValStep = step;
      logger.scalar('val/loss', lastVal.loss, step);
      logger.scalar('val/accuracy', lastVal.accuracy, step);
      logger.scalar('val/perplexity', Math.exp(lastVal.loss), step);
    };

    for (let epoch = 1; epoch <= spec.epochs && !aborted; epoch++) {
      const order = permutation(nTrain, shuffleRng);
      epochLoss = epochHits = epochSeen = 0;
      for (let b = 0; b < itersPerEpoch; b++) {
        if (ctx.signal?.aborted) {
          aborted = true;
          break;
        }
        const tIter = performance.now();
        it++;
        const from = b * batch, to = Math.min(nTrain, from + batch);
        const n = to - from;
        gatherBatch(ds, order, from, to, xBuf, yBuf);
        // Fresh dropout masks each iteration, still reproducible from the seed.
        mlp.dropoutLayers.forEach((l, i) => ((l as unknown as { seed?: number }).seed = (dropoutSeeds[i] + it) >>> 0));
        const isSummary = summaries && summariesAt(it) && (it % every === 0 || it === 1 || it === totalIters);
        const isImage =
          isSummary &&
          (it === 1 ||
            it === totalIters ||
            (it % (every * IMAGE_EVERY) === 0 && (minImageGapMs === 0 || performance.now() - lastImageAt >= imageGapMs(minImageGapMs, lastImageMs))));
        if (isImage) lastImageAt = performance.now();

        const xb = tf.tensor(xBuf.subarray(0, n * ds.inputDim), [n, ...ds.inputShape]);
        const onehot = yBuf.subarray(0, n * ds.numClasses);
        const { loss, probs, grads } = hand ? handStep(mlp, spec.activation, xb, onehot) : tapeStep(mlp, xb, onehot);
        // Summaries before the update, so weights, their gradients and the activations belong together.
        if (isSummary) {
          const tSummary = performance.now();
          summarize(it, grads, isImage);
          const ms = performance.now() - tSummary;
          summaryMs += ms;
          if (isImage && it > 1) lastImageMs = ms;
        }
        optimizer.applyGradients(grads);
        // Accuracy is counted from the probabilities the step read: no extra ops on the device.
        const hits = countHits(probs, ds.trainY, order, from, to, ds.numClasses);
        xb.dispose();
        tf.dispose(grads);
        epochLoss += loss * n;
        epochHits += hits;
        epochSeen += n;
        lastTrain = { loss, accuracy: hits / n };

        const dt = (performance.now() - tIter) / 1000;
        const mem = tf.memory();
        logger.scalar('train/loss', loss, it);
        logger.scalar('train/accuracy', hits / n, it);
        logger.scalar('train/perplexity', Math.exp(loss), it);
        logger.scalar('optimizer/learning_rate', spec.learningRate, it);
        logger.scalar('throughput/examples_per_sec', dt > 0 ? n / dt : 0, it);
        logger.scalar('memory/num_tensors', mem.numTensors, it);
        logger.scalar('memory/num_bytes', mem.numBytes, it);

        // Yield now and then so abort messages and the caller's timers get through; a paced run sleeps
        // while it is ahead of its schedule.
        const ahead = pace > 0 ? (it / pace) * 1000 - (performance.now() - t0) : 0;
        if (ahead >= 1) {
          await new Promise<void>((r) => setTimeout(r, ahead));
          lastYield = performance.now();
        } else if (performance.now() - lastYield > YIELD_MS) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
        }
        if (b === itersPerEpoch - 1) {
          await logVal(it);
          logger.scalar('epoch', epoch, it);
          const emb = embedX ? lastHiddenActivations(mlp, spec, hand, embedX) : null;
          if (emb) ctx.embedding!.epoch(epoch, emb.layer, emb.values, emb.width);
          epochsDone = epoch;
        }
        ctx.onProgress?.({
          epoch,
          epochs: spec.epochs,
          iteration: it,
          iterationsPerEpoch: itersPerEpoch,
          etaSec: eta.update((performance.now() - t0) / 1000, it),
          loss,
        });
        ctx.onRecords?.(logger.takeRecords());
      }
    }
    // A stopped run closes with a validation point at the step it reached.
    if (aborted && it > 0 && lastValStep !== it) await logVal(it);

    const seconds = (performance.now() - t0) / 1000;
    logger.end(aborted ? 'STATUS_ABORTED' : 'STATUS_SUCCESS');
    ctx.onRecords?.(logger.takeRecords());
    const trainLoss = epochSeen > 0 ? epochLoss / epochSeen : lastTrain.loss;
    const trainAcc = epochSeen > 0 ? epochHits / epochSeen : lastTrain.accuracy;
    return {
      loss: trainLoss,
      accuracy: trainAcc,
      valLoss: lastVal.loss,
      valAccuracy: lastVal.accuracy,
      iterations: it,
      epochs: epochsDone,
      seconds,
      itersPerSec: seconds > 0 ? it / seconds : 0,
      summarySeconds: summaryMs / 1000,
    };
  } catch (err) {
    logger.end('STATUS_FAILURE');
    ctx.onRecords?.(logger.takeRecords());
    throw new Error(`training ${spec.dataset}/${spec.activation} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    host?.dispose();
    tf.dispose(held);
    optimizer.dispose();
    mlp.dispose();
  }
}
