// tensorBoardCallback(): log your own tfjs-layers model.fit() to a logdir Trainscope (and TensorBoard) reads —
// like tfjs-node's tf.node.tensorBoard, without tfjs-node. Writes train/* and val/* scalars (per batch or per
// epoch), per-weight histograms every histogramFreq epochs and the model graph (Keras JSON).
import { Callback } from '@tensorflow/tfjs-layers';
import { keras3ModelJson } from './keras3-config.ts';
import type { Tensor } from '@tensorflow/tfjs-core';
import { EventWriter } from '../logs/event-writer.ts';
import { RunLogger } from './run-logger.ts';

export interface TensorBoardCallbackOptions {
  /** 'epoch' (default): scalars once per epoch, step = epoch (1-based). 'batch': train scalars per batch, step = iteration. */
  updateFreq?: 'batch' | 'epoch';
  /** Weight histograms every N epochs; 0 = none. Default 1. */
  histogramFreq?: number;
  /** EventWriter flush interval (ms). Default 500. */
  flushMs?: number;
}

type Logs = Record<string, number | Tensor> | undefined;

const KNOWN: Record<string, string> = {
  loss: 'train/loss',
  acc: 'train/accuracy',
  accuracy: 'train/accuracy',
  val_loss: 'val/loss',
  val_acc: 'val/accuracy',
  val_accuracy: 'val/accuracy',
};

/** tfjs log key -> our tag: loss/acc -> train/loss, train/accuracy; val_* -> val/*; others -> train/<key>. */
export function metricTag(key: string): string {
  return KNOWN[key] ?? (key.startsWith('val_') ? `val/${key.slice(4)}` : `train/${key}`);
}

/** Weight name as a tag: tfjs names like "dense_Dense1/kernel" are kept; odd characters become "_". */
export function weightTag(name: string): string {
  return name.replace(/[^A-Za-z0-9_./-]/g, '_');
}

async function scalarOf(v: number | Tensor): Promise<number> {
  return typeof v === 'number' ? v : (await v.data())[0];
}

export class TensorBoardCallback extends Callback {
  private logger: RunLogger | null = null;
  private iteration = 0;
  private epochsDone = 0;
  private readonly updateFreq: 'batch' | 'epoch';
  private readonly histogramFreq: number;

  constructor(
    readonly logdir: string,
    private readonly opts: TensorBoardCallbackOptions = {},
  ) {
    super();
    this.updateFreq = opts.updateFreq ?? 'epoch';
    this.histogramFreq = opts.histogramFreq ?? 1;
    if (this.updateFreq !== 'batch' && this.updateFreq !== 'epoch') throw new Error(`tensorBoardCallback: updateFreq must be 'batch' or 'epoch', got ${String(this.updateFreq)}`);
    if (!(Number.isInteger(this.histogramFreq) && this.histogramFreq >= 0)) throw new Error(`tensorBoardCallback: histogramFreq must be a whole number >= 0, got ${this.histogramFreq}`);
  }

  override async onTrainBegin(): Promise<void> {
    // A new event file per fit() call; steps continue across calls.
    const writer = await EventWriter.open(this.logdir, { flushMs: this.opts.flushMs ?? 500 });
    this.logger = new RunLogger(writer);
    if (this.model) this.logger.kerasModel(keras3ModelJson(this.model), this.iteration);
    this.drop();
  }

  override async onBatchEnd(_batch: number, logs?: Logs): Promise<void> {
    this.iteration++;
    if (this.updateFreq === 'batch') await this.scalars(logs, this.iteration, (k) => !k.startsWith('val_'));
  }

  override async onEpochEnd(_epoch: number, logs?: Logs): Promise<void> {
    this.epochsDone++;
    const step = this.updateFreq === 'batch' ? this.iteration : this.epochsDone;
    // Per-batch mode already wrote the train scalars; the epoch brings the validation ones.
    await this.scalars(logs, step, (k) => this.updateFreq === 'epoch' || k.startsWith('val_'));
    if (this.histogramFreq > 0 && this.epochsDone % this.histogramFreq === 0) await this.histograms(step);
  }

  override async onTrainEnd(): Promise<void> {
    const logger = this.logger;
    this.logger = null;
    if (logger) await logger.close();
  }

  private async scalars(logs: Logs, step: number, keep: (key: string) => boolean): Promise<void> {
    if (!logs || !this.logger) return;
    for (const [key, v] of Object.entries(logs)) {
      if (key === 'batch' || key === 'size' || !keep(key)) continue;
      this.logger.scalar(metricTag(key), await scalarOf(v), step);
    }
    this.drop();
  }

  private async histograms(step: number): Promise<void> {
    if (!this.model || !this.logger) return;
    for (const w of this.model.weights) {
      const values = await w.read().data();
      this.logger.histogram(weightTag(w.originalName ?? w.name), values as Float32Array, step);
    }
    this.drop();
  }

  /** Nobody reads the in-process records here; don't let them pile up. */
  private drop(): void {
    this.logger?.takeRecords();
  }
}

/** Pass to model.fit(x, y, { callbacks: [tensorBoardCallback('logs/my-run')] }). */
export function tensorBoardCallback(logdir: string, opts?: TensorBoardCallbackOptions): TensorBoardCallback {
  return new TensorBoardCallback(logdir, opts);
}
