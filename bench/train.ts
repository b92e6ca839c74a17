// Training throughput (npm run bench:train).
//  A. In-process trainRun, iterations/s over a fixed number of iterations after a warm-up:
//     W1 = MLP 784-128-64-10 ReLU, batch 64, Adam, MNIST; W2 = 2-16-16-2 tanh, batch 32, spiral;
//     on wasm and cpu, summaries off (scalars only) and on (histograms every 10 iterations + images);
//     wall clock, process CPU time (all threads, GC helpers included) and main-thread CPU time.
//  B. A 4-activation sweep of W2 through the TrainingManager (worker threads, maxRuns = cores), 25 000
//     iterations a run (~7 s), against one run alone. Two figures: steady state (iterations/s summed over all runs
//     while every slot is busy, from the runs' progress reports) and amortized (all iterations / wall
//     clock from start to the last run's end, worker start-up and the idle tail included). Also the main
//     thread's CPU share during the sweep (receiving and relaying the workers' record batches).
// Targets: W1 >= 400 it/s on wasm; summaries cost <= 5%; sweep on 2 cores >= 1.8x one run (steady state).
// Summaries on = histograms etc. every 10 iterations (trainer.ts); the table also shows the share of the
// run the trainer itself timed on them (TrainResult.summarySeconds).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Activation, BackendName, TrainSpec } from '../shared/types.ts';
import { EventWriter } from '../server/logs/event-writer.ts';
import { initBackend } from '../server/training/backend.ts';
import { TrainingManager } from '../server/training/manager.ts';
import { RunLogger } from '../server/training/run-logger.ts';
import { trainRun } from '../server/training/trainer.ts';
import { steadyThroughput } from '../server/training/throughput.ts';
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
  'W1/wasm': [30, 600], 'W1/cpu': [3, 40], 'W2/wasm': [100, 5000], 'W2/cpu': [30, 600],
};
/** wasm: off/on measured in this many interleaved pairs; medians reported (this VM's speed drifts by ~10%). */
const WASM_ROUNDS = 7;

interface Row {
  workload: string;
  backend: BackendName;
  summaries: boolean;
  itPerSec: number;
  itPerCpuSec: number;
  itPerMainCpuSec: number;
  /** Median over rounds of (off - on) / off, each round's pair measured back to back; NaN for off rows. */
  pairedCost: number;
  /** Share of the run's wall time the trainer timed on summary steps' extra work (probe pass, histograms, images). */
  summaryShare: number;
}

/** it/s by wall clock, per process CPU-second (all threads: GC helpers too), per main-thread CPU-second. */
interface Measured { wall: number; cpu: number; main: number; summaryShare: number }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Runs spec until warm-up + measured iterations, timing the measured ones from progress reports: wall clock,
 * and this process' CPU time (iterations per CPU-second stays meaningful when other processes load the machine).
 */
async function measure(spec: TrainSpec, backend: BackendName, summaries: boolean, [warm, n]: [number, number], dir: string): Promise<Measured> {
  const writer = await EventWriter.open(dir);
  const logger = new RunLogger(writer);
  const ac = new AbortController();
  let t0 = 0, t1 = 0;
  let c0 = process.cpuUsage(), c1 = c0;
  let m0: number | null = null, m1: number | null = null;
  const result = await trainRun(spec, {
    logger, backend, summaries, signal: ac.signal,
    onRecords: () => undefined, // records are dropped by takeRecords (as the worker posts them)
    onProgress: (p) => {
      if (p.iteration === warm) {
        t0 = performance.now();
        c0 = process.cpuUsage();
        m0 = mainThreadCpu();
      }
      if (p.iteration === warm + n) {
        t1 = performance.now();
        c1 = process.cpuUsage(c0);
        m1 = mainThreadCpu();
        ac.abort();
      }
    },
  });
  await logger.close();
  if (!t1) throw new Error(`${spec.dataset}: ended before ${warm + n} iterations`);
  return {
    wall: n / ((t1 - t0) / 1000),
    cpu: n / ((c1.user + c1.system) / 1e6),
    main: m0 === null || m1 === null ? NaN : n / (m1 - m0),
    summaryShare: result.summarySeconds / result.seconds,
  };
}

