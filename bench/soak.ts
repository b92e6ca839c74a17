// Soak benchmark: the server's memory under clients that come and go while runs train and replays
// start and stop, and whether it returns to its idle level once they have left.
//   npm run bench:soak [-- --minutes 10 --clients 50 --runs 10 --warmup 90 --port 16300]
// (--clients 0 is a control: the same server, runs and phases, nobody connecting.)
// The server runs in a child process (its RSS is read from /proc/PID/status; its main-thread heap is
// reported over IPC, where the bench can also ask it to collect garbage). It trains `runs` small
// spiral MLPs, paced by maxItersPerSec, and holds one large synthetic run (LARGE_TAGS x LARGE_STEPS
// scalars) for replays. Phases: 25 replays of the large run on 7 connections before training starts
// (the per-session cost, on a quiet heap); training warm-up and the idle level; the soak (clients
// connecting, subscribing, replaying, disconnecting in cycles); all clients leave; the level again.
// The idle level is taken ~2.5 min into training and the last one ~12 min later: the live runs' own
// growth is in the ratio (a --clients 0 control drifted 1.07-1.10x): compare with the control's ratio.
// The progress lines force a GC in the server each minute (they report its live heap).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import { wireParser } from '../shared/wire-parser.ts';
import type { Ack, ClientToServer, DeltaBatch, ReplayState, ServerToClient } from '../shared/protocol.ts';

const LARGE_TAGS = 40;
const LARGE_STEPS = 25_000;
/** The server's replay cap in this bench: room for the 25 sessions of the per-session phase. */
const MAX_REPLAYS = 25;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mb = (bytes: number) => bytes / 1024 / 1024;

interface MemReport {
  heapUsed: number;
  rss: number;
  /** V8's committed heap and memory held outside it (buffers), main thread. */
  heapTotal: number;
  external: number;
  clients: number;
  hubClients: number;
  livePoints: number;
  /** Event-loop delay since the previous report (ms). */
  loopP99: number;
  loopMax: number;
}

