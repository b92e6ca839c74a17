// Cluster benchmark (real Redis, real processes):
//   npm run bench:cluster [-- --runs 16 --workers 1,2,4 --epochs 6 --seconds 15 --servers 2 --skip-sweep --skip-latency --skip-direct]
// 1. Sweep throughput: one `serve --redis` and N `worker`s (one run at a time each) train a sweep of
//    --runs runs started through the server's socket; runs/minute from the start to the last run's end.
// 2. Point-to-browser latency at 10 runs x 20 tags x 50 steps/s: socket.io clients measure arrival time
//    minus the point's wall time (stamped when produced).
//    - 1 server without Redis: the producer is the server's own ingest path (as the local trainer's records);
//    - 2 servers with Redis: the producer XADDs through the workers' LivePublisher (the same stream path a
//      worker's summaries take), each server reads the stream; half the clients on each server.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { wireParser } from '../shared/wire-parser.ts';
import type { DeltaBatch } from '../shared/protocol.ts';
import type { Activation } from '../shared/types.ts';
import { startRedis, startTrainscope, type Proc } from '../tests/cluster/procs.ts';

const REDIS_PORT = 7275;
const SERVER_PORT = 7175;
const nowMs = () => performance.timeOrigin + performance.now();

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

async function until<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 600_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---------------- feed process (producer; in "direct" mode also the server) ----------------
async function feedMain(): Promise<void> {
  const mode = arg('feed', 'direct');
  const runs = Number(arg('feed-runs', '10'));
  const tags = Number(arg('feed-tags', '20'));
  const rate = Number(arg('feed-rate', '50'));
  let emit: (run: string, records: import('../server/logs/records.ts').LogRecord[]) => void;
  if (mode === 'direct') {
    const { createApp } = await import('../server/app.ts');
    const { silentLogger } = await import('../server/config.ts');
    const app = await createApp({ logdir: arg('logdir', ''), port: Number(arg('port', '0')), training: false, logger: silentLogger });
    emit = app.ingest;
  } else {
    const { connectRedis } = await import('../server/cluster/redis.ts');
    const { LivePublisher } = await import('../server/cluster/live-stream.ts');
    const pub = new LivePublisher(connectRedis(arg('redis', ''), 'bench-feed', undefined, true), (m) => console.error(m));
    for (let r = 0; r < runs; r++) pub.status({ name: `bench/run${r}`, source: 'trainer', group: 'bench', status: { state: 'running' } });
    emit = (run, records) => pub.records(run, records);
  }
  if (process.send) {
    process.send('ready');
    await new Promise<void>((resolve) => process.once('message', () => resolve()));
  } // else (run by hand) start at once
  let step = 0;
  const t0 = nowMs();
  const tick = () => {
    // Catch up to the schedule (timers drift under load): one step per 1/rate s.
    const due = Math.floor(((nowMs() - t0) / 1000) * rate);
    while (step < due) {
      step++;
      const wallTime = nowMs() / 1000;
      for (let r = 0; r < runs; r++) {
        const recs = [];
        for (let t = 0; t < tags; t++) recs.push({ kind: 'scalar' as const, tag: `tag${t}`, step, wallTime, value: Math.sin(step + t) });
        emit(`bench/run${r}`, recs);
      }
    }
  };
  setInterval(tick, 1000 / rate / 2);
}

// ---------------- part 1: sweep throughput ----------------
const ACTS: Activation[] = ['relu', 'tanh', 'sigmoid', 'linear', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'leaky_relu', 'prelu', 'maxout'];

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

interface SweepResult {
  seconds: number;
  perMinute: number;
  /** CPU seconds the server and workers used during the sweep, and runs per CPU-minute. */
  cpu: number;
  perCpuMinute: number;
}

