// Many viewers at once: 10 live runs watched by 1, 20 and 100 socket.io clients.
//   npm run bench:viewers [-- --seconds 10 --clients 1,20,100 --modes paced,unpaced --runs 10 --rate 50 --unpaced-rate 500 --points 3840]
// The runs are synthetic writers through the ingest path the trainer's records take (app.ingest), each
// step stamped with the wall clock: 8 scalars a step, and every 10th step 2 validation scalars and 4
// histograms of 30 buckets. "paced" = 50 steps/s per run (--rate); "unpaced" = --unpaced-rate steps/s per
// run (500: about what the real trainer's 10-run sweep of small MLPs makes on 2 cores).
// Each client subscribes as the dashboard does in a 1920-pixel window: backlogs downsampled to 3840
// points a series (--points; 0 for full backlogs).
// Clients run in a child process (the server's RSS is its own); 9 of 10 subscribe like the SCALARS tab
// (no histograms), every 10th like the HISTOGRAMS tab. Another child polls a data route over HTTP.
// For each mode and client count: (a) clients connected before the runs start, steady state; (b) late
// joiners: as many new clients connect while the runs go; time until every one is connected, has its
// backlog and a live point ("current"), then steady state.
// Figures: point-to-client latency p50/p99 (scalars), HTTP p99, server RSS (peak), bytes per client per s.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { DeltaBatch } from '../shared/protocol.ts';

const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const BIN_MS = 0.5;
const BINS = 60_000; // 0..30 s

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

/** A histogram as [bin, count] pairs of its non-empty bins (the IPC report stays small). */
function sparse(hist: number[]): number[] {
  const out: number[] = [];
  hist.forEach((n, i) => n > 0 && out.push(i, n));
  return out;
}

