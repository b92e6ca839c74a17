import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo, RunState, TrainSpec } from '../../shared/types.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { TrainingManager } from '../../server/training/manager.ts';
import { workerExecArgv } from '../../server/training/worker-spawn.ts';
import { isRootName, parentGroup, pickFreeNames, specHparams, validateRunName } from '../../server/training/run-meta.ts';
import { RunQueue } from '../../server/training/run-queue.ts';
import { hparamsFor } from '../../server/training/trainer.ts';

const SPEC: TrainSpec = {
  dataset: 'spiral',
  noise: 0.1,
  samples: 128,
  activation: 'relu',
  layers: [8],
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: 32,
  epochs: 2,
  dropout: 0,
  batchNorm: false,
  seed: 1,
  summaryEvery: 2,
};
const { activation: _a, ...SWEEP_SPEC } = SPEC;
/** Long enough to still be running when stopped. */
const LONG: TrainSpec = { ...SPEC, epochs: 1000 };

let logdir: string;
beforeAll(async () => {
  logdir = await mkdtemp(path.join(os.tmpdir(), 'trainscope-manager-'));
});
afterAll(async () => {
  await rm(logdir, { recursive: true, force: true });
});

/** Collects a manager's events per run. */
function observe(m: TrainingManager) {
  const records = new Map<string, LogRecord[]>();
  const statuses = new Map<string, RunInfo[]>();
  const files = new Map<string, string>();
  const timeline: { run: string; state: RunState; at: number }[] = [];
  m.on('records', (run, rs) => records.set(run, [...(records.get(run) ?? []), ...rs]));
  m.on('status', (info) => {
    statuses.set(info.name, [...(statuses.get(info.name) ?? []), info]);
    const last = timeline.findLast((t) => t.run === info.name);
    if (!last || last.state !== info.status!.state) timeline.push({ run: info.name, state: info.status!.state, at: performance.now() });
  });
  m.on('file', (run, p) => files.set(run, p));
  return { records, statuses, files, timeline };
}

function finalState(m: TrainingManager, run: string): RunState | undefined {
  return m.list().find((r) => r.name === run)?.status?.state;
}

const scalarSteps = (rs: LogRecord[], tag: string) => rs.filter((r) => r.kind === 'scalar' && r.tag === tag).map((r) => r.step);

