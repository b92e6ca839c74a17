// Training throughput (npm run bench:train).
//  A. In-process trainRun, iterations/s over a fixed number of iterations after a warm-up:
//     W1 = MLP 784-128-64-10 ReLU, batch 64, Adam, MNIST; W2 = 2-16-16-2 tanh, batch 32, spiral;
//     on wasm and cpu, summaries off (scalars only) and on (histograms every 10 iterations + images).
//  B. A 4-activation sweep of W2 through the TrainingManager (worker threads, maxRuns = cores):
//     total iterations/s of all runs against one run alone (wall clock, worker start-up included).
// Targets: W1 >= 400 it/s on wasm; summaries cost <= 5%; sweep on 2 cores >= 1.8x one run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Activation, BackendName, TrainSpec } from '../shared/types.ts';
import { EventWriter } from '../server/logs/event-writer.ts';
import { initBackend } from '../server/training/backend.ts';
import { TrainingManager } from '../server/training/manager.ts';
import { RunLogger } from '../server/training/run-logger.ts';
import { trainRun } from '../server/training/trainer.ts';
import { formatTable } from '../server/cli/progress.ts';

const W1: TrainSpec = {
  dataset: 'mnist', noise: 0, samples: 10_000, activation: 'relu', layers: [128, 64], optimizer: 'adam',
  learningRate: 0.001, batchSize: 64, epochs: 1000, dropout: 0, batchNorm: false, seed: 1, summaryEvery: 10,
};
const W2: TrainSpec = {
  dataset: 'spiral', noise: 0.1, samples: 2000, activation: 'tanh', layers: [16, 16], optimizer: 'adam',
  learningRate: 0.01, batchSize: 32, epochs: 1000, dropout: 0, batchNorm: false, seed: 1, summaryEvery: 10,
};
/** [warm-up iterations, measured iterations] per workload and backend (cpu is slow on W1). */
const ITERS: Record<string, [number, number]> = {
  'W1/wasm': [30, 600], 'W1/cpu': [3, 40], 'W2/wasm': [50, 1500], 'W2/cpu': [30, 600],
};

interface Row { workload: string; backend: BackendName; summaries: boolean; itPerSec: number; itPerCpuSec: number }

/**
 * Runs spec until warm-up + measured iterations, timing the measured ones from progress reports: wall clock,
 * and this process' CPU time (iterations per CPU-second stays meaningful when other processes load the machine).
 */
async function measure(spec: TrainSpec, backend: BackendName, summaries: boolean, [warm, n]: [number, number], dir: string): Promise<{ wall: number; cpu: number }> {
  const writer = await EventWriter.open(dir);
  const logger = new RunLogger(writer);
  const ac = new AbortController();
  let t0 = 0, t1 = 0;
  let c0 = process.cpuUsage(), c1 = c0;
  await trainRun(spec, {
    logger, backend, summaries, signal: ac.signal,
    onRecords: () => undefined, // records are dropped by takeRecords (as the worker posts them)
    onProgress: (p) => {
      if (p.iteration === warm) {
        t0 = performance.now();
        c0 = process.cpuUsage();
      }
      if (p.iteration === warm + n) {
        t1 = performance.now();
        c1 = process.cpuUsage(c0);
        ac.abort();
      }
    },
  });
  await logger.close();
  if (!t1) throw new Error(`${spec.dataset}: ended before ${warm + n} iterations`);
  return { wall: n / ((t1 - t0) / 1000), cpu: n / ((c1.user + c1.system) / 1e6) };
}

async function inProcess(tmp: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await initBackend(backend);
    for (const [name, spec] of [['W1', W1], ['W2', W2]] as const) {
      for (const summaries of [false, true]) {
        const r = await measure(spec, backend, summaries, ITERS[`${name}/${backend}`], path.join(tmp, `${name}-${backend}-${summaries}`));
        rows.push({ workload: name, backend, summaries, itPerSec: r.wall, itPerCpuSec: r.cpu });
        console.error(`  ${name} ${backend} summaries ${summaries ? 'on ' : 'off'}: ${r.wall.toFixed(1)} it/s (${r.cpu.toFixed(1)} it/CPU-s)`);
      }
    }
  }
  return rows;
}

interface SweepFigures { runs: number; iterations: number; seconds: number; perRun: number[] }