async function sweepThroughput(workers: number, runs: number, epochs: number): Promise<SweepResult> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-cluster-'));
  const logdir = path.join(tmp, 'logs');
  await mkdir(logdir);
  await mkdir(path.join(tmp, 'redis'));
  const procs: Proc[] = [];
  const redis = await startRedis(REDIS_PORT, path.join(tmp, 'redis'));
  const url = `redis://127.0.0.1:${REDIS_PORT}`;
  const { io } = await import('socket.io-client');
  let sock: ReturnType<typeof io> | undefined;
  try {
    const server = startTrainscope('server', ['serve', '--logdir', logdir, '--port', String(SERVER_PORT), '--redis', url]);
    procs.push(server);
    for (let i = 0; i < workers; i++) procs.push(startTrainscope(`w${i}`, ['worker', '--logdir', logdir, '--redis', url, '--concurrency', '1']));
    await Promise.all([server.waitFor(/serving .* at http/, 300_000), ...procs.slice(1).map((w) => w.waitFor(/training on \w+/, 300_000))]);
    const s = io(`http://127.0.0.1:${SERVER_PORT}`, { parser: wireParser, transports: ['websocket'], auth: { clientId: 'bench-bench-bench-bench' } });
    sock = s;
    const states = new Map<string, string>();
    s.on('delta', (b: DeltaBatch) => {
      for (const r of b.runs ?? []) if (r.status) states.set(r.name, r.status.state);
    });
    await until('connected', () => s.connected);
    s.emit('subscribe', { runs: [] }, () => {});
    const names: string[] = [];
    const cpu0 = procs.reduce((a, p) => a + cpuSeconds(p.child.pid), 0);
    const t0 = nowMs();
    for (let k = 0; names.length < runs; k++) {
      const acts = ACTS.slice(0, Math.min(ACTS.length, runs - names.length));
      const ack = await new Promise<{ ok: boolean; data?: { runs: string[] }; error?: string }>((resolve) =>
        s.emit(
          'train:start',
          {
            dataset: 'spiral', noise: 0.1, samples: 1000, layers: [16, 16], optimizer: 'adam', learningRate: 0.01, batchSize: 32,
            epochs, dropout: 0, batchNorm: false, seed: 1, summaryEvery: 10, activations: acts, name: `sweep${k}`,
          },
          resolve as never,
        ),
      );
      if (!ack.ok) throw new Error(`train:start: ${ack.error}`);
      names.push(...ack.data!.runs);
    }
    await until('every run ended', () => names.every((n) => ['finished', 'failed', 'stopped'].includes(states.get(n) ?? '')));
    const seconds = (nowMs() - t0) / 1000;
    const cpu = procs.reduce((a, p) => a + cpuSeconds(p.child.pid), 0) - cpu0;
    const failed = names.filter((n) => states.get(n) !== 'finished');
    if (failed.length) throw new Error(`runs did not finish: ${failed.join(', ')}`);
    return { seconds, perMinute: (runs / seconds) * 60, cpu, perCpuMinute: cpu > 0 ? (runs / cpu) * 60 : NaN };
  } finally {
    sock?.close();
    await Promise.all(procs.map((p) => p.kill()));
    await redis.kill();
    await rm(tmp, { recursive: true, force: true });
  }
}

// ---------------- part 2: latency ----------------
interface Listeners {
  sockets: { close(): void }[];
  lat: number[];
  measuring: boolean;
}

async function connectClients(urls: string[], clientsPerServer: number): Promise<Listeners> {
  const { io } = await import('socket.io-client');
  const l: Listeners = { sockets: [], lat: [], measuring: false };
  const sockets: ReturnType<typeof io>[] = [];
  for (const url of urls) {
    for (let i = 0; i < clientsPerServer; i++) {
      const s = io(url, { parser: wireParser, transports: ['websocket'], forceNew: true });
      s.on('delta', (b: DeltaBatch) => {
        if (!l.measuring) return;
        const t = nowMs();
        for (const d of b.series) if (d.kind === 'scalars') for (const w of d.wallTimes) l.lat.push(t - w * 1000);
      });
      s.on('connect', () => s.emit('subscribe', { runs: '*' }, () => {}));
      sockets.push(s);
    }
  }
  await until('clients connected', () => sockets.every((s) => s.connected), 60_000);
  l.sockets = sockets;
  return l;
}

