// The cluster end to end, with real processes: Redis, two dashboard servers (A, B) and two workers. A
// 4-run sweep started through A is trained by both workers; a client on B (through a TCP front that
// prefers B) receives every point live; one worker is SIGKILLed mid-run, Redis is restarted mid-sweep and
// B is killed (the client moves to A and resumes with `have`). At the end the client holds exactly what is
// on disk: no gap, no duplicate.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { wireParser } from '../../shared/wire-parser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServer, DeltaBatch, ServerToClient } from '../../shared/protocol.ts';
import type { RunInfo } from '../../shared/types.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { REDIS_SERVER, roundRobin, startRedis, startTrainscope, type Proc } from './procs.ts';

const REDIS_PORT = 7270;
const PORT_A = 7171;
const PORT_B = 7172;
const FRONT = 7173;
const REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}`;
const LOCK_MS = 5000;

type Client = Socket<ServerToClient, ClientToServer>;

/** What a dashboard keeps: per run and tag the steps received, and the problems seen on the way. */
class Received {
  steps = new Map<string, Map<string, number[]>>();
  problems: string[] = [];
  runs = new Map<string, RunInfo>();
  take(b: DeltaBatch): void {
    for (const r of b.runs ?? []) this.runs.set(r.name, r);
    for (const d of b.series) {
      if (d.kind === 'images') continue;
      if (d.reset) this.problems.push(`reset of ${d.run}/${d.tag}`);
      const got = d.kind === 'scalars' ? d.steps : d.points.map((p) => p[1] as number);
      let byTag = this.steps.get(d.run);
      if (!byTag) this.steps.set(d.run, (byTag = new Map()));
      const key = `${d.kind}:${d.tag}`;
      const list = byTag.get(key) ?? [];
      for (const s of got) {
        if (list.length > 0 && s <= list[list.length - 1]) this.problems.push(`${d.run} ${key}: step ${s} after ${list[list.length - 1]}`);
        list.push(s);
      }
      byTag.set(key, list);
    }
  }
  /** The zero-gap resume request: per run, per tag, the last step held. */
  have(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [run, byTag] of this.steps) {
      out[run] = {};
      for (const [key, list] of byTag) if (list.length) out[run][key.slice(key.indexOf(':') + 1)] = list[list.length - 1];
    }
    return out;
  }
}

function connect(url: string, clientId: string, rec: Received, servers: string[]): Client {
  const c: Client = io(url, { parser: wireParser, transports: ['websocket'], auth: { clientId }, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
  c.on('delta', (b) => rec.take(b));
  c.on('hello', (h) => servers.push(h.version));
  c.on('connect', () => c.emit('subscribe', { runs: '*', have: rec.have() }, () => {}));
  return c;
}

async function until<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function diskSteps(dir: string): Promise<{ steps: Map<string, number[]>; truncated: boolean; warnings: string[] }> {
  const steps = new Map<string, number[]>();
  let truncated = false;
  const warnings: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.includes('tfevents')).sort()) {
    const r = await readEventFile(path.join(dir, f));
    truncated ||= r.truncatedAt !== null;
    warnings.push(...r.warnings);
    for (const rec of r.records) {
      if (rec.kind !== 'scalar' && rec.kind !== 'histogram') continue;
      const key = `${rec.kind === 'scalar' ? 'scalars' : 'histograms'}:${rec.tag}`;
      steps.set(key, [...(steps.get(key) ?? []), rec.step]);
    }
  }
  return { steps, truncated, warnings };
}

describe.runIf(existsSync(REDIS_SERVER))('cluster over Redis (2 servers, 2 workers)', () => {
  let tmp: string;
  let logdir: string;
  let redisDir: string;
  let redis: Proc;
  const procs: Proc[] = [];
  let front: net.Server;
  const clients: Client[] = [];
  const rec = new Received();
  let viewer: Client;
  let starter: Client;
  let workerArgs: string[];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ts-cluster-'));
    logdir = path.join(tmp, 'logs');
    redisDir = path.join(tmp, 'redis');
    await mkdir(logdir);
    await mkdir(redisDir);
    redis = await startRedis(REDIS_PORT, redisDir);
    const serve = (port: number) => ['serve', '--logdir', logdir, '--port', String(port), '--redis', REDIS_URL, '--reload_interval', '0.5'];
    const worker = (workerArgs = ['worker', '--logdir', logdir, '--redis', REDIS_URL, '--concurrency', '1', '--backend', 'wasm', '--lock-ms', String(LOCK_MS)]);
    procs.push(startTrainscope('A', serve(PORT_A)), startTrainscope('B', serve(PORT_B)), startTrainscope('W1', worker), startTrainscope('W2', worker));
    await Promise.all([
      procs[0].waitFor(/serving .* at http/),
      procs[1].waitFor(/serving .* at http/),
      procs[2].waitFor(/training on \w+/),
      procs[3].waitFor(/training on \w+/),
    ]);
    front = await roundRobin(FRONT, [PORT_B, PORT_A], true);
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    front?.close();
    await Promise.all(procs.map((p) => p.kill()));
    await redis?.kill();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }, 60_000);

  it('splits a sweep over both workers, streams every point to another server, survives a killed worker, a Redis restart and a killed server', async () => {
    const [, B, W1, W2] = procs;
    const hellos: string[] = [];
    viewer = connect(`http://127.0.0.1:${FRONT}`, 'viewer-viewer-viewer-01', rec, hellos);
    clients.push(viewer);
    await until('the viewer on B', () => viewer.connected);

    starter = io(`http://127.0.0.1:${PORT_A}`, { parser: wireParser, transports: ['websocket'], auth: { clientId: 'starter-starter-starter-1' } });
    clients.push(starter);
    const ack = await new Promise<{ ok: boolean; data?: { runs: string[] }; error?: string }>((resolve) =>
      starter.emit(
        'train:start',
        {
          dataset: 'spiral', noise: 0.1, samples: 200, layers: [8], optimizer: 'adam', learningRate: 0.01, batchSize: 16,
          epochs: 30, dropout: 0, batchNorm: false, seed: 1, summaryEvery: 5, maxItersPerSec: 30, retry: false,
          activations: ['relu', 'tanh', 'sigmoid', 'linear'], name: 'sweep',
        },
        resolve as never,
      ),
    );
    expect(ack.ok, ack.error).toBe(true);
    const runs = ack.data!.runs;
    expect(runs).toHaveLength(4);

    // Stops go by ownership across servers: the viewer (on B) may not stop the starter's run; the starter may.
    const stopped = runs[3];
    await until(`${stopped} queued on B`, () => rec.runs.get(stopped)?.status?.state === 'queued');
    const refused = await new Promise<{ ok: boolean; error?: string }>((resolve) => viewer.emit('train:stop', { run: stopped }, resolve as never));
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/another client/);
    const allowed = await new Promise<{ ok: boolean; error?: string }>((resolve) => starter.emit('train:stop', { run: stopped }, resolve as never));
    expect(allowed.ok, allowed.error).toBe(true);

    // Both workers take a run; kill the second one's mid-run (SIGKILL: no chance to close its log).
    const line2 = await W2.waitFor(/run "[^"]+" started/);
    await W1.waitFor(/run "[^"]+" started/);
    const killedRun = /run "([^"]+)" started/.exec(line2)![1];
    await until(`progress of ${killedRun} on B`, () => (rec.runs.get(killedRun)?.status?.progress?.iteration ?? 0) >= 40);
    W2.child.kill('SIGKILL');
    await W2.exited;

    // Redis restarts mid-sweep (the append-only file keeps the queue and the streams).
    const active = runs.filter((r) => ['queued', 'running'].includes(rec.runs.get(r)?.status?.state ?? ''));
    expect(active.length, 'runs still training when Redis restarts').toBeGreaterThan(1);
    await redis.kill('SIGTERM');
    redis = await startRedis(REDIS_PORT, redisDir);

    const failed = await until(`${killedRun} marked failed`, () => {
      const s = rec.runs.get(killedRun)?.status;
      return s?.state === 'failed' ? s : null;
    }, 60_000);
    expect(failed.error).toMatch(/stopped answering|died/);
    // A third worker for the next test starts now, while this sweep goes on (it may take a run of it too).
    procs.push(startTrainscope('W3', workerArgs));

    // B dies: the viewer reconnects through the front, lands on A and resumes from what it has.
    await until('more points after the Redis restart', () => [...rec.steps.values()].some((m) => m.size > 0));
    const helloCount = hellos.length;
    await B.kill('SIGKILL');
    await until('the viewer reconnected (to A)', () => hellos.length > helloCount && viewer.connected, 60_000);

    // Every run ends: two finished on W1, the killed one failed, the stopped one never trained.
    const trained = runs.filter((r) => r !== stopped);
    await until('every run ended', () => trained.every((r) => ['finished', 'failed'].includes(rec.runs.get(r)?.status?.state ?? '')), 120_000);
    for (const r of trained) if (r !== killedRun) expect(rec.runs.get(r)?.status?.state, r).toBe('finished');
    expect(rec.runs.get(stopped)?.status?.state).toBe('stopped');
    expect(existsSync(path.join(logdir, stopped))).toBe(false);
    expect(W1.output()).toMatch(/run "[^"]+" finished/);
    expect(runs.filter((r) => W1.output().includes(`run "${r}" started`)).length, 'runs W1 trained').toBeGreaterThan(0);
    expect(W2.output()).toContain(`run "${killedRun}" started`);

    // The viewer holds exactly what is on disk (the killed run: at least what reached it, in order).
    for (const r of trained) {
      const disk = await diskSteps(path.join(logdir, r));
      await until(`${r}: every point on disk reached the viewer`, () => {
        for (const [key, steps] of disk.steps) {
          const got = rec.steps.get(r)?.get(key) ?? [];
          if (got.length < steps.length) return false;
        }
        return true;
      }, 30_000);
      expect(disk.warnings, r).toEqual([]);
      for (const [key, steps] of disk.steps) {
        const got = rec.steps.get(r)!.get(key)!;
        if (r === killedRun) expect(got.slice(0, steps.length), `${r} ${key}`).toEqual(steps);
        else expect(got, `${r} ${key}`).toEqual(steps);
      }
      if (r !== killedRun) expect(disk.truncated, r).toBe(false);
      expect(disk.steps.size, r).toBeGreaterThan(2);
    }
    // The killed run's log: every record up to the last whole one reads back (a cut-short tail at most).
    const killedDisk = await diskSteps(path.join(logdir, killedRun));
    expect(Math.max(...[...killedDisk.steps.values()].flat())).toBeGreaterThanOrEqual(30);
    expect(rec.problems).toEqual([]);
  }, 300_000);

  it('trains a run once more on another worker when its worker dies and the user asked for a retry', async () => {
    const [W1, W3] = [procs[2], procs[4]];
    await W3.waitFor(/training on \w+/);
    const ack = await new Promise<{ ok: boolean; error?: string }>((resolve) =>
      starter.emit(
        'train:start',
        {
          dataset: 'spiral', noise: 0.1, samples: 200, layers: [8], optimizer: 'adam', learningRate: 0.01, batchSize: 16,
          epochs: 20, dropout: 0, batchNorm: false, seed: 1, summaryEvery: 5, maxItersPerSec: 30, retry: true,
          activations: ['relu'], name: 'again',
        },
        resolve as never,
      ),
    );
    expect(ack.ok, ack.error).toBe(true);
    const started = /run "again" started/;
    await Promise.race([W1.waitFor(started), W3.waitFor(started)]);
    const [taker, other] = started.test(W1.output()) ? [W1, W3] : [W3, W1];
    await until('progress of "again"', () => (rec.runs.get('again')?.status?.progress?.iteration ?? 0) >= 30);
    taker.child.kill('SIGKILL');
    await taker.exited;
    await until('"again" marked failed', () => rec.runs.get('again')?.status?.state === 'failed', 60_000);
    await until('"again-2" finished', () => rec.runs.get('again-2')?.status?.state === 'finished', 120_000);
    expect(other.output()).toContain('run "again-2" started');
    expect(rec.runs.get('again-2')?.startedBy).toBe(rec.runs.get('again')?.startedBy);
    const disk = await diskSteps(path.join(logdir, 'again-2'));
    await until('every point of "again-2" on the viewer', () => [...disk.steps].every(([k, st]) => (rec.steps.get('again-2')?.get(k)?.length ?? 0) >= st.length), 30_000);
    for (const [key, steps] of disk.steps) expect(rec.steps.get('again-2')!.get(key), key).toEqual(steps);
    expect(rec.problems).toEqual([]);
  }, 240_000);
});
