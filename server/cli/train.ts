// `trainscope train`: trains one run per activation (a sweep when several) in worker threads, shows a
// progress bar per run and prints a results table. Options are validated with the same zod schema as
// the socket API (TrainRequestSchema); bad options exit with code 2 and a readable message.
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { TrainRequestSchema, type TrainRequest } from '../../shared/protocol.ts';
import type { Activation, BackendChoice, RunInfo, TrainSpec } from '../../shared/types.ts';
import { TrainingManager } from '../training/manager.ts';
import { formatDuration, formatNumber, formatTable, ProgressView, type Output } from './progress.ts';

/** Commander's parsed options (strings as typed) or numbers/booleans when called from code. */
export interface TrainCommandOptions {
  dataset?: string;
  /** Comma list; several = a sweep. */
  activation?: string | string[];
  /** Comma list of hidden widths, e.g. "16,16". */
  layers?: string | number[];
  epochs?: string | number;
  batchSize?: string | number;
  lr?: string | number;
  logdir?: string;
  seed?: string | number;
  optimizer?: string;
  dropout?: string | number;
  batchNorm?: boolean;
  noise?: string | number;
  samples?: string | number;
  summaryEvery?: string | number;
  maxItersPerSec?: string | number;
  backend?: string;
  maxRuns?: string | number;
  /** Run name (one activation) or sweep folder (several). */
  name?: string;
  /** Where to print (tests); default process.stdout / process.stderr. */
  stdout?: Output;
  stderr?: Output;
}

const BACKENDS: readonly BackendChoice[] = ['auto', 'gpu', 'node', 'wasm', 'cpu'];
const FLAG: Record<string, string> = { learningRate: '--lr', activations: '--activation' };
const flagOf = (key: string) => FLAG[key] ?? '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

interface Parsed {
  request: TrainRequest;
  logdir: string;
  backend: BackendChoice;
  maxRuns: number;
}