function dense(pairs: number[]): number[] {
  const hist = new Array<number>(BINS).fill(0);
  for (let k = 0; k < pairs.length; k += 2) hist[pairs[k]] = pairs[k + 1];
  return hist;
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

interface ClientReport {
  latency: number[];
  http: number[];
  httpErrors: number;
  bytes: number;
  points: number;
  seconds: number;
  connected: number;
  /** ms from the first connect attempt until every client was connected and current (late joiners). */
  currentMs: number;
  cpu: number;
  /** Clients the server dropped for not reading fast enough (server:dropped). */
  dropped: number;
  /** Clients that never connected (socket.io's connect timeout). */
  failed: number;
}

// ---------------- client process ----------------
async function clientMain(): Promise<void> {
  const { io } = await import('socket.io-client');
  const { wireParser } = await import('../shared/wire-parser.ts');
  const url = arg('client', '');
  const n = Number(arg('clients', '1'));
  // Backlog points per series the dashboard asks for (subscribe's `points`); 0: the full backlog.
  const backlogPoints = Number(arg('points', '0'));
  const latency = new Array<number>(BINS).fill(0);
  const http = new Array<number>(BINS).fill(0);
  let httpErrors = 0;
  let bytes = 0;
  let points = 0;
  let measuring = false;
  let dropped = 0;
  // Keeps this process (and its report) alive when the server drops every client.
  const keepAlive = setInterval(() => {}, 1000);
  // The bench died (or gave up on us): do not poll its server forever.
  process.once('disconnect', () => setTimeout(() => process.exit(0), 500));
  const start = nowMs();
  const sockets: ReturnType<typeof io>[] = [];
  const pending = new Set<number>(); // clients not yet current
  const connectAll = Array.from({ length: n }, (_, i) => {
    pending.add(i);
    const s = io(url, { parser: wireParser, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
    sockets.push(s);
    let loading: Set<string> | null = null;
    let live = false;
    const check = () => {
      if (loading && loading.size === 0 && live) pending.delete(i);
    };
    s.io.on('open', () => s.io.engine.on('data', (d: string | ArrayBuffer | Uint8Array) => (bytes += typeof d === 'string' ? d.length : d.byteLength)));
    s.on('server:dropped', () => {
      dropped++;
      pending.delete(i);
    });
    // A client that lost its connection otherwise (e.g. a ping timeout) is not waited for either.
    s.on('disconnect', () => pending.delete(i));
    s.on('delta', (b: DeltaBatch) => {
      const t = nowMs();
      for (const run of b.loaded ?? []) loading?.delete(run);
      for (const d of b.series) {
        if (d.kind !== 'scalars') continue;
        for (const w of d.wallTimes) {
          const ms = w * 1000;
          if (ms < start) continue; // backlog from before this process
          live = true;
          if (!measuring) continue;
          points++;
          latency[Math.min(BINS - 1, Math.max(0, Math.floor((t - ms) / BIN_MS)))]++;
        }
      }
      check();
    });
    return new Promise<void>((resolve, reject) => {
      s.once('connect', () => {
        const kinds = i % 10 === 9 ? ['scalars', 'histograms', 'images'] : ['scalars', 'images'];
        s.emit('subscribe', { runs: '*', kinds, ...(backlogPoints > 0 ? { points: backlogPoints } : {}) } as never, ((ack: { ok: boolean; data?: { loading?: string[] } }) => {
          loading = new Set(ack.ok ? (ack.data?.loading ?? []) : []);
          check();
        }) as never);
        resolve();
      });
      s.once('connect_error', (e) => {
        pending.delete(i); // counted as failed, not waited for
        reject(e);
      });
    });
  });
  // A client that cannot connect (60 s timeout on a starved machine) is counted, not fatal.
  const failed = (await Promise.allSettled(connectAll)).filter((r) => r.status === 'rejected').length;
  process.send!({ type: 'connected', ms: nowMs() - start });
  let currentMs = NaN;
  void (async () => {
    while (pending.size > 0) await sleep(10);
    currentMs = nowMs() - start;
    process.send!({ type: 'current', ms: currentMs });
  })();

  // HTTP meanwhile: a TensorBoard data route, one request at a time, every 100 ms.
  const dataUrl = `${url}data/plugin/scalars/scalars?run=syn-0&tag=train%2Floss`;
  let polling = process.argv.includes('--http');
  void (async () => {
    while (polling) {
      const t0 = nowMs();
      try {
        const res = await fetch(dataUrl);
        await res.arrayBuffer();
        if (!res.ok) httpErrors++;
      } catch {
        httpErrors++;
      }
      if (measuring) http[Math.min(BINS - 1, Math.floor((nowMs() - t0) / BIN_MS))]++;
      await sleep(100);
    }
  })();

  let cpu0 = process.cpuUsage();
  let t0 = nowMs();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'measure') {
      measuring = true;
      latency.fill(0);
      http.fill(0);
      bytes = 0;
      points = 0;
      cpu0 = process.cpuUsage();
      t0 = nowMs();
    } else if (m.type === 'report') {
      polling = false;
      const c = process.cpuUsage(cpu0);
      const seconds = (nowMs() - t0) / 1000;
      const r: ClientReport = { latency: sparse(latency), http: sparse(http), httpErrors, bytes, points, seconds, connected: sockets.filter((s) => s.connected).length, currentMs, cpu: (c.user + c.system) / 1e6 / seconds, dropped, failed };
      for (const s of sockets) s.disconnect();
      // Exit only once the report is written to the IPC pipe: exiting on a timer cut it off when the
      // parent (the busy server) had not read the pipe yet, and the parent then waited forever.
      process.send!({ type: 'report', report: r }, () => {
        clearInterval(keepAlive);
        process.disconnect();
        setTimeout(() => process.exit(0), 500);
      });
    }
  });
}

// ---------------- server process ----------------
type LogRecord = import('../server/logs/records.ts').LogRecord;

function runRecords(step: number, wall: number): LogRecord[] {
  const recs: LogRecord[] = [];
  for (let t = 0; t < 8; t++) recs.push({ kind: 'scalar', tag: t === 0 ? 'train/loss' : `train/metric${t}`, step, wallTime: wall, value: Math.exp(-step / 2000) + Math.sin(step / 30 + t) * 0.01 });
  if (step % 10 === 0) {
    recs.push({ kind: 'scalar', tag: 'val/loss', step, wallTime: wall, value: Math.exp(-step / 2500) });
    recs.push({ kind: 'scalar', tag: 'val/acc', step, wallTime: wall, value: 1 - Math.exp(-step / 2500) });
    for (let h = 0; h < 4; h++) {
      const buckets: [number, number, number][] = Array.from({ length: 30 }, (_, i) => [i / 10 - 1.5, (i + 1) / 10 - 1.5, Math.round(1000 * Math.exp(-((i - 15) ** 2) / 40))]);
      recs.push({ kind: 'histogram', tag: `weights/layer${h}`, step, wallTime: wall, buckets });
    }
  }
  return recs;
}

