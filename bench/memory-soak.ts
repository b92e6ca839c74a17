// Memory-bound soak (issue 16): does a server under --max-memory stay flat for an hour while runs keep
// leaving memory and coming back from the log cache?
//   npm run bench:memory-soak [-- --minutes 60 --stored 24 --live 10 --clients 6 --max-memory 64 --port 16400 --report-sec 300 --diag]
// A logdir of `stored` finished tensorboardX-shaped runs (scalars every step, 549-bucket histograms every
// 100) plus `live` runs that this process keeps appending to (5 steps/s each, as training scripts would);
// the server (a child process, started as bin/trainscope.mjs starts it: --expose-gc, --single-threaded-gc,
// the malloc settings) tails them with a log cache and a --max-memory well below the store's size, so
// the least recently viewed runs are dropped all the time. Clients keep viewing random runs: socket
// subscriptions to 3 runs for 5-20 s each, and HTTP reads of a stored run's scalars and histograms, which
// bring dropped runs back. Printed: RSS every 5 minutes (min / median / max), the store's bytes, how many
// runs are out of memory, the reads and reloads, and a least-squares RSS slope over the whole soak after
// its first 10 minutes (MB per hour).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import { wireParser } from '../shared/wire-parser.ts';
import type { ClientToServer, DeltaBatch, ServerToClient } from '../shared/protocol.ts';
import { writeLogdir, type RunShape } from './gen-logdir.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mb = (bytes: number) => bytes / 2 ** 20;

/** ~8 MB of events per stored run; ~2.5 MB of store each. */
const STORED_RUN: RunShape = { steps: 20_000, scalarTags: 4, histTags: 2, histEvery: 100, buckets: 549 };
const LIVE_STEPS_PER_SEC = 5;

interface ServerReport {
  type: 'stats';
  storeBytes: number;
  runs: number;
  evicted: number;
  heapUsed: number;
  /** After a forced full collection: live JS heap, and typed-array backing stores (the store's columns). */
  liveHeap: number;
  arrayBuffers: number;
}

// ---------------- server process ----------------
async function serverMain(): Promise<void> {
  const i = process.argv.indexOf('--server');
  const logdir = process.argv[i + 1];
  const cacheDir = process.argv[i + 2];
  const { createApp } = await import('../server/app.ts');
  const { silentLogger } = await import('../server/config.ts');
  const app = await createApp({
    logdir,
    cacheDir,
    port: arg('port', 16400),
    training: false,
    maxMemoryMb: arg('max-memory', 64),
    logger: silentLogger,
    webDir: '/nonexistent-web-dir',
    reloadIntervalSec: 1,
  });
  await app.loaded;
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      const runs = app.store.runs();
      const r: ServerReport = {
        type: 'stats',
        storeBytes: app.store.totalBytes,
        runs: runs.length,
        evicted: runs.filter((run) => app.store.isEvicted(run)).length,
        heapUsed: process.memoryUsage().heapUsed,
        liveHeap: 0,
        arrayBuffers: 0,
      };
      // --diag: a full collection first, to tell live memory from garbage (it changes the soak: off by default).
      if (process.argv.includes('--diag')) (globalThis as { gc?: () => void }).gc?.();
      const after = process.memoryUsage();
      r.liveHeap = after.heapUsed;
      r.arrayBuffers = after.arrayBuffers;
      process.send!(r);
    } else if (m.type === 'exit') void app.close().then(() => process.exit(0));
  });
  process.send!({ type: 'ready', url: app.url() });
}

// ---------------- bench process ----------------
type Client = Socket<ServerToClient, ClientToServer>;

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function slopeMbPerHour(samples: [number, number][]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const mx = samples.reduce((a, [t]) => a + t, 0) / n;
  const my = samples.reduce((a, [, r]) => a + r, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [t, r] of samples) {
    sxy += (t - mx) * (r - my);
    sxx += (t - mx) ** 2;
  }
  return (mb(sxy / sxx) * 3600) / 1; // bytes per second -> MB per hour
}

