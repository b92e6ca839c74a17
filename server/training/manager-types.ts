// The training manager's options and its record of one run (types only, plus one small helper), apart
// from manager.ts so that file holds the runs' lifecycle.
import type { BackendChoice, RunInfo, TrainSpec } from '../../shared/types.ts';
import type { LogRecord } from '../logs/records.ts';
import type { FaultInjection, RunResult } from './worker-protocol.ts';
import type { Slot as WorkerSlot } from './worker-slots.ts';

export interface TrainingManagerOptions {
  logdir: string;
  /** Runs training at once; default os.availableParallelism(). */
  maxRuns?: number;
  /** Runs waiting for a slot; default 64. startRun/startSweep throw beyond it. */
  maxQueue?: number;
  backend?: BackendChoice;
  /** Minimum interval between progress status events of one run (ms); default 100 (<= 10/s). */
  statusIntervalMs?: number;
  /** How long a stopped worker may take to end cleanly before it is terminated (ms); default 15000. */
  stopTimeoutMs?: number;
  /** Write histograms/images (default true). The benchmark turns them off. */
  summaries?: boolean;
  /** Bytes one run's event file may reach: specs estimated above it are refused, a run reaching it is stopped. Default unlimited. */
  maxRunBytes?: number;
  /** Bytes the logdir may hold (its measured size, see measureLogdir(), plus what runs wrote). Default unlimited. */
  maxLogdirBytes?: number;
  /** How often running runs' event files are measured against the budgets (ms); default 250. */
  diskCheckMs?: number;
  /**
   * A spec's estimated log size in bytes; default log-estimate.ts estimateLogBytes. Tests pass a low one to
   * reach the runtime check, the backstop for specs the estimate gets wrong.
   */
  estimateBytes?: (spec: TrainSpec) => number;
  /** TEST ONLY: per run name, a fault the worker injects. Not reachable from the socket API. */
  faultInjection?: Record<string, FaultInjection>;
}

export type Listener = {
  records: (run: string, records: LogRecord[]) => void;
  status: (info: RunInfo) => void;
  file: (run: string, absPath: string) => void;
};

export type Slot = WorkerSlot<RunEntry>;

export interface RunEntry {
  info: RunInfo;
  spec: TrainSpec;
  slot?: Slot;
  stopRequested: boolean;
  ended: boolean;
  result?: RunResult;
  lastStatusAt: number;
  statusTimer?: NodeJS.Timeout;
  killTimer?: NodeJS.Timeout;
  endWaiters: (() => void)[];
  /** Why the run was asked to stop, when the server asked (a disk budget); shown as its error. */
  stopReason?: string;
}

/** Ended runs remembered (list(), result()); older ones are forgotten (their logs stay on disk). */
export const MAX_ENDED_RUNS = 1000;

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