async function inProcess(tmp: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await initBackend(backend);
    for (const [name, spec] of [['W1', W1], ['W2', W2]] as const) {
      // wasm: off/on measured back to back WASM_ROUNDS times; medians, and the median of each pair's cost,
      // so a load spike or a slow stretch of this VM lands on both sides of a comparison.
      const rounds = backend === 'wasm' ? WASM_ROUNDS : 1;
      const got = new Map<boolean, Measured[]>([[false, []], [true, []]]);
      for (let round = 0; round < rounds; round++) {
        for (const summaries of [false, true]) {
          const r = await measure(spec, backend, summaries, ITERS[`${name}/${backend}`], path.join(tmp, `${name}-${backend}-${summaries}-${round}`));
          got.get(summaries)!.push(r);
          console.error(`  ${name} ${backend} summaries ${summaries ? 'on ' : 'off'}: ${r.wall.toFixed(1)} it/s (${r.cpu.toFixed(1)} it/CPU-s)`);
        }
      }
      const off = got.get(false)!, on = got.get(true)!;
      const paired = median(off.map((o, i) => (o.wall - on[i].wall) / o.wall));
      for (const summaries of [false, true]) {
        const ms = got.get(summaries)!;
        rows.push({
          workload: name, backend, summaries,
          itPerSec: median(ms.map((m) => m.wall)), itPerCpuSec: median(ms.map((m) => m.cpu)), itPerMainCpuSec: median(ms.map((m) => m.main)),
          pairedCost: summaries ? paired : NaN, summaryShare: median(ms.map((m) => m.summaryShare)),
        });
      }
    }
  }
  return rows;
}

interface SweepFigures {
  runs: number;
  iterations: number;
  seconds: number;
  perRun: number[];
  /** Iterations/s summed over runs within [from, to] s after the start, the interval every slot is busy. */
  steady: { itPerSec: number; from: number; to: number };
  /** Main-thread CPU and whole-process CPU (all threads) over the wall time, in cores (1 = one core busy). */
  mainCores: number | null;
  processCores: number;
  workers: number;
}

/** CPU seconds of this process' main thread (Linux /proc; null elsewhere). Clock ticks are 1/100 s. */
function mainThreadCpu(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime (fields 14, 15)
  } catch {
    return null;
  }
}

