// Live-stream benchmark: latency from a point being produced to its arrival in socket.io clients, and
// the server's RSS over a several-minute run.
//   npm run bench:live [-- --seconds 180 --runs 10 --tags 20 --rate 50 --scalars 1000]
// Producers: (1) synthetic, through the same ingest path as the trainer's 'records' event, stamped with
// the wall clock; (2) an EventWriter appending to a tfevents file in the logdir, picked up by the watcher.
// File latency counts from the append: each point's wall_time is stamped just before the writer's
// flush (issued in the same synchronous step), not when a writer would have buffered it — when a
// TF/PyTorch writer flushes is its own business, not ours to count.
// Clients run in a child process (so the RSS is the server's), first 1 client, then 20.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { DeltaBatch } from '../shared/protocol.ts';

const BIN_MS = 0.1;
/** After the clients subscribe: at least this long, and until every backlog is drained (at most MAX_SETTLE_MS). */
const SETTLE_MS = 3000;
const MAX_SETTLE_MS = 60_000;
const BINS = 100_000; // 0..10 s
const nowMs = () => performance.timeOrigin + performance.now();

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function percentile(hist: number[], p: number): number {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i];
    if (acc >= total * p) return (i + 0.5) * BIN_MS;
  }
  return Infinity;
}

// ---------------- client process ----------------
async function clientMain(): Promise<void> {
  const { io } = await import('socket.io-client');
  const url = process.argv[process.argv.indexOf('--client') + 1];
  const n = Number(process.argv[process.argv.indexOf('--clients') + 1]);
  const hist = { synthetic: new Array<number>(BINS).fill(0), file: new Array<number>(BINS).fill(0) };
  let points = 0;
  const sockets: { connected: boolean; disconnect(): void }[] = [];
  for (let i = 0; i < n; i++) {
    const { wireParser } = await import('../shared/wire-parser.ts');
    const s = io(url, { parser: wireParser, transports: ['websocket'], forceNew: true, reconnection: false });
    const since = nowMs();
    s.on('delta', (b: DeltaBatch) => {
      const t = nowMs();
      for (const d of b.series) {
        if (d.kind !== 'scalars') continue;
        const h = d.run.startsWith('file') ? hist.file : hist.synthetic;
        for (const w of d.wallTimes) {
          const ms = w * 1000;
          if (ms < since) continue; // backlog, not live
          points++;
          h[Math.min(BINS - 1, Math.max(0, Math.floor((t - ms) / BIN_MS)))]++;
        }
      }
    });
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    s.emit('subscribe', { runs: '*' }, () => {});
    sockets.push(s);
  }
  process.send!({ type: 'ready' });
  let cpu0 = process.cpuUsage();
  let wall0 = nowMs();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'start') {
      // Steady state from here: forget the subscribe-time backlog transfer.
      hist.synthetic.fill(0);
      hist.file.fill(0);
      points = 0;
      cpu0 = process.cpuUsage();
      wall0 = nowMs();
      return;
    }
    if (m.type !== 'report') return;
    const cpu = process.cpuUsage(cpu0);
    const clientCpu = (cpu.user + cpu.system) / 1000 / (nowMs() - wall0);
    process.send!({ type: 'report', hist, points, clientCpu, connected: sockets.filter((s) => s.connected).length });
    for (const s of sockets) s.disconnect();
    setTimeout(() => process.exit(0), 100);
  });
}