async function latencyRun(label: string, urls: string[], feed: ChildProcess, seconds: number): Promise<string> {
  const m = await connectClients(urls, 2);
  feed.send('go');
  await new Promise((r) => setTimeout(r, 3000)); // warm-up
  m.measuring = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  m.measuring = false;
  for (const s of m.sockets) s.close();
  const sorted = Float64Array.from(m.lat).sort();
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
  const expected = 10 * 20 * 50 * seconds * m.sockets.length;
  return `${label.padEnd(26)} p50 ${q(0.5).toFixed(1).padStart(6)} ms   p99 ${q(0.99).toFixed(1).padStart(6)} ms   points ${sorted.length} of ~${expected}`;
}

function forkFeed(args: string[]): Promise<ChildProcess> {
  const child = fork(fileURLToPath(import.meta.url), ['--feed', ...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (c) => reject(new Error(`feed exited (${c})`)));
  });
}

async function latency(seconds: number, servers: number, direct: boolean): Promise<string[]> {
  const out: string[] = [];
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-cluster-lat-'));
  const procs: Proc[] = [];
  let redis: Proc | undefined;
  let feed: ChildProcess | undefined;
  try {
    // 1 server, no Redis: the server produces the points itself (the local trainer's path).
    if (direct) {
      await mkdir(path.join(tmp, 'a'));
      feed = await forkFeed(['direct', '--logdir', path.join(tmp, 'a'), '--port', String(SERVER_PORT)]);
      out.push(await latencyRun('1 server, no Redis', [`http://127.0.0.1:${SERVER_PORT}`], feed, seconds));
      feed.kill();
    }
    // 2 servers through Redis.
    await mkdir(path.join(tmp, 'b'));
    await mkdir(path.join(tmp, 'redis'));
    redis = await startRedis(REDIS_PORT, path.join(tmp, 'redis'));
    const url = `redis://127.0.0.1:${REDIS_PORT}`;
    const ports = Array.from({ length: servers }, (_, i) => SERVER_PORT + 1 + i);
    for (const port of ports) {
      procs.push(startTrainscope(`s${port}`, ['serve', '--logdir', path.join(tmp, 'b'), '--port', String(port), '--redis', url, '--no-training']));
    }
    await Promise.all(procs.map((p) => p.waitFor(/serving .* at http/, 300_000)));
    feed = await forkFeed(['redis', '--redis', url]);
    out.push(await latencyRun(`${servers} server(s) through Redis`, ports.map((p) => `http://127.0.0.1:${p}`), feed, seconds));
  } finally {
    feed?.kill();
    await Promise.all(procs.map((p) => p.kill()));
    await redis?.kill();
    await rm(tmp, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '16'));
  const workers = arg('workers', '1,2,4').split(',').map(Number);
  const epochs = Number(arg('epochs', '6'));
  const seconds = Number(arg('seconds', '15'));
  console.log(`cores: ${os.availableParallelism()}, load average: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (!flag('skip-sweep')) {
    console.log(`\n${runs}-run sweep (spiral, 1000 samples, [16,16], ${epochs} epochs, batch 32), one server, N workers x 1 run:`);
    let base = 0;
    for (const n of workers) {
      const r = await sweepThroughput(n, runs, epochs);
      base ||= r.perMinute;
      console.log(
        `  ${n} worker(s): ${r.seconds.toFixed(1)} s, ${r.perMinute.toFixed(1)} runs/min (${(r.perMinute / base).toFixed(2)}x); ` +
          `${r.cpu.toFixed(1)} CPU-s (${(r.cpu / r.seconds).toFixed(2)} cores on average), ${r.perCpuMinute.toFixed(1)} runs per CPU-minute; load ${os.loadavg()[0].toFixed(1)}`,
      );
    }
  }
  if (!flag('skip-latency')) {
    console.log(`\npoint-to-client latency, 10 runs x 20 tags x 50 steps/s (10,000 points/s), 2 clients per server, ${seconds} s:`);
    for (const line of await latency(seconds, Number(arg('servers', '2')), !flag('skip-direct'))) console.log(`  ${line}`);
  }
  process.exit(0);
}

if (process.argv.includes('--feed')) void feedMain();
else
  void main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
