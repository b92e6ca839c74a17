// Messages between the TrainingManager (main thread) and a training worker thread. Plain data only
// (structured clone); LogRecords travel packed into typed arrays (record-wire.ts).
import type { BackendChoice, BackendName, RunProgress, TrainSpec } from '../../shared/types.ts';
import type { WireBlock } from './record-wire.ts';

/** The trainer's final figures (trainer.ts' TrainResult; declared here so the main thread never imports tfjs code). */
export interface RunResult {
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  iterations: number;
  epochs: number;
  seconds: number;
  itersPerSec: number;
  /** Of `seconds`, the time spent making histograms, layer scalars and images (their share is their cost). */
  summarySeconds: number;
}

/**
 * Test-only fault injection, set through TrainingManagerOptions (never from the socket API):
 * 'throw' = an exception inside the trainer's loop (after the first progress report);
 * 'exit'  = the worker thread dies abruptly (process.exit in the worker) after the first progress report;
 * 'hang-on-stop' = the worker ignores 'stop' (exercises the manager's kill timeout).
 */
export type FaultInjection = 'throw' | 'exit' | 'hang-on-stop';

/** workerData given to each worker at spawn. */
export interface WorkerInit {
  mode: 'run' | 'probe';
  fault?: FaultInjection;
  /** Post records/progress at most this often (ms). */
  batchMs: number;
  /** EventWriter flush interval (ms). */
  flushMs: number;
  /** Write summaries (histograms/images) — the bench turns them off. */
  summaries: boolean;
}

export type MainToWorker =
  | { type: 'start'; spec: TrainSpec; runDir: string; backend: BackendChoice }
  | { type: 'probe'; backend: BackendChoice }
  | { type: 'stop' };

export type WorkerToMain =
  | { type: 'backend'; backend: BackendName }
  | { type: 'file'; path: string }
  /** Records packed for the thread hop (record-wire.ts). */
  | { type: 'records'; blocks: WireBlock[] }
  | { type: 'progress'; progress: RunProgress }
  /** stopped = the run ended early because it was asked to stop. */
  | { type: 'done'; result: RunResult; stopped: boolean }
  | { type: 'error'; message: string; stack?: string };

/** Narrowing guard for messages arriving from a worker (they come from our own code, but a bad one must not crash the manager). */
export function isWorkerToMain(m: unknown): m is WorkerToMain {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return t === 'backend' || t === 'file' || t === 'records' || t === 'progress' || t === 'done' || t === 'error';
}