function list(v: string | readonly (string | number)[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = typeof v === 'string' ? v.split(',') : v.map(String);
  return items.map((s) => s.trim());
}

/** Parses and validates the options; returns readable errors (one per line) instead of throwing. */
export function parseTrainOptions(opts: TrainCommandOptions): { ok: true; value: Parsed } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const num = (key: string, v: string | number | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(n)) errors.push(`${flagOf(key)}: "${v}" is not a number`);
    return n;
  };
  const layersRaw = list(opts.layers ?? '16,16')!;
  const layers = layersRaw.map((s) => num('layers', s) as number);
  const raw = {
    dataset: opts.dataset ?? 'spiral',
    activations: list(opts.activation ?? 'relu')!.filter((s) => s !== ''),
    layers,
    epochs: num('epochs', opts.epochs ?? 20),
    batchSize: num('batchSize', opts.batchSize ?? 32),
    learningRate: num('learningRate', opts.lr ?? 0.01),
    seed: num('seed', opts.seed ?? 1),
    optimizer: opts.optimizer,
    dropout: num('dropout', opts.dropout),
    batchNorm: opts.batchNorm,
    noise: num('noise', opts.noise),
    samples: num('samples', opts.samples),
    summaryEvery: num('summaryEvery', opts.summaryEvery),
    maxItersPerSec: num('maxItersPerSec', opts.maxItersPerSec),
    name: opts.name,
  };
  const backend = (opts.backend ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend)) errors.push(`--backend: "${opts.backend}" is not one of ${BACKENDS.join(', ')}`);
  const maxRuns = num('maxRuns', opts.maxRuns ?? os.availableParallelism()) ?? 1;
  if (Number.isFinite(maxRuns) && (!Number.isInteger(maxRuns) || maxRuns < 1)) errors.push(`--max-runs: must be a whole number >= 1`);
  const parsed = TrainRequestSchema.safeParse(raw);
  if (!parsed.success) {
    // Report every bad option at once; a flag already reported as "not a number" is not repeated.
    for (const i of parsed.error.issues) {
      const flag = flagOf(String(i.path[0] ?? 'options'));
      if (!errors.some((e) => e.startsWith(flag + ':'))) errors.push(`${flag}: ${i.message}`);
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  if (new Set(parsed.data.activations).size !== parsed.data.activations.length) {
    return { ok: false, errors: [`--activation: "${raw.activations.join(',')}" lists an activation twice`] };
  }
  return { ok: true, value: { request: parsed.data, logdir: opts.logdir ?? 'logs', backend, maxRuns } };
}

function startRuns(m: TrainingManager, req: TrainRequest): RunInfo[] {
  const { activations, name, ...rest } = req;
  const spec = rest as Omit<TrainSpec, 'activation'>;
  const acts = activations as Activation[];
  // One activation with --name: that run; otherwise a sweep (the logdir itself unless --name names the sweep folder).
  if (acts.length === 1 && name) return [m.startRun(name, { ...spec, activation: acts[0] })];
  return m.startSweep(name ?? '.', spec, acts);
}

export async function runTrainCommand(opts: TrainCommandOptions): Promise<number> {
  const out = opts.stdout ?? process.stdout;
  const err = opts.stderr ?? process.stderr;
  const parsed = parseTrainOptions(opts);
  if (!parsed.ok) {
    err.write(`trainscope train: invalid options\n${parsed.errors.map((e) => `  ${e}\n`).join('')}`);
    return 2;
  }
  const { request, logdir, backend, maxRuns } = parsed.value;
  const manager = new TrainingManager({ logdir, maxRuns, backend });
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    err.write('\nstopping runs (Ctrl-C again to force quit)...\n');
    process.removeListener('SIGINT', onSigint);
    for (const r of manager.list()) manager.stop(r.name);
  };
  try {
    try {
      out.write(`training backend: ${await manager.init()}\n`);
    } catch (e) {
      err.write(`trainscope train: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    const runs = startRuns(manager, request);
    const dirs = runs.map((r) => path.join(logdir, r.name));
    out.write(runs.length > 1 ? `sweep of ${runs.length} runs: ${dirs.join(', ')}\n` : `run: ${dirs[0]}\n`);
    const label = (r: RunInfo) => String(r.hparams?.activation ?? r.name);
    const view = new ProgressView(out, runs.map((r) => ({ name: r.name, label: label(r) })));
    manager.on('status', (info) => view.update(info));
    process.on('SIGINT', onSigint);
    for (const r of runs) view.update(manager.list().find((x) => x.name === r.name) ?? r);
    await Promise.all(runs.map((r) => manager.waitFor(r.name)));
    view.finish();
    const final = new Map(manager.list().map((r) => [r.name, r]));
    const rows = runs.map((r) => {
      const res = manager.result(r.name);
      const st = final.get(r.name)?.status;
      return [label(r), formatNumber(res?.loss), formatNumber(res?.valAccuracy), formatDuration(res?.seconds), st?.state ?? '?'];
    });
    out.write('\n' + formatTable(['activation', 'loss', 'val accuracy', 'time', 'status'], rows));
    for (const r of runs) {
      const st = final.get(r.name)?.status;
      if (st?.state === 'failed') err.write(`${st.error ?? `run "${r.name}" failed`}\n`);
    }
    out.write(`logs: ${path.resolve(logdir)} (view with: npx trainscope --logdir ${logdir})\n`);
    if (interrupted) return 130;
    return runs.every((r) => final.get(r.name)?.status?.state === 'finished') ? 0 : 1;
  } catch (e) {
    err.write(`trainscope train: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await manager.close();
  }
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train demo MLPs (one run per activation; a comma list is a sweep) and log them for the dashboard')
    .option('--dataset <name>', 'spiral | circles | xor | moons | mnist', 'spiral')
    .option('--activation <list>', 'activation, or a comma list for a sweep (e.g. relu,tanh,sigmoid,linear)', 'relu')
    .option('--layers <widths>', 'hidden layer widths, comma separated', '16,16')
    .option('--epochs <n>', 'epochs', '20')
    .option('--batch-size <n>', 'batch size', '32')
    .option('--lr <rate>', 'learning rate', '0.01')
    .option('--optimizer <name>', 'sgd | momentum | adam | rmsprop (default adam)')
    .option('--dropout <rate>', 'dropout after each hidden layer, 0..0.9 (default 0)')
    .option('--batch-norm', 'batch normalization after each hidden layer')
    .option('--noise <level>', 'noise of the 2-D datasets, 0..1 (default 0.1)')
    .option('--samples <n>', 'generated samples (2-D) or digits used (mnist) (default 1000)')
    .option('--summary-every <n>', 'histograms/images every N iterations (default 10)')
    .option('--max-iters-per-sec <n>', 'train no faster than this (a watchable pace)')
    .option('--seed <n>', 'random seed (same data order and init for every run of a sweep)', '1')
    .option('--logdir <dir>', 'log directory; a sweep writes <logdir>/<activation> (or <logdir>/<name>/<activation>)', 'logs')
    .option('--name <name>', 'run name (one activation) or sweep folder (several)')
    .option('--backend <name>', 'auto | gpu | node | wasm | cpu', 'auto')
    .option('--max-runs <n>', 'runs training at once (default: number of cores)')
    .action(async (opts: TrainCommandOptions) => {
      process.exitCode = await runTrainCommand(opts);
    });
}