async function viaManager(logdir: string, spec: TrainSpec, activations: Activation[], maxRuns: number): Promise<SweepFigures> {
  const m = new TrainingManager({ logdir, maxRuns, backend: 'wasm' });
  await m.init(); // backend resolved up front, as the server does at start
  const t0 = performance.now();
  const { activation: _a, ...rest } = spec;
  const runs = m.startSweep('sweep', rest, activations);
  await Promise.all(runs.map((r) => m.waitFor(r.name)));
  const seconds = (performance.now() - t0) / 1000;
  const results = runs.map((r) => {
    const res = m.result(r.name);
    if (!res) throw new Error(`run ${r.name} ended without a result: ${JSON.stringify(m.list().find((x) => x.name === r.name)?.status)}`);
    return res;
  });
  await m.close();
  return { runs: runs.length, iterations: results.reduce((s, r) => s + r.iterations, 0), seconds, perRun: results.map((r) => r.itersPerSec) };
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'trainscope-bench-train-'));
  const cores = os.availableParallelism();
  console.error(`bench:train on ${cores} cores (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  try {
    const rows = await inProcess(tmp);
    const row = (w: string, b: string, s: boolean) => rows.find((r) => r.workload === w && r.backend === b && r.summaries === s)!;
    const rate = (w: string, b: string, s: boolean) => row(w, b, s).itPerSec;
    console.log('\nA. in-process trainRun, iterations/s after warm-up (wall clock; per CPU-second in brackets)');
    console.log(formatTable(
      ['workload', 'backend', 'summaries off', 'summaries on', 'summary cost'],
      (['W1', 'W2'] as const).flatMap((w) => (['wasm', 'cpu'] as const).map((b) => {
        const off = row(w, b, false), on = row(w, b, true);
        const cost = (x: number, y: number) => `${(((x - y) / x) * 100).toFixed(1)}%`;
        return [w, b, `${off.itPerSec.toFixed(1)} (${off.itPerCpuSec.toFixed(1)})`, `${on.itPerSec.toFixed(1)} (${on.itPerCpuSec.toFixed(1)})`,
          `${cost(off.itPerSec, on.itPerSec)} (${cost(off.itPerCpuSec, on.itPerCpuSec)})`];
      })),
    ));

    // B: W2 with fewer epochs so one run is a few seconds.
    const spec: TrainSpec = { ...W2, epochs: 40 }; // 1600 training points / 32 = 50 it/epoch -> 2000 iterations
    const acts: Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
    const one = await viaManager(path.join(tmp, 'one'), spec, ['tanh'], 1);
    const sweep = await viaManager(path.join(tmp, 'sweep'), spec, acts, cores);
    const tOne = one.iterations / one.seconds, tSweep = sweep.iterations / sweep.seconds;
    console.log(`B. W2 via TrainingManager (wasm, worker threads, maxRuns ${cores}, ${spec.epochs} epochs, summaries on)`);
    console.log(formatTable(
      ['case', 'runs', 'iterations', 'wall s', 'total it/s', 'per-run it/s (trainer)'],
      [
        ['one run', '1', String(one.iterations), one.seconds.toFixed(2), tOne.toFixed(1), one.perRun.map((r) => r.toFixed(0)).join(' ')],
        [`sweep x${acts.length}`, String(sweep.runs), String(sweep.iterations), sweep.seconds.toFixed(2), tSweep.toFixed(1), sweep.perRun.map((r) => r.toFixed(0)).join(' ')],
      ],
    ));
    const w1 = rate('W1', 'wasm', false), w1Cpu = row('W1', 'wasm', false).itPerCpuSec;
    // Summary cost by wall clock and by CPU time (the latter is what to trust when the machine is shared).
    const costOf = (f: (r: Row) => number) =>
      Math.max(...(['W1', 'W2'] as const).map((w) => (f(row(w, 'wasm', false)) - f(row(w, 'wasm', true))) / f(row(w, 'wasm', false))));
    const cost = costOf((r) => r.itPerSec), costCpu = costOf((r) => r.itPerCpuSec);
    console.log(`targets (load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    console.log(formatTable(['target', 'measured (wall)', 'measured (per CPU-s)', 'met (wall)'], [
      ['W1 wasm >= 400 it/s', `${w1.toFixed(1)} it/s`, `${w1Cpu.toFixed(1)} it/CPU-s`, w1 >= 400 ? 'yes' : 'NO'],
      ['summary cost <= 5% (wasm, worst)', `${(cost * 100).toFixed(1)}%`, `${(costCpu * 100).toFixed(1)}%`, cost <= 0.05 ? 'yes' : 'NO'],
      [`sweep >= 1.8x one run (${cores} cores)`, `${(tSweep / tOne).toFixed(2)}x`, '-', tSweep / tOne >= 1.8 ? 'yes' : 'NO'],
    ]));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