// ---------------- server process ----------------
async function serverMain(): Promise<void> {
  const port = arg('port', 16300);
  const runs = arg('runs', 10);
  const { createApp } = await import('../server/app.ts');
  const { silentLogger } = await import('../server/config.ts');
  type LogRecord = import('../server/logs/records.ts').LogRecord;
  const logdir = process.argv[process.argv.indexOf('--server') + 1];
  const app = await createApp({
    logdir,
    port,
    training: true,
    maxRuns: runs,
    maxReplays: MAX_REPLAYS,
    logger: silentLogger,
    webDir: '/nonexistent-web-dir',
    reloadIntervalSec: 1,
    // Room for every point of the large run; the live runs add ~2 points/s per scalar tag (a few MB over
    // the soak), their histograms and images reach these small caps during the warm-up.
    samplesPerPlugin: { scalars: LARGE_STEPS, histograms: 20, images: 2 },
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  // JS heap plus typed-array backing stores (the store's scalar columns live there, not on the heap).
  const heap = (): number => {
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = heap();
  // The large run: ingested in chunks of 500 steps, as a watcher would.
  for (let s0 = 0; s0 < LARGE_STEPS; s0 += 500) {
    const recs: LogRecord[] = [];
    for (let s = s0; s < s0 + 500; s++) {
      for (let t = 0; t < LARGE_TAGS; t++) recs.push({ kind: 'scalar', tag: `large/tag${t}`, step: s, wallTime: 1.7e9 + s * 0.05 + t * 1e-4, value: Math.sin(s / 100 + t) });
    }
    app.ingest('large', recs);
  }
  const largeBytes = heap() - before;
  // Kept points of the live runs (everything but the large run): the store's own growth during the soak.
  const livePoints = () => {
    let n = 0;
    for (const run of app.store.runs()) if (run !== 'large') for (const e of app.store.seriesOf(run)) n += e.series.size;
    return n;
  };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const counts = () => {
    const r = { clients: app.io.of('/').sockets.size, hubClients: app.hub.clientCount, livePoints: livePoints(), loopP99: delay.percentile(99) / 1e6, loopMax: delay.max / 1e6 };
    delay.reset();
    return r;
  };
  process.on('message', (m: { type: string }) => {
    if (m.type === 'mem') {
      const heapUsed = heap();
      const mu = process.memoryUsage();
      const r: MemReport = { heapUsed, rss: mu.rss, heapTotal: mu.heapTotal, external: mu.external, ...counts() };
      process.send!({ type: 'mem', ...r });
    } else if (m.type === 'exit') {
      void app.close().then(() => process.exit(0));
    }
  });
  process.send!({ type: 'ready', url: app.url(), largeBytes, largePoints: LARGE_TAGS * LARGE_STEPS });
}

// ---------------- bench process ----------------
type Client = Socket<ServerToClient, ClientToServer>;

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function main(): Promise<void> {
  const minutes = arg('minutes', 10);
  const nClients = arg('clients', 50);
  const runs = arg('runs', 10);
  const warmup = arg('warmup', 90);
  const port = arg('port', 16300);
  const { io } = await import('socket.io-client');
  const logdir = await mkdtemp(path.join(os.tmpdir(), 'ts-bench-soak-'));
  // The server runs as bin/trainscope.mjs starts it: --single-threaded-gc, --expose-gc (the server's
  // quiet-time collection; the bench's own forced GCs are reported apart) and MALLOC_ARENA_MAX=2
  // (--malloc-arenas 0: glibc's default, one arena per thread up to 8 x cores).
  const arenas = arg('malloc-arenas', 2);
  const env = { ...process.env };
  if (arenas > 0) env.MALLOC_ARENA_MAX = String(arenas);
  else delete env.MALLOC_ARENA_MAX;
  // ...and MALLOC_MMAP_THRESHOLD_=65536 as the bin sets it (--mmap-threshold 0: glibc's sliding default).
  const mmapThreshold = arg('mmap-threshold', 65536);
  if (mmapThreshold > 0) env.MALLOC_MMAP_THRESHOLD_ = String(mmapThreshold);
  else delete env.MALLOC_MMAP_THRESHOLD_;
  const child = fork(fileURLToPath(import.meta.url), ['--server', logdir, '--port', String(port), '--runs', String(runs)], {
    execArgv: [...process.execArgv, '--expose-gc', '--single-threaded-gc'],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid!;
  const ready = await new Promise<{ url: string; largeBytes: number; largePoints: number }>((resolve, reject) => {
    child.on('message', (m: { type: string }) => m.type === 'ready' && resolve(m as never));
    child.once('exit', (code) => reject(new Error(`server exited early (code ${code})`)));
  });
  const mem = () =>
    new Promise<MemReport>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== 'mem') return;
        child.off('message', on);
        resolve(m as never);
      };
      child.on('message', on);
      child.send({ type: 'mem' });
    });
  const url = ready.url;
  const connect = async (): Promise<Client> => {
    const s: Client = io(url, { parser: wireParser, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  };
  const request = <T>(c: Client, event: string, ...a: unknown[]): Promise<Ack<T>> =>
    (c as unknown as { timeout(ms: number): { emitWithAck(e: string, ...x: unknown[]): Promise<Ack<T>> } })
      .timeout(15_000)
      .emitWithAck(event, ...a)
      .catch((e: Error) => ({ ok: false as const, error: e.message }));

  console.log(
    `bench:soak — server ${url} (pid ${pid}), ${runs} live runs, ${nClients} clients for ${minutes} min, replay cap ${MAX_REPLAYS}; ` +
      `MALLOC_ARENA_MAX=${env.MALLOC_ARENA_MAX ?? '(glibc default)'}, MALLOC_MMAP_THRESHOLD_=${env.MALLOC_MMAP_THRESHOLD_ ?? '(glibc default)'}, load ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
  );
  console.log(`large run: ${ready.largePoints} scalar points, ${mb(ready.largeBytes).toFixed(1)} MB of heap in the store`);

  // ---- per-session cost: 25 replays of the large run on 7 connections ----
  {
    const conns: Client[] = [];
    for (let i = 0; i < 7; i++) conns.push(await connect());
    await sleep(500);
    const h0 = (await mem()).heapUsed;
    const ids: [Client, string][] = [];
    let ok = 0;
    for (let i = 0; i < 25; i++) {
      const c = conns[i % 7];
      const r = await request<ReplayState>(c, 'replay:start', { run: 'large', speed: 1 });
      if (r.ok) {
        ok++;
        ids.push([c, r.data.replayId]);
        await request(c, 'replay:control', { replayId: r.data.replayId, action: 'pause' });
      } else console.log(`replay ${i}: ${r.error}`);
    }
    await sleep(1000);
    const h1 = (await mem()).heapUsed;
    const rss1 = rssOf(pid);
    for (const [c, id] of ids) await request(c, 'replay:control', { replayId: id, action: 'stop' });
    await sleep(500);
    const h2 = (await mem()).heapUsed;
    for (const c of conns) c.disconnect();
    await sleep(1000);
    const h3 = (await mem()).heapUsed;
    const d = (x: number) => `${x >= 0 ? '+' : ''}${mb(x).toFixed(2)} MB`;
    console.log(
      `25 replays of the large run on 7 connections (${ok} started, paused after their first points): main heap ${d(h1 - h0)} ` +
        `= ${((100 * (h1 - h0)) / ready.largeBytes).toFixed(2)} % of the run's ${mb(ready.largeBytes).toFixed(1)} MB in the store, ` +
        `${((h1 - h0) / 1024 / Math.max(1, ok)).toFixed(1)} KB per session; RSS ${mb(rss1).toFixed(0)} MB. ` +
        `After stopping them: ${d(h2 - h0)}; after the 7 clients left: ${d(h3 - h0)} (vs. with the 7 connected, before the replays)`,
    );
  }

  // ---- live runs ----
  const trainer = await connect();
  const acts = ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'prelu', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'maxout'].slice(0, runs);
  const started = await request<{ runs: string[] }>(trainer, 'train:start', {
    dataset: 'spiral',
    samples: 500,
    layers: [16, 16],
    learningRate: 0.01,
    batchSize: 50,
    epochs: 1000,
    activations: acts,
    // Paced: the 10 runs stay live for the whole soak without taking the cores, and their series grow
    // slowly (a point per tag every 5 s), so the store's own growth stays small next to the clients' cost.
    summaryEvery: 25,
    maxItersPerSec: 5,
    name: 'soak',
  });
  if (!started.ok) throw new Error(`train:start: ${started.error}`);
  const liveRuns = started.data.runs;
  console.log(`training: ${liveRuns.join(', ')}`);

  // ---- RSS sampling ----
  let peak = 0;
  const rssSamples: [number, number][] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => {
    const r = rssOf(pid);
    peak = Math.max(peak, r);
    rssSamples.push([(Date.now() - t0) / 1000, r]);
  }, 1000);
  const level = async (label: string, secs: number) => {
    const from = Date.now();
    await sleep(secs * 1000);
    const win = rssSamples.filter(([t]) => t * 1000 + t0 >= from).map(([, r]) => r);
    const min = Math.min(...win);
    const med = [...win].sort((a, b) => a - b)[win.length >> 1];
    const m = await mem(); // forces a full GC in the server's main thread first
    const afterGc = rssOf(pid);
    console.log(
      `${label}: RSS min ${mb(min).toFixed(0)} MB, median ${mb(med).toFixed(0)} MB over ${secs} s; after a forced GC ${mb(afterGc).toFixed(0)} MB; ` +
        `main thread heap+buffers ${mb(m.heapUsed).toFixed(1)} MB (V8 heap committed ${mb(m.heapTotal).toFixed(0)} MB, external ${mb(m.external).toFixed(0)} MB); sockets ${m.clients}, hub clients ${m.hubClients}; live runs' kept points ${m.livePoints}; ` +
        `event-loop delay p99 ${m.loopP99.toFixed(0)} ms, max ${m.loopMax.toFixed(0)} ms`,
    );
    return { min, med, afterGc, heap: m.heapUsed, livePoints: m.livePoints };
  };

  await sleep(warmup * 1000);
  const idle = await level(`idle (after ${warmup} s of training warm-up)`, 60);

  // ---- the soak ----
  const stats = { connects: 0, replays: 0, refused: 0, refusedOther: 0, controls: 0, batches: 0, errors: 0 };
  const deadline = Date.now() + minutes * 60_000;
  const runsToReplay = [...liveRuns, 'large'];
  const pick = <T>(a: readonly T[]): T => a[Math.floor(Math.random() * a.length)];
  const loop = async (): Promise<void> => {
    while (Date.now() < deadline) {
      let c: Client | undefined;
      try {
        c = await connect();
        stats.connects++;
        c.on('delta', (_b: DeltaBatch) => {
          stats.batches++;
        });
        // The live runs (all, or one): a subscription to the large run would send its million points.
        await request(c, 'subscribe', { runs: Math.random() < 0.5 ? liveRuns : [pick(liveRuns)] });
        const until = Date.now() + 2000 + Math.random() * 10_000;
        while (Date.now() < until) {
          if (Math.random() < 0.6) {
            const run = pick(runsToReplay);
            const speed = run === 'large' ? pick([1, 2, 10] as const) : pick([1, 2, 10, 'max'] as const);
            const r = await request<ReplayState>(c, 'replay:start', { run, speed });
            if (!r.ok) {
              if (/replays already|replays at once/.test(r.error)) stats.refused++;
              else stats.refusedOther++;
            } else {
              stats.replays++;
              const id = r.data.replayId;
              for (let k = 0; k < 1 + Math.floor(Math.random() * 4); k++) {
                await sleep(200 + Math.random() * 1500);
                const action = pick(['pause', 'resume', 'speed', 'seek'] as const);
                const extra =
                  action === 'seek'
                    ? { step: Math.floor(Math.random() * (run === 'large' ? LARGE_STEPS / 10 : 2000)) }
                    : action === 'speed'
                      ? { speed: pick([1, 2, 10] as const) }
                      : {};
                await request(c, 'replay:control', { replayId: id, action, ...extra });
                stats.controls++;
              }
              // Half stop their replay; the others leave it to the disconnect.
              if (Math.random() < 0.5) await request(c, 'replay:control', { replayId: id, action: 'stop' });
            }
          }
          await sleep(300 + Math.random() * 2000);
        }
      } catch (e) {
        if (stats.errors++ < 3) console.log(`client error: ${(e as Error).message}`);
      } finally {
        c?.disconnect();
      }
      await sleep(200 + Math.random() * 1500);
    }
  };
  const soakStart = Date.now();
  const progress = setInterval(() => {
    const r = rssOf(pid);
    void mem().then((m) =>
      console.log(
        `  ${((Date.now() - soakStart) / 1000).toFixed(0)} s: RSS ${mb(r).toFixed(0)} MB (peak ${mb(peak).toFixed(0)}), main heap+buffers ${mb(m.heapUsed).toFixed(0)} MB, ` +
          `sockets ${m.clients}, connects ${stats.connects}, replays ${stats.replays} (refused at the cap ${stats.refused}), client errors ${stats.errors}, ` +
          `loop delay p99 ${m.loopP99.toFixed(0)} ms max ${m.loopMax.toFixed(0)} ms, load ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
      ),
    );
  }, 60_000);
  if (nClients === 0) await sleep(minutes * 60_000); // a control: the same phases without clients
  await Promise.all(Array.from({ length: nClients }, async (_, i) => {
    await sleep((i * 2000) / nClients); // stagger the first connections
    await loop();
  }));
  clearInterval(progress);
  const soakPeak = peak;
  console.log(
    `soak done: ${stats.connects} connections, ${stats.replays} replays started (${stats.refused} refused at the caps, ${stats.refusedOther} other refusals), ` +
      `${stats.controls} controls, ${stats.batches} delta batches received, ${stats.errors} client errors`,
  );

  // ---- all clients gone ----
  await sleep(10_000);
  const after = await level('after all clients left', 60);
  const m = await mem();
  clearInterval(sampler);
  // The level is the minimum over the window: RSS drops only after a major GC (in the main thread or one
  // of the training workers), which an idle server runs when it gets to it.
  const ratio = after.min / idle.min;
  console.log('');
  console.log(
    `RSS (minimum over 60 s) idle ${mb(idle.min).toFixed(0)} MB | peak ${mb(soakPeak).toFixed(0)} MB | after clients left ${mb(after.min).toFixed(0)} MB | ` +
      `ratio ${ratio.toFixed(3)} (${ratio <= 1.1 ? 'within' : 'NOT within'} 10 %); medians over 60 s: idle ${mb(idle.med).toFixed(0)} MB, after ${mb(after.med).toFixed(0)} MB`,
  );
  console.log(
    `after a forced GC: idle ${mb(idle.afterGc).toFixed(0)} MB, after ${mb(after.afterGc).toFixed(0)} MB (ratio ${(after.afterGc / idle.afterGc).toFixed(3)}); ` +
      `main thread heap+buffers idle ${mb(idle.heap).toFixed(1)} MB, after ${mb(after.heap).toFixed(1)} MB, while the live runs' kept points went from ${idle.livePoints} to ${after.livePoints}; ` +
      `sockets left ${m.clients - 1} (+ the trainer)`,
  );
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()} (${os.cpus().length} cores)`);

  // No session outlived its client: all MAX_REPLAYS slots of the server-wide cap are free again.
  {
    const conns: Client[] = [];
    for (let i = 0; i < 7; i++) conns.push(await connect());
    let ok = 0;
    for (let i = 0; i < MAX_REPLAYS; i++) if ((await request(conns[i % 7], 'replay:start', { run: liveRuns[0], speed: 1 })).ok) ok++;
    console.log(`replay slots free after the soak: ${ok}/${MAX_REPLAYS}`);
    for (const c of conns) c.disconnect();
  }

  trainer.disconnect();
  child.send({ type: 'exit' });
  await new Promise((r) => child.once('exit', r));
  await rm(logdir, { recursive: true, force: true });
}

if (process.argv.includes('--server')) {
  serverMain().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
