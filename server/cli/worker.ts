// `trainscope worker`: flags -> WorkerConfig (pure, tested), and the command that runs a cluster training
// worker until SIGINT/SIGTERM. Redis, BullMQ and the worker code load only when this command runs.
import path from 'node:path';
import type { Command } from 'commander';
import type { BackendChoice } from '../../shared/types.ts';
import { parseRedisUrl } from '../cluster/redis-url.ts';
import { consoleLogger } from '../config.ts';
import { terminalSafe } from '../terminal-text.ts';
import { parseByteSize } from '../training/log-estimate.ts';
import type { WorkerConfig } from '../cluster/worker-command.ts';

export interface WorkerOptions {
  redis?: string;
  logdir: string;
  concurrency: string;
  backend: string;
  lockMs: string;
  maxRunBytes?: string;
}

export type WorkerSettings = Omit<WorkerConfig, 'log' | 'warn'>;

const BACKENDS: readonly BackendChoice[] = ['auto', 'gpu', 'node', 'wasm', 'cpu'];

/** Throws an Error naming the bad flag. */
export function workerSettings(o: WorkerOptions): WorkerSettings {
  if (!o.redis) throw new Error('--redis is required, e.g. --redis redis://HOST:6379');
  const concurrency = Number(o.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error(`--concurrency must be an integer from 1 to 64 (got "${o.concurrency}")`);
  const lockMs = Number(o.lockMs);
  if (!Number.isInteger(lockMs) || lockMs < 1000 || lockMs > 600_000) throw new Error(`--lock-ms must be an integer from 1000 to 600000 (got "${o.lockMs}")`);
  if (!BACKENDS.includes(o.backend as BackendChoice)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')} (got "${o.backend}")`);
  let maxRunBytes: number | undefined;
  if (o.maxRunBytes !== undefined) {
    try {
      maxRunBytes = parseByteSize(o.maxRunBytes);
    } catch (e) {
      throw new Error(`--max-run-bytes: ${(e as Error).message}`);
    }
  }
  return { redis: parseRedisUrl(o.redis), logdir: path.resolve(o.logdir), concurrency, backend: o.backend as BackendChoice, lockMs, maxRunBytes };
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('train runs queued by `serve --redis` (BullMQ), writing their logs into --logdir (shared with the servers)')
    .option('--redis <url>', 'Redis URL, e.g. redis://HOST:6379')
    .option('--logdir <dir>', 'the logdir the servers read (the same path on a shared file system)', 'logs')
    .option('--concurrency <n>', 'runs trained at once (one core each)', '1')
    .option('--backend <name>', 'training backend: auto | gpu | node | wasm | cpu', 'auto')
    .option('--lock-ms <ms>', "a run's lock in Redis; a killed worker's run is noticed within about twice this", '30000')
    .option('--max-run-bytes <size>', 'disk budget of one run, e.g. 500MB, 2GB (default unlimited)')
    .action(async (opts: WorkerOptions) => {
      let s: WorkerSettings;
      try {
        s = workerSettings(opts);
      } catch (e) {
        process.stderr.write(`trainscope worker: ${terminalSafe((e as Error).message, true)}\n`);
        process.exitCode = 2;
        return;
      }
      const { startWorker } = await import('../cluster/worker-command.ts');
      const w = await startWorker({ ...s, log: consoleLogger.log, warn: consoleLogger.warn });
      const shutdown = () => {
        consoleLogger.log(`worker ${w.id}: stopping (runs in progress end as "stopped")`);
        w.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