// ---------------- server process ----------------
async function serverMain(): Promise<void> {
  const seconds = arg('seconds', 180);
  const runs = arg('runs', 10);
  const tags = arg('tags', 20);
  const rate = arg('rate', 50);
  const scalarsLimit = arg('scalars', 1000);
  const { createApp } = await import('../server/app.ts');
  const { silentLogger } = await import('../server/config.ts');
  const { EventWriter } = await import('../server/logs/event-writer.ts');
  type LogRecord = import('../server/logs/records.ts').LogRecord;

  const logdir = await mkdtemp(path.join(os.tmpdir(), 'ts-bench-live-'));
  const app = await createApp({
    logdir,
    port: 0,
    training: false,
    logger: silentLogger,
    reloadIntervalSec: 1,
    samplesPerPlugin: { scalars: scalarsLimit, histograms: 500, images: 10 },
  });
  console.log(`bench:live — ${runs} runs x ${tags} tags x ${rate} steps/s (${runs * tags * rate} points/s synthetic) + 1 file-appended tag at ${rate} steps/s`);
  console.log(`server ${app.url()}, scalars kept per series: ${scalarsLimit}, duration ${seconds} s (1/3 with 1 client, 2/3 with 20)`);

  // Synthetic producer: same ingest path as the trainer's 'records' event.
  let step = 0;
  const t0 = nowMs();
  let producing = true;
  // Flushed explicitly right after each produce step; the writer's own timer is out of the way.
  const writer = await EventWriter.open(path.join(logdir, 'file-run'), { flushMs: 3_600_000 });
  const produce = () => {
    if (!producing) return;
    const due = Math.floor(((nowMs() - t0) / 1000) * rate);
    while (step < due) {
      const w = nowMs() / 1000;
      for (let r = 0; r < runs; r++) {
        const recs: LogRecord[] = [];
        for (let t = 0; t < tags; t++) recs.push({ kind: 'scalar', tag: `tag${t}`, step, wallTime: w, value: Math.sin(step / 50 + t) });
        app.ingest(`syn-${r}`, recs);
      }
      writer.scalar('file/loss', Math.cos(step / 50), step, nowMs() / 1000);
      void writer.flush(); // append now: the stamp above is taken just before the bytes are written
      step++;
    }
    setTimeout(produce, 5);
  };
  produce();

  const rss = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
  const rssLog: [number, number][] = [];
  const sampler = setInterval(() => rssLog.push([Math.round((nowMs() - t0) / 1000), rss()]), 10_000);
  await sleep(3000); // warm up: runs exist, JIT settled
  const rssStart = rss();

  const phase = async (clients: number, secs: number) => {
    const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--client', app.url(), '--clients', String(clients)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { type: string }) => m.type === 'ready' && resolve());
      child.once('exit', (code) => reject(new Error(`client process exited early (code ${code})`)));
    });
    // Backlogs (all points so far) transfer to the new clients: measured separately, then steady state.
    const joined = nowMs();
    let drainedAt = NaN;
    while (nowMs() - joined < MAX_SETTLE_MS) {
      if (app.hub.privateCount > 0) drainedAt = NaN;
      else if (Number.isNaN(drainedAt)) drainedAt = nowMs();
      if (!Number.isNaN(drainedAt) && nowMs() - joined >= SETTLE_MS) break;
      await sleep(20);
    }
    const drained = Number.isNaN(drainedAt) ? `not within ${MAX_SETTLE_MS / 1000} s` : `in ${((drainedAt - joined) / 1000).toFixed(1)} s`;
    child.send({ type: 'start' });
    const elu0 = performance.eventLoopUtilization();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    await sleep(secs * 1000);
    delay.disable();
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const report = await new Promise<{ hist: { synthetic: number[]; file: number[] }; points: number; connected: number; clientCpu: number }>((resolve) => {
      child.on('message', (m: { type: string }) => m.type === 'report' && resolve(m as never));
      child.send({ type: 'report' });
    });
    const f = (h: number[]) => `p50 ${percentile(h, 0.5).toFixed(1)} ms, p99 ${percentile(h, 0.99).toFixed(1)} ms`;
    console.log(
      `${String(clients).padStart(2)} client(s), ${secs} s (backlogs drained ${drained}): synthetic ${f(report.hist.synthetic)} | file append ${f(report.hist.file)} | ` +
        `${(report.points / secs / clients).toFixed(0)} points/s per client, ${report.connected}/${clients} still connected, ` +
        `server event loop ${(elu * 100).toFixed(0)}% busy (delay p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms, max ${(delay.max / 1e6).toFixed(0)} ms), client process ${(report.clientCpu * 100).toFixed(0)}% of a core`,
    );
  };
  await phase(1, Math.round(seconds / 3));
  await phase(20, Math.round((seconds * 2) / 3));

  producing = false;
  clearInterval(sampler);
  const rssEnd = rss();
  console.log(`server RSS: start ${rssStart} MB, end ${rssEnd} MB; every 10 s: ${rssLog.map(([t, m]) => `${t}s:${m}`).join(' ')}`);
  console.log(`store: ${app.store.runs().length} runs, steps produced per series: ${step}`);
  await writer.close();
  await app.close();
  await rm(logdir, { recursive: true, force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

if (process.argv.includes('--client')) await clientMain();
else await serverMain();
