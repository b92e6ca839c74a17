// Disk budgets and run folders with real training runs: the log-size estimate against measured files,
// refusals at start, a run stopped (and its log readable) when its file or the logdir reaches its budget,
// and sweeps that would write through a symlink out of the logdir.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainSpec } from '../../shared/types.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { DiskBudget, defaultLogdirBudget, measureDirBytes } from '../../server/training/disk-budget.ts';
import { estimateLogBytes, formatBytes, parseByteSize } from '../../server/training/log-estimate.ts';
import { TrainingManager } from '../../server/training/manager.ts';
import { serveConfig, type ServeOptions } from '../../server/cli/serve.ts';
import { resolveConfig } from '../../server/config.ts';

const SPEC: TrainSpec = {
  dataset: 'spiral',
  noise: 0.1,
  samples: 400,
  activation: 'relu',
  layers: [16, 16],
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: 16,
  epochs: 4,
  dropout: 0,
  batchNorm: false,
  seed: 1,
  summaryEvery: 5,
};

let logdir: string;
let outside: string;
beforeAll(async () => {
  logdir = await mkdtemp(path.join(os.tmpdir(), 'trainscope-disk-'));
  outside = await mkdtemp(path.join(os.tmpdir(), 'trainscope-outside-'));
});
afterAll(async () => {
  await rm(logdir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

function endOf(m: TrainingManager, run: string) {
  return m.list().find((r) => r.name === run)?.status;
}

describe('log size estimate (pure)', () => {
  it('sizes, units and the issue\'s 39 GB/hour sweep', () => {
    expect(parseByteSize('2GB')).toBe(2e9);
    expect(parseByteSize('500 mb')).toBe(5e8);
    expect(parseByteSize('1.5g')).toBe(1.5e9);
    expect(parseByteSize('123')).toBe(123);
    expect(parseByteSize('unlimited')).toBe(Infinity);
    expect(() => parseByteSize('lots')).toThrow(/not a size/);
    expect(formatBytes(2e9)).toBe('2.0 GB');
    expect(formatBytes(999)).toBe('999 B');
    // Summary every step, batch 1, 60k samples, 1,000 epochs: 48M iterations, hundreds of GB.
    const e = estimateLogBytes({ ...SPEC, samples: 60_000, batchSize: 1, epochs: 1000, summaryEvery: 1 });
    expect(e.iterations).toBe(48_000_000);
    expect(e.bytes).toBeGreaterThan(100e9);
    // ~15 KB an iteration: at the ~700 iterations/s such a net trains, the 10.9 MB/s the issue measured.
    expect(e.bytes / e.iterations).toBeGreaterThan(7_000);
    expect(e.bytes / e.iterations).toBeLessThan(30_000);
  });

  it('serve flags: --max-run-bytes and --max-logdir-bytes (defaults: 2 GB a run, decided at start for the logdir)', () => {
    const o: ServeOptions = { logdir: 'logs', port: '6006', host: '127.0.0.1', reload_interval: '1', backend: 'auto' };
    expect(serveConfig({ ...o, maxRunBytes: '500MB', maxLogdirBytes: 'unlimited' })).toMatchObject({ maxRunBytes: 5e8, maxLogdirBytes: Infinity });
    expect(() => serveConfig({ ...o, maxRunBytes: 'huge' })).toThrow(/--max-run-bytes: not a size/);
    expect(() => serveConfig({ ...o, maxLogdirBytes: '0' })).toThrow(/--max-logdir-bytes: must be more than 0/);
    expect(resolveConfig({ logdir: 'x' })).toMatchObject({ maxRunBytes: 2e9, maxLogdirBytes: undefined });
  });

  it('the logdir budget: measured size, default, admission with reservations', async () => {
    expect(defaultLogdirBudget(1000, 10_000)).toBe(6000);
    const b = new DiskBudget({ maxRunBytes: 1000, maxLogdirBytes: 5000 }, 1000);
    expect(() => b.admit([{ name: 'big', estimate: 1001, what: 'x' }])).toThrow(/run "big": its log is estimated at 1.0 KB \(x\), over the per-run disk budget of 1.0 KB/);
    b.admit([{ name: 'a', estimate: 1000, what: '' }]);
    b.track('a', 1000);
    b.track('b', 1000);
    b.track('c', 1000);
    // 1000 on disk + 3000 expected: 1000 left.
    expect(() => b.admit([{ name: 'd', estimate: 900, what: '' }, { name: 'e', estimate: 200, what: '' }])).toThrow(/budget of 5.0 KB has 1.0 KB left \(1.0 KB on disk, 3.0 KB expected from active runs\).*estimated at 1.1 KB/);
    await mkdir(path.join(logdir, 'sized', 'sub'), { recursive: true });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(logdir, 'sized', 'a'), Buffer.alloc(300));
    await writeFile(path.join(logdir, 'sized', 'sub', 'b'), Buffer.alloc(700));
    await symlink('/etc', path.join(logdir, 'sized', 'link')); // not followed
    expect(await measureDirBytes(path.join(logdir, 'sized'))).toBe(1000);
  });
});

describe('disk budgets with real runs (worker threads, wasm)', () => {
  it('the estimate is within a factor of 2 of what real runs write', { timeout: 120_000 }, async () => {
    const m = new TrainingManager({ logdir, maxRuns: 2, backend: 'wasm' });
    const files = new Map<string, string>();
    m.on('file', (r, p) => files.set(r, p));
    const specs: [string, TrainSpec][] = [
      ['est/spiral', SPEC],
      ['est/every-step', { ...SPEC, activation: 'tanh', batchSize: 4, epochs: 1, summaryEvery: 1, layers: [32] }],
      ['est/mnist', { ...SPEC, dataset: 'mnist', samples: 400, layers: [32], batchSize: 32, epochs: 2, summaryEvery: 2 }],
    ];
    for (const [n, s] of specs) m.startRun(n, s);
    await Promise.all(specs.map(([n]) => m.waitFor(n)));
    for (const [n, s] of specs) {
      expect(endOf(m, n)?.state, endOf(m, n)?.error).toBe('finished');
      // The event file, plus the projector's files beside it (MNIST runs: projector-writer.ts).
      const dir = path.dirname(files.get(n)!);
      const projector = ['projector_config.pbtxt', ...(existsSync(path.join(dir, 'projector')) ? readdirSync(path.join(dir, 'projector')).map((f) => `projector/${f}`) : [])];
      const real = statSync(files.get(n)!).size + projector.filter((f) => existsSync(path.join(dir, f))).reduce((s, f) => s + statSync(path.join(dir, f)).size, 0);
      if (s.dataset === 'mnist') expect(estimateLogBytes(s).projectorBytes).toBeGreaterThan(0);
      const ratio = estimateLogBytes(s).bytes / real;
      expect(ratio, `${n}: estimate ${estimateLogBytes(s).bytes} B, written ${real} B`).toBeGreaterThan(0.5);
      expect(ratio, `${n}: estimate ${estimateLogBytes(s).bytes} B, written ${real} B`).toBeLessThan(2);
    }
    await m.close();
  });

  it('refuses at start a spec estimated over the per-run budget, naming estimate and budget', async () => {
    const m = new TrainingManager({ logdir, maxRunBytes: 100_000, backend: 'wasm' });
    expect(() => m.startRun('too-big', { ...SPEC, epochs: 100 })).toThrow(/run "too-big": its log is estimated at [\d.]+ MB \(2000 iterations.*over the per-run disk budget of 100.0 KB/);
    expect(m.list()).toEqual([]);
    await m.close();
    // The logdir's budget, with what it holds: 100 KB left, a sweep of two ~0.3 MB runs does not fit.
    const full = new TrainingManager({ logdir, maxLogdirBytes: 1_000_000, backend: 'wasm' });
    full.setLogdirBaseline(900_000);
    expect(() => full.startSweep('no-room', SPEC, ['relu', 'tanh'])).toThrow(/logdir's disk budget of 1.0 MB has 100.0 KB left \(900.0 KB on disk.*estimated at [\d.]+ KB/);
    expect(full.list()).toEqual([]);
    await full.close();
  });

  it('stops a run whose file reaches its budget, says why, and leaves a readable log', { timeout: 120_000 }, async () => {
    // The estimate says 1 KB (wrong on purpose): the runtime check must catch the run.
    const m = new TrainingManager({ logdir, maxRunBytes: 150_000, backend: 'wasm', estimateBytes: () => 1000, diskCheckMs: 50 });
    const files = new Map<string, string>();
    m.on('file', (r, p) => files.set(r, p));
    const run = m.startRun('capped', { ...SPEC, epochs: 1000, summaryEvery: 1, maxItersPerSec: 200 });
    await m.waitFor(run.name);
    const st = endOf(m, run.name)!;
    expect(st.state).toBe('stopped');
    // Under load the check may come late (the size bound below allows it), and the figure may read in MB.
    expect(st.error).toMatch(/^stopped: disk budget of 150.0 KB for one run reached \([\d.]+ [KM]B written\)$/);
    const size = statSync(files.get(run.name)!).size;
    expect(size).toBeGreaterThanOrEqual(150_000);
    expect(size).toBeLessThan(2_000_000); // stopped soon after, not at the end of 1000 epochs
    const log = await readEventFile(files.get(run.name)!);
    expect(log.records.filter((r) => r.kind === 'scalar' && r.tag === 'train/loss').length).toBeGreaterThan(10);
    expect(log.records.some((r) => r.kind === 'hparams' && r.part === 'session_end')).toBe(true); // closed cleanly
    await m.close();
  });

  it('stops runs when the logdir reaches its budget, and does not start queued ones', { timeout: 120_000 }, async () => {
    const m = new TrainingManager({ logdir, maxRuns: 1, maxLogdirBytes: 10_000_000, backend: 'wasm', estimateBytes: () => 1000, diskCheckMs: 50 });
    m.setLogdirBaseline(10_000_000 - 120_000); // others filled the logdir up to 120 KB below its budget
    const a = m.startRun('full/a', { ...SPEC, epochs: 1000, summaryEvery: 1, maxItersPerSec: 200 });
    const b = m.startRun('full/b', SPEC);
    expect(b.status?.state).toBe('queued');
    await Promise.all([m.waitFor(a.name), m.waitFor(b.name)]);
    expect(endOf(m, a.name)).toMatchObject({ state: 'stopped', error: expect.stringMatching(/logdir's disk budget of 10.0 MB is reached/) });
    expect(endOf(m, b.name)).toMatchObject({ state: 'stopped', error: expect.stringMatching(/did not start/) });
    expect(m.logdirBytes).toBeGreaterThanOrEqual(10_000_000);
    await m.close();
  });

  it('refuses a sweep or run whose folder is a symlink out of the logdir; nothing is written there', async () => {
    await symlink(outside, path.join(logdir, 'shared'));
    const m = new TrainingManager({ logdir, backend: 'wasm' });
    expect(() => m.startSweep('shared', SPEC, ['relu', 'tanh'])).toThrow(/shared is a symlink to .*outside the logdir/);
    expect(() => m.startRun('shared/x', SPEC)).toThrow(/outside the logdir/);
    await symlink(path.join(outside, 'missing'), path.join(logdir, 'dangling'));
    expect(() => m.startRun('dangling/x', SPEC)).toThrow(/symlink to a missing target/);
    expect(m.list()).toEqual([]);
    expect(await readdir(outside)).toEqual([]);
    await m.close();
  });
});
