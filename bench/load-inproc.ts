// The initial load of a logdir in this process, without the HTTP server: the watcher's worker pool
// and the store, as the server wires them. Prints wall time, CPU seconds of the process (all threads),
// peak RSS and the store's own byte count; for profiling the loader (node --cpu-prof / --heap-prof).
// Usage: node --import tsx bench/load-inproc.ts --logdir DIR [--workers N]
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { LogdirWatcher } from '../server/logs/logdir.ts';
import { SeriesStore } from '../server/store/series-store.ts';

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const logdir = path.resolve(arg('logdir') ?? '');
const workers = Number(arg('workers', String(availableParallelism())));

const store = new SeriesStore();
let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
const sampler = setInterval(sample, 50);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const w = new LogdirWatcher(logdir, {
  loadWorkers: workers,
  onRecords: (run, records) => store.ingest(run, records, false),
  onPacked: (run, p) => store.ingestPacked(run, p, false),
  onRun: (run) => store.addRun(run),
  onWarning: (run, m) => store.addWarning(run, m),
});
await w.start();
const wall = performance.now() - t0;
sample();
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
await w.stop();
let scalars = 0;
let hists = 0;
for (const run of store.runs()) {
  for (const s of store.seriesOf(run)) {
    if (s.kind === 'scalars') scalars += s.series.size;
    else if (s.kind === 'histograms') hists += s.series.size;
  }
}
console.log(
  `${store.runs().length} runs, ${scalars} scalar points, ${hists} histograms kept; ${(wall / 1000).toFixed(2)} s, ` +
    `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB, store ${(store.totalBytes / 2 ** 20).toFixed(0)} MiB`,
);
