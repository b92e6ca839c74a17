import { initBackend } from '../../server/training/backend.ts';
import { RunLogger } from '../../server/training/run-logger.ts';
import { trainRun } from '../../server/training/trainer.ts';
import type { TrainSpec } from '../../shared/types.ts';
const which = process.argv[2] ?? 'W1';
const summaries = process.argv[3] === 'on';
const N = Number(process.argv[4] ?? 500);
const backend = (process.argv[5] ?? 'wasm') as 'wasm';
const W1: TrainSpec = { dataset: 'mnist', noise: 0, samples: 10_000, activation: 'relu', layers: [128, 64], optimizer: 'adam',
  learningRate: 0.001, batchSize: 64, epochs: 1000, dropout: 0, batchNorm: false, seed: 1, summaryEvery: 10 };
const W2: TrainSpec = { dataset: 'spiral', noise: 0.1, samples: 2000, activation: 'tanh', layers: [16, 16], optimizer: 'adam',
  learningRate: 0.01, batchSize: 32, epochs: 1000, dropout: 0, batchNorm: false, seed: 1, summaryEvery: 10 };
await initBackend(backend);
const spec = which === 'W1' ? W1 : W2;
const warm = 30;
const ac = new AbortController();
let t0 = 0, c0 = process.cpuUsage(), res = '';
await trainRun(spec, { logger: new RunLogger(null), backend, summaries, signal: ac.signal, onRecords: () => {},
  onProgress: (p) => {
    if (p.iteration === warm) { t0 = performance.now(); c0 = process.cpuUsage(); }
    if (p.iteration === warm + N) { const dt = (performance.now() - t0) / 1000; const c = process.cpuUsage(c0); const cs = (c.user + c.system) / 1e6;
      res = `${which} summaries ${summaries} ${(N / dt).toFixed(1)} it/s  ${(N / cs).toFixed(1)} it/CPU-s`; ac.abort(); }
  } });
console.log(res);