async function scenario(mode: 'paced' | 'unpaced', clients: number, seconds: number, runs: number, rate: number): Promise<string[]> {
  const { createApp } = await import('../server/app.ts');
  const { silentLogger } = await import('../server/config.ts');
  const logdir = await mkdtemp(path.join(os.tmpdir(), 'ts-bench-viewers-'));
  const app = await createApp({ logdir, port: 0, training: false, logger: silentLogger, webDir: '/nonexistent-web-dir', reloadIntervalSec: 5 });
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);

  // Producer: every run at `rate` steps/s, in ticks of 5 ms (ingested as the trainer's records are).
  let producing = false;
  let step = 0;
  let t0 = 0;
  const produce = () => {
    if (!producing) return;
    const due = Math.floor(((nowMs() - t0) / 1000) * rate);
    // Behind by more than a second (unpaced on a busy machine): skip ahead rather than burst.
    if (due - step > rate) step = due - rate;
    while (step < due) {
      const w = nowMs() / 1000;
      for (let r = 0; r < runs; r++) app.ingest(`syn-${r}`, runRecords(step, w));
      step++;
    }
    setTimeout(produce, 5);
  };
  const startRuns = () => {
    producing = true;
    t0 = nowMs();
    produce();
  };

  const child = (n = clients, http = false): Promise<{ proc: ChildProcess; report(): Promise<ClientReport>; current: Promise<number>; exited: Promise<unknown>; connectedMs: number }> =>
    new Promise((resolve, reject) => {
      const args = ['--client', app.url(), '--clients', String(n), '--points', arg('points', '3840'), ...(http ? ['--http'] : [])];
      const proc = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const exited = new Promise((r) => proc.once('exit', r));
      let onCurrent: (ms: number) => void = () => {};
      let connectedMs = NaN;
      const current = new Promise<number>((r) => (onCurrent = r));
      proc.on('message', (m: { type: string; ms?: number }) => {
        if (m.type === 'connected') {
          connectedMs = m.ms!;
          resolve({ proc, current, report, exited, connectedMs });
        }
        if (m.type === 'current') onCurrent(m.ms!);
      });
      proc.once('exit', (code, signal) => {
        if (process.env.BENCH_DEBUG) console.log(`child ${args.join(' ')} exited: ${code} ${signal}`);
        reject(new Error(`client process exited (code ${code})`));
      });
      const report = () =>
        new Promise<ClientReport>((res, rej) => {
          proc.on('message', (m: { type: string; report?: ClientReport }) => m.type === 'report' && res({ ...m.report!, latency: dense(m.report!.latency), http: dense(m.report!.http) }));
          // A child that dies without reporting fails the bench instead of hanging it.
          proc.once('exit', (code, signal) => rej(new Error(`client process ${args.join(' ')} exited without a report (code ${code}, signal ${signal})`)));
          proc.send({ type: 'report' });
        });
    });

  const line = (label: string, r: ClientReport, extra = '') =>
    `${mode.padEnd(7)} ${String(clients).padStart(3)} ${label.padEnd(6)} | latency p50 ${percentile(r.latency, 0.5).toFixed(0).padStart(4)} ms p99 ${percentile(r.latency, 0.99).toFixed(0).padStart(5)} ms | ` +
    `HTTP p99 ${percentile(r.http, 0.99).toFixed(0).padStart(4)} ms${r.httpErrors ? ` (${r.httpErrors} errors)` : ''} | RSS peak ${(peakRss / 2 ** 20).toFixed(0).padStart(4)} MB | ` +
    `${(r.bytes / r.seconds / clients / 1024).toFixed(0).padStart(4)} kB/s per client | ${r.connected}/${clients} connected${r.dropped ? ` (${r.dropped} dropped as too slow)` : ''}${r.failed ? ` (${r.failed} failed to connect)` : ''}${extra} | client process ${(r.cpu * 100).toFixed(0)}% CPU`;

  // HTTP is polled from a process of its own (the clients' process is busy decoding).
  const withHttp = async (r: ClientReport, h: { report(): Promise<ClientReport>; exited: Promise<unknown> }) => {
    const rh = await h.report();
    await h.exited;
    return { ...r, http: rh.http, httpErrors: rh.httpErrors };
  };
  const out: string[] = [];
  // (a) connected before the runs start.
  const a = await child();
  const ha = await child(0, true);
  startRuns();
  await sleep(2000);
  a.proc.send({ type: 'measure' });
  ha.proc.send({ type: 'measure' });
  await sleep(seconds * 1000);
  const ra = await withHttp(await a.report(), ha);
  out.push(line('before', ra));
  await a.exited;
  await sleep(1000);
  // (b) late joiners: the runs have been going for a while (backlogs in the store).
  peakRss = 0;
  const hb = await child(0, true);
  const b = await child();
  const joinAt = nowMs();
  let drainedMs = NaN;
  let watching = true;
  void (async () => {
    let last = 0;
    while (watching && (app.hub.privateCount > 0 || app.hub.clientCount < clients)) {
      await sleep(10);
      if (process.env.BENCH_DEBUG && nowMs() - last > 1000) {
        last = nowMs();
        const h = app.hub as unknown as { clients: Map<string, { buffer: { points: number } | null; sink: { pending(): number; queuedBytes(): number } }>; tickSeq: number };
        const priv = [...h.clients.values()].filter((c) => c.buffer);
        console.log(`${((nowMs() - joinAt) / 1000).toFixed(1)} s: tick ${h.tickSeq}, ${h.clients.size} clients, ${priv.length} private: ` + priv.slice(0, 4).map((c) => `${c.buffer!.points}p ${c.sink.pending()}pk ${c.sink.queuedBytes()}B`).join(', '));
      }
    }
    if (watching) drainedMs = nowMs() - joinAt;
  })();
  let giveUp: NodeJS.Timeout | undefined;
  const currentMs = await Promise.race([b.current, new Promise<number>((r) => (giveUp = setTimeout(() => r(NaN), 60_000)))]);
  clearTimeout(giveUp);
  b.proc.send({ type: 'measure' });
  hb.proc.send({ type: 'measure' });
  await sleep(seconds * 1000);
  const rb = await withHttp(await b.report(), hb);
  out.push(line('late', rb, `: all connected in ${(b.connectedMs / 1000).toFixed(1)} s, current in ${(currentMs / 1000).toFixed(1)} s (server sent every backlog ${(drainedMs / 1000).toFixed(1)} s after the last connected; ${app.hub.snapshotBuilds} backlog snapshots read or extended)`));
  producing = false;
  watching = false;
  clearInterval(rssTimer);
  await b.exited;
  if (process.env.BENCH_DEBUG) console.log('closing');
  await app.close();
  if (process.env.BENCH_DEBUG) console.log('closed');
  await rm(logdir, { recursive: true, force: true });
  return out;
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '10'));
  const runs = Number(arg('runs', '10'));
  const counts = arg('clients', '1,20,100').split(',').map(Number);
  const modes = arg('modes', 'paced,unpaced').split(',') as ('paced' | 'unpaced')[];
  const rates = { paced: Number(arg('rate', '50')), unpaced: Number(arg('unpaced-rate', '500')) };
  console.log(`bench:viewers — ${runs} runs; paced ${rates.paced} steps/s per run, unpaced ${rates.unpaced}; 8 scalars a step, +2 scalars and 4 histograms every 10th; backlogs at ${arg('points', '3840')} points a series (0: full); ${seconds} s per measurement; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const mode of modes) {
    for (const n of counts) {
      for (const l of await scenario(mode, n, seconds, runs, rates[mode])) console.log(l);
      // A fresh server per scenario; let the old one's memory go.
      (globalThis as { gc?: () => void }).gc?.();
    }
  }
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

if (process.argv.includes('--client')) await clientMain();
else await main();