async function viaManager(logdir: string, spec: TrainSpec, activations: Activation[], maxRuns: number): Promise<SweepFigures> {
  const m = new TrainingManager({ logdir, maxRuns, backend: 'wasm' });
  await m.init(); // backend resolved up front, as the server does at start
  const series = new Map<string, [number, number][]>();
  let t0 = performance.now();
  m.on('status', (info) => {
    const p = info.status?.progress;
    if (!p) return;
    const s = series.get(info.name) ?? [];
    if (s.length === 0 || s[s.length - 1][1] !== p.iteration) s.push([(performance.now() - t0) / 1000, p.iteration]);
    series.set(info.name, s);
  });
  let received = 0;
  m.on('records', (_run, rs) => (received += rs.length));
  const { activation: _a, ...rest } = spec;
  const workers0 = m.workersStarted;
  const cpu0 = process.cpuUsage(), main0 = mainThreadCpu();
  t0 = performance.now();
  const runs = m.startSweep('sweep', rest, activations);
  await Promise.all(runs.map((r) => m.waitFor(r.name)));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0), main1 = mainThreadCpu();
  if (received === 0) throw new Error('no records reached the main thread');
  const results = runs.map((r) => {
    const res = m.result(r.name);
    if (!res) throw new Error(`run ${r.name} ended without a result: ${JSON.stringify(m.list().find((x) => x.name === r.name)?.status)}`);
    return res;
  });
  const workers = m.workersStarted - workers0;
  await m.close();
  return {
    runs: runs.length,
    iterations: results.reduce((s, r) => s + r.iterations, 0),
    seconds,
    perRun: results.map((r) => r.itersPerSec),
    steady: steadyThroughput([...series.values()], maxRuns),
    mainCores: main0 === null || main1 === null ? null : (main1 - main0) / seconds,
    processCores: (cpu.user + cpu.system) / 1e6 / seconds,
    workers,
  };
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'trainscope-bench-train-'));
  const cores = os.availableParallelism();
  console.error(`bench:train on ${cores} cores (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  try {
    // `npm run bench:train -- sweep` runs part B only.
    const onlySweep = process.argv.includes('sweep');
    // B runs first, while this main thread has not loaded tfjs: as in the server, whose main thread only
    // relays the workers' records (after A's in-process training it measured ~10% lower and noisier).
    // W2, 1600 training points / 32 = 50 it/epoch; 500 epochs = 25 000 iterations a run.
    const spec: TrainSpec = { ...W2, epochs: 500 };
    const acts: Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
    const one = await viaManager(path.join(tmp, 'one'), spec, ['tanh'], 1);
    const sweep = await viaManager(path.join(tmp, 'sweep'), spec, acts, cores);
    const rows = onlySweep ? [] : await inProcess(tmp);
    const row = (w: string, b: string, s: boolean) => rows.find((r) => r.workload === w && r.backend === b && r.summaries === s)!;
    const rate = (w: string, b: string, s: boolean) => row(w, b, s).itPerSec;
    if (!onlySweep) {
      console.log(`\nA. in-process trainRun, iterations/s after warm-up: wall clock, per process CPU-second in brackets (all threads, V8's GC helpers too); wasm: medians of ${WASM_ROUNDS} back-to-back off/on pairs`);
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      console.log(formatTable(
        ['workload', 'backend', 'summaries off', 'summaries on', 'summary cost (paired)', 'cost by medians (per CPU-s)', 'cost (training-thread CPU)', 'summary time (trainer)'],
        (['W1', 'W2'] as const).flatMap((w) => (['wasm', 'cpu'] as const).map((b) => {
          const off = row(w, b, false), on = row(w, b, true);
          const cost = (x: number, y: number) => pct((x - y) / x);
          return [w, b, `${off.itPerSec.toFixed(1)} (${off.itPerCpuSec.toFixed(1)})`, `${on.itPerSec.toFixed(1)} (${on.itPerCpuSec.toFixed(1)})`,
            pct(on.pairedCost), `${cost(off.itPerSec, on.itPerSec)} (${cost(off.itPerCpuSec, on.itPerCpuSec)})`, cost(off.itPerMainCpuSec, on.itPerMainCpuSec),
            `${pct(on.summaryShare)} of the run`];
        })),
      ));
    }

    const tOne = one.iterations / one.seconds, tSweep = sweep.iterations / sweep.seconds;
    const sOne = one.steady.itPerSec, sSweep = sweep.steady.itPerSec;
    console.log(`B. W2 via TrainingManager (wasm, worker threads, maxRuns ${cores}, ${spec.epochs} epochs, summaries on)`);
    const cores2 = (c: number | null) => (c === null ? '-' : c.toFixed(2));
    console.log(formatTable(
      ['case', 'runs', 'new workers', 'iterations', 'wall s', 'steady it/s (window s)', 'amortized it/s', 'per-run it/s (trainer)', 'main-thread cores', 'process cores'],
      [one, sweep].map((f, i) => [
        i === 0 ? 'one run' : `sweep x${acts.length}`, String(f.runs), String(f.workers), String(f.iterations), f.seconds.toFixed(2),
        `${f.steady.itPerSec.toFixed(1)} (${f.steady.from.toFixed(1)}-${f.steady.to.toFixed(1)})`, (f.iterations / f.seconds).toFixed(1),
        f.perRun.map((r) => r.toFixed(0)).join(' '), cores2(f.mainCores), f.processCores.toFixed(2),
      ]),
    ));
    console.log(`sweep / one run: steady state ${(sSweep / sOne).toFixed(2)}x (the target's figure), amortized ${(tSweep / tOne).toFixed(2)}x`);
    const w1 = onlySweep ? NaN : rate('W1', 'wasm', false), w1Cpu = onlySweep ? NaN : row('W1', 'wasm', false).itPerCpuSec;
    // Summary cost by wall clock and by CPU time (the latter is what to trust when the machine is shared).
    const costOf = (w: 'W1' | 'W2', f: (r: Row) => number) => (f(row(w, 'wasm', false)) - f(row(w, 'wasm', true))) / f(row(w, 'wasm', false));
    // Met only if both wall-clock estimates (paired median, and the medians' ratio) are within 5%.
    const costRow = (w: 'W1' | 'W2') => {
      const paired = row(w, 'wasm', true).pairedCost, byMedians = costOf(w, (r) => r.itPerSec);
      return [`${w} summary cost <= 5% (wasm)`, `${(paired * 100).toFixed(1)}% paired, ${(byMedians * 100).toFixed(1)}% by medians`,
        `${(costOf(w, (r) => r.itPerCpuSec) * 100).toFixed(1)}% (training thread ${(costOf(w, (r) => r.itPerMainCpuSec) * 100).toFixed(1)}%)`,
        Math.max(paired, byMedians) <= 0.05 ? 'yes' : 'NO'];
    };
    console.log(`targets (load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    console.log(formatTable(['target', 'measured (wall)', 'measured (per CPU-s)', 'met (wall)'], [
      ...(onlySweep ? [] : [['W1 wasm >= 400 it/s', `${w1.toFixed(1)} it/s`, `${w1Cpu.toFixed(1)} it/CPU-s`, w1 >= 400 ? 'yes' : 'NO'],
      costRow('W1'), costRow('W2')]),
      [`sweep >= 1.8x one run (${cores} cores, steady)`, `${(sSweep / sOne).toFixed(2)}x`, `amortized ${(tSweep / tOne).toFixed(2)}x`, sSweep / sOne >= 1.8 ? 'yes' : 'NO'],
    ]));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