async function waitUntil(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('run names, queue, worker flags (pure)', () => {
  it('accepts safe relative names and rejects escapes', () => {
    expect(validateRunName('sweep/relu')).toBe('sweep/relu');
    expect(validateRunName('./a//b/')).toBe('a/b');
    for (const bad of ['', '..', '../x', 'a/../b', '/abs', 'C:/x', 'a\\b', '.hidden', '-x', 'a b', '.', 'a/.git']) {
      expect(() => validateRunName(bad), bad).toThrow(/run name/);
    }
    expect(isRootName('.')).toBe(true);
    expect(isRootName('x')).toBe(false);
    expect(parentGroup('a/b/c')).toBe('a/b');
    expect(parentGroup('c')).toBe('.');
  });

  it('picks one shared suffix for all names of a sweep', () => {
    const taken = new Set(['s/relu', 's-2/tanh']);
    expect(pickFreeNames((sfx) => [`s${sfx}/relu`, `s${sfx}/tanh`], (n) => taken.has(n))).toEqual(['s-3/relu', 's-3/tanh']);
    expect(pickFreeNames((sfx) => [`x${sfx}`], (n) => taken.has(n))).toEqual(['x']);
  });

  it('flattens a spec into hparams with the backend', () => {
    expect(specHparams(SPEC, 'wasm')).toMatchObject({ activation: 'relu', layers: '8', learning_rate: 0.01, batch_norm: false, backend: 'wasm' });
    expect(specHparams(SPEC, null)).not.toHaveProperty('backend');
    // Live RunInfo.hparams and what the trainer writes to disk must agree.
    expect(specHparams({ ...SPEC, batchNorm: true, dropout: 0.2 }, 'cpu')).toEqual(hparamsFor({ ...SPEC, batchNorm: true, dropout: 0.2 }, 'cpu'));
  });

  it('bounds the queue with a readable error and removes by name', () => {
    const q = new RunQueue(2);
    q.push('a');
    q.push('b');
    expect(() => q.push('c')).toThrow(/queue is full/);
    expect(q.remove('a')).toBe(true);
    expect(q.remove('a')).toBe(false);
    expect(q.shift()).toBe('b');
    expect(q.size).toBe(0);
  });

  it('drops vitest/tsx/inspector flags from worker execArgv and adds the tsx preload', () => {
    const argv = workerExecArgv(['--conditions', 'development', '-C', 'svelte', '--import', 'tsx', '--inspect=9229', '--require', '/x.cjs', '--no-warnings'], 'data:pre');
    expect(argv).toEqual(['--require', '/x.cjs', '--no-warnings', '--import', 'data:pre']);
  });
});

describe('TrainingManager (worker threads, wasm)', () => {
  it('resolves the backend in a probe worker', async () => {
    const m = new TrainingManager({ logdir, backend: 'wasm' });
    expect(m.backend).toBeNull();
    expect(await m.init()).toBe('wasm');
    expect(m.backend).toBe('wasm');
    await m.close();
  });

  it('trains a sweep: one run per activation, logs on disk, records and status in-process', async () => {
    const m = new TrainingManager({ logdir, maxRuns: 2, backend: 'wasm' });
    const ev = observe(m);
    const runs = m.startSweep('sweep', SWEEP_SPEC, ['relu', 'tanh']);
    expect(runs.map((r) => r.name)).toEqual(['sweep/relu', 'sweep/tanh']);
    expect(runs.every((r) => r.source === 'trainer' && r.group === 'sweep')).toBe(true);
    await Promise.all(runs.map((r) => m.waitFor(r.name)));

    for (const { name } of runs) {
      expect(finalState(m, name), m.list().find((r) => r.name === name)?.status?.error).toBe('finished');
      expect(existsSync(path.join(logdir, name))).toBe(true);
      const file = ev.files.get(name)!;
      expect(path.dirname(file)).toBe(path.join(logdir, name));
      const disk = await readEventFile(file);
      const live = ev.records.get(name)!;
      // 2 epochs x 4 iterations of 32 samples (128 samples; the trainer may hold some out for validation).
      const diskLoss = scalarSteps(disk.records, 'train/loss');
      expect(diskLoss.length).toBeGreaterThan(0);
      expect(scalarSteps(live, 'train/loss')).toEqual(diskLoss);
      expect(live.some((r) => r.kind === 'histogram')).toBe(true);
      expect(disk.records.some((r) => r.kind === 'graph')).toBe(true);
      const st = ev.statuses.get(name)!;
      expect(st.map((s) => s.status!.state)).toContain('running');
      expect(st.some((s) => s.status!.progress && s.status!.progress.iteration > 0)).toBe(true);
      const info = m.list().find((r) => r.name === name)!;
      expect(info.hparams).toMatchObject({ activation: name.split('/')[1], backend: 'wasm', seed: 1 });
      expect(info.status!.backend).toBe('wasm');
      expect(m.result(name)!.iterations).toBe(info.status!.progress!.iteration);
    }
    expect(m.backend).toBe('wasm');

    // The same sweep name again gets a suffix on the sweep folder.
    const again = m.startSweep('sweep', SWEEP_SPEC, ['relu']);
    expect(again[0].name).toBe('sweep-2/relu');
    expect(() => m.startRun('../escape', SPEC)).toThrow(/\.\./);
    await m.close();
    expect(['stopped', 'finished']).toContain(finalState(m, 'sweep-2/relu'));
    expect(() => m.startRun('late', SPEC)).toThrow(/closed/);
  });

  it('stops a running run cleanly: status stopped, log readable, session ended (aborted)', async () => {
    const m = new TrainingManager({ logdir, maxRuns: 1, backend: 'wasm' });
    const ev = observe(m);
    const [run] = [m.startRun('stop-me', LONG)];
    await waitUntil(() => (ev.statuses.get(run.name) ?? []).some((s) => (s.status!.progress?.iteration ?? 0) > 3));
    expect(m.stop(run.name)).toBe(true);
    await m.waitFor(run.name);
    expect(finalState(m, run.name)).toBe('stopped');
    const res = m.result(run.name)!;
    expect(res.iterations).toBeLessThan(LONG.epochs * 4);
    const disk = await readEventFile(ev.files.get(run.name)!);
    expect(disk.truncatedAt).toBeNull();
    expect(scalarSteps(disk.records, 'train/loss').length).toBeGreaterThan(3);
    const end = disk.records.find((r) => r.kind === 'hparams' && r.part === 'session_end');
    // TensorBoard's hparams Status has no "aborted": a stopped session ends STATUS_UNKNOWN, live and on disk.
    expect(end && end.kind === 'hparams' && end.status).toBe('STATUS_UNKNOWN');
    const liveEnd = ev.records.get(run.name)!.find((r) => r.kind === 'hparams' && r.part === 'session_end');
    expect(liveEnd && liveEnd.kind === 'hparams' && liveEnd.status).toBe('STATUS_UNKNOWN');
    expect(m.stop(run.name)).toBe(false);
    await m.close();
  });

  it('reports a crashing run as failed (with its name) and keeps working', async () => {
    const m = new TrainingManager({ logdir, maxRuns: 2, backend: 'wasm', faultInjection: { 'bad/throw': 'throw', 'bad/exit': 'exit' } });
    const thrown = m.startRun('bad/throw', SPEC);
    const exited = m.startRun('bad/exit', SPEC);
    await Promise.all([m.waitFor(thrown.name), m.waitFor(exited.name)]);
    const info = (n: string) => m.list().find((r) => r.name === n)!.status!;
    expect(info('bad/throw').state).toBe('failed');
    expect(info('bad/throw').error).toMatch(/run "bad\/throw".*injected fault/);
    expect(info('bad/exit').state).toBe('failed');
    expect(info('bad/exit').error).toMatch(/run "bad\/exit".*exit code 3/);
    const ok = m.startRun('after-crash', SPEC);
    await m.waitFor(ok.name);
    expect(finalState(m, ok.name)).toBe('finished');
    await m.close();
  });

  it('terminates a run that ignores stop after stopTimeoutMs', async () => {
    const m = new TrainingManager({ logdir, maxRuns: 1, backend: 'wasm', stopTimeoutMs: 300, faultInjection: { stubborn: 'hang-on-stop' } });
    const ev = observe(m);
    const run = m.startRun('stubborn', LONG);
    await waitUntil(() => (ev.statuses.get(run.name) ?? []).some((s) => (s.status!.progress?.iteration ?? 0) > 0));
    m.stop(run.name);
    await m.waitFor(run.name);
    const st = m.list()[0].status!;
    expect(st.state).toBe('stopped');
    expect(st.error).toMatch(/did not stop within 300 ms/);
    await m.close();
  });

  it('reuses warm workers: the probe worker takes the first run, an ended run hands its worker to the next', async () => {
    const m = new TrainingManager({ logdir, maxRuns: 1, backend: 'wasm' });
    const ev = observe(m);
    await m.init();
    expect(m.workersStarted).toBe(1);
    const runs = [m.startRun('warm/a', LONG), m.startRun('warm/b', SPEC), m.startRun('warm/c', SPEC)];
    // Stop the first while the others wait: its (late) stop must not reach the run that inherits the worker.
    await waitUntil(() => (ev.statuses.get('warm/a') ?? []).some((s) => (s.status!.progress?.iteration ?? 0) > 3));
    m.stop('warm/a');
    await Promise.all(runs.map((r) => m.waitFor(r.name)));
    expect(finalState(m, 'warm/a')).toBe('stopped');
    for (const name of ['warm/b', 'warm/c']) {
      expect(finalState(m, name), m.list().find((r) => r.name === name)?.status?.error).toBe('finished');
      // Each run's records are its own, from step 1 (nothing carried over from the previous job).
      const live = ev.records.get(name)!;
      expect(scalarSteps(live, 'train/loss')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(live.filter((r) => r.kind === 'hparams' && r.part === 'session_end')).toHaveLength(1);
      const disk = await readEventFile(ev.files.get(name)!);
      expect(scalarSteps(disk.records, 'train/loss')).toEqual(scalarSteps(live, 'train/loss'));
      expect(path.dirname(ev.files.get(name)!)).toBe(path.join(logdir, name));
    }
    expect(m.workersStarted).toBe(1);
    await m.close();
  });

  it('never hands a failed run\'s worker on', async () => {
    const m = new TrainingManager({ logdir, maxRuns: 1, backend: 'wasm', faultInjection: { 'reuse-bad': 'throw' } });
    const bad = m.startRun('reuse-bad', SPEC);
    const next = m.startRun('reuse-next', SPEC);
    await Promise.all([m.waitFor(bad.name), m.waitFor(next.name)]);
    expect(finalState(m, bad.name)).toBe('failed');
    expect(finalState(m, next.name)).toBe('finished');
    expect(m.workersStarted).toBe(2);
    await m.close();
  });

  it('queues beyond maxRuns, bounds the queue, and removes stopped queued runs', async () => {
    await mkdir(path.join(logdir, 'q-existing'), { recursive: true });
    const m = new TrainingManager({ logdir, maxRuns: 1, maxQueue: 2, backend: 'wasm' });
    const ev = observe(m);
    const a = m.startRun('q-existing', SPEC); // exists on disk -> suffixed
    expect(a.name).toBe('q-existing-2');
    expect(a.status!.state).toBe('running');
    const b = m.startRun('q-b', SPEC);
    const c = m.startRun('q-c', SPEC);
    expect(b.status!.state).toBe('queued');
    expect(c.status!.state).toBe('queued');
    expect(() => m.startRun('q-d', SPEC)).toThrow(/queue is full/);
    expect(() => m.startSweep('q-sweep', SWEEP_SPEC, ['relu', 'tanh'])).toThrow(/queue is full/);
    expect(m.stop(c.name)).toBe(true);
    expect(finalState(m, c.name)).toBe('stopped');
    await Promise.all([m.waitFor(a.name), m.waitFor(b.name)]);
    expect(finalState(m, a.name)).toBe('finished');
    expect(finalState(m, b.name)).toBe('finished');
    const aEnd = ev.timeline.find((t) => t.run === a.name && t.state === 'finished')!.at;
    const bStart = ev.timeline.find((t) => t.run === b.name && t.state === 'running')!.at;
    expect(bStart).toBeGreaterThanOrEqual(aEnd);
    expect(ev.timeline.some((t) => t.run === c.name && t.state === 'running')).toBe(false);
    expect(ev.files.has(c.name)).toBe(false);
    await m.close();
  });
});