async function main(): Promise<void> {
  const minutes = arg('minutes', 60);
  const storedRuns = arg('stored', 24);
  const liveRuns = arg('live', 10);
  const nClients = arg('clients', 6);
  const maxMemory = arg('max-memory', 64);
  const port = arg('port', 16400);
  const root = await mkdtemp(path.join(os.tmpdir(), 'trainscope-memsoak-'));
  const logdir = path.join(root, 'logs');
  const cacheDir = path.join(root, 'cache');
  const bytes = await writeLogdir(logdir, storedRuns, STORED_RUN);
  const { EventWriter } = await import('../server/logs/event-writer.ts');
  const live = await Promise.all(
    Array.from({ length: liveRuns }, async (_, k) => ({ name: `live_${k}`, w: await EventWriter.open(path.join(logdir, `live_${k}`), { flushMs: 1000 }) })),
  );

  const env = { ...process.env, MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '65536' };
  const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--server', logdir, cacheDir], {
    execArgv: [...process.execArgv, '--expose-gc', '--single-threaded-gc'],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid!;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`server exited early (code ${code})`)));
  });
  const stats = () =>
    new Promise<ServerReport>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== 'stats') return;
        child.off('message', on);
        resolve(m as ServerReport);
      };
      child.on('message', on);
      child.send({ type: 'stats' });
    });
  const first = await stats();
  console.log(
    `bench:memory-soak — ${url} (pid ${pid}): ${storedRuns} stored runs (${mb(bytes).toFixed(0)} MB of events), ${liveRuns} live runs at ` +
      `${LIVE_STEPS_PER_SEC} steps/s, ${nClients} clients, --max-memory ${maxMemory} MB, ${minutes} min; store after the first read ` +
      `${mb(first.storeBytes).toFixed(1)} MB (${first.evicted} of ${first.runs} runs out of memory); load ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
  );

  const deadline = Date.now() + minutes * 60_000;
  // The live runs: one step of 4 scalars per tick, two histograms every 100 steps.
  let liveStep = 0;
  const hist = { min: -1, max: 1, num: 10, sum: 0, sumSquares: 1, bucketLimit: [-0.5, 0, 0.5, 1], bucket: [1, 4, 4, 1] };
  const writer = setInterval(() => {
    const wt = Date.now() / 1000;
    for (const { w } of live) {
      for (let t = 0; t < 4; t++) w.scalar(`train/metric_${t}`, Math.sin(liveStep / 50 + t), liveStep, wt);
      if (liveStep % 100 === 0) for (let h = 0; h < 2; h++) w.histogramProto(`layer${h}/weights`, hist, liveStep, wt);
    }
    liveStep++;
  }, 1000 / LIVE_STEPS_PER_SEC);

  const allRuns = [...Array.from({ length: storedRuns }, (_, i) => `run_${String(i).padStart(3, '0')}`), ...live.map((l) => l.name)];
  const pick = <T>(a: readonly T[]): T => a[Math.floor(Math.random() * a.length)];
  const counts = { subscribes: 0, batches: 0, reads: 0, readErrors: 0, errors: 0 };
  const { io } = await import('socket.io-client');
  const clientLoop = async (): Promise<void> => {
    while (Date.now() < deadline) {
      let c: Client | undefined;
      try {
        c = io(url, { parser: wireParser, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
        await new Promise<void>((resolve, reject) => {
          c!.once('connect', () => resolve());
          c!.once('connect_error', reject);
        });
        c.on('delta', (_b: DeltaBatch) => void counts.batches++);
        for (let k = 0; k < 4 && Date.now() < deadline; k++) {
          const runs = [pick(allRuns), pick(allRuns), pick(live).name];
          await (c as unknown as { timeout(ms: number): { emitWithAck(e: string, x: unknown): Promise<unknown> } })
            .timeout(30_000)
            .emitWithAck('subscribe', { runs, points: 2000 });
          counts.subscribes++;
          const until = Date.now() + 5000 + Math.random() * 15_000;
          while (Date.now() < until) {
            const run = pick(allRuns.slice(0, storedRuns));
            const route = Math.random() < 0.5 ? `scalars/scalars?tag=train%2Fmetric_0&run=${run}` : `histograms/histograms?tag=layer0%2Fweights&run=${run}`;
            const r = await fetch(`${url}data/plugin/${route}`);
            counts.reads++;
            if (!r.ok) counts.readErrors++;
            await r.arrayBuffer();
            await sleep(2000 + Math.random() * 6000);
          }
        }
      } catch (e) {
        if (counts.errors++ < 3) console.log(`client error: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${String((e as { cause?: Error }).cause)})` : ''}`);
      } finally {
        c?.disconnect();
      }
    }
  };

  const samples: [number, number][] = [];
  const t0 = Date.now();
  let windowRss: number[] = [];
  const sampler = setInterval(() => {
    const r = rssOf(pid);
    samples.push([(Date.now() - t0) / 1000, r]);
    windowRss.push(r);
  }, 5000);
  const report = setInterval(() => {
    const w = [...windowRss].sort((a, b) => a - b);
    windowRss = [];
    void stats().then((s) =>
      console.log(
        `  ${((Date.now() - t0) / 60_000).toFixed(1)} min: RSS min ${mb(w[0]).toFixed(0)} / median ${mb(w[w.length >> 1]).toFixed(0)} / max ${mb(w[w.length - 1]).toFixed(0)} MB; ` +
          `store ${mb(s.storeBytes).toFixed(1)} MB, ${s.evicted}/${s.runs} runs out of memory, main heap ${mb(s.heapUsed).toFixed(0)} MB (then ${mb(s.liveHeap).toFixed(0)} MB, array buffers ${mb(s.arrayBuffers).toFixed(0)} MB); ` +
          `subscribes ${counts.subscribes}, reads ${counts.reads} (${counts.readErrors} failed), live step ${liveStep}, load ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
      ),
    );
  }, arg('report-sec', 300) * 1000);

  await Promise.all(Array.from({ length: nClients }, async (_, i) => (await sleep(i * 500), clientLoop())));
  clearInterval(writer);
  clearInterval(sampler);
  clearInterval(report);
  const steady = samples.filter(([t]) => t >= Math.min(600, (minutes * 60) / 3));
  const rs = steady.map(([, r]) => r).sort((a, b) => a - b);
  console.log('');
  console.log(
    `RSS after the first ${Math.min(10, minutes / 3).toFixed(0)} min: min ${mb(rs[0]).toFixed(0)} MB, median ${mb(rs[rs.length >> 1]).toFixed(0)} MB, max ${mb(rs[rs.length - 1]).toFixed(0)} MB; ` +
      `slope ${slopeMbPerHour(steady).toFixed(1)} MB/hour; ${counts.subscribes} subscriptions, ${counts.reads} reads (${counts.readErrors} failed), ` +
      `${counts.batches} delta batches, ${counts.errors} client errors; live runs at step ${liveStep}`,
  );
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()} (${os.cpus().length} cores)`);
  child.send({ type: 'exit' });
  await new Promise((r) => child.once('exit', r));
  await Promise.all(live.map(({ w }) => w.close()));
  await rm(root, { recursive: true, force: true });
}

if (process.argv.includes('--server')) void serverMain();
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
