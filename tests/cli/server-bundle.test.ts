// The pre-built server (bin/server-bundle.mjs): the bin builds it on demand, runs from it while it matches
// the sources (serving a corpus log; its bundled load and training workers run in plain Node),
// and never runs a stale one. Each test's bundle is its own (TRAINSCOPE_BUNDLE_DIR), inside the project's
// dist/ so that its imports of dependencies resolve. A line appended to a bundled file shows it ran.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromWorker, LoadJob, ToWorker } from '../../server/logs/load-protocol.ts';
import { workerExecArgv } from '../../server/training/worker-spawn.ts';
import { BUNDLE_DIR, workerEntryUrl } from '../../server/worker-entry.ts';
import { corpusFile, projectRoot, readmeCounts } from '../logs/corpus-files.ts';

const BIN = path.join(projectRoot, 'bin', 'trainscope.mjs');
const DIST = path.join(projectRoot, 'dist');
const FOREIGN = corpusFile('Alwaysproblem', 'logs/hparam_tuning/run-0');
const dirs: string[] = [];
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'trainscope-bundle-'));
});
afterAll(() => {
  for (const d of [tmp, ...dirs]) rmSync(d, { recursive: true, force: true });
});

function bundleDir(): string {
  const d = path.join(DIST, `test-bundle-${process.pid}-${dirs.length}-${Date.now()}`);
  dirs.push(d);
  return d;
}

/** Appends a line to a bundled file that prints `mark` on stderr when the file is loaded. */
function mark(file: string, text: string): void {
  appendFileSync(file, `\nprocess.stderr.write(${JSON.stringify(`${text}\n`)});\n`);
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin as its shebang would (no tsx from us) with `env` added. */
function runBin(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--single-threaded-gc', '--expose-gc', BIN, ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`trainscope ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `serve` on a free port until `use(url)` is done; returns what it printed on stderr. */
async function withServer(logdir: string, env: Record<string, string>, use: (url: string) => Promise<void>): Promise<string> {
  const args = [BIN, 'serve', '--logdir', logdir, '--port', '0', '--no-training', '--web-dir', path.join(logdir, '.no-web')];
  const child = spawn(process.execPath, ['--single-threaded-gc', '--expose-gc', ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not listen in 120 s:\n${stdout}\n${stderr}`)), 120_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /Trainscope .* at (http:\/\/\S+?)\/?\s/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      void exited.then(() => reject(new Error(`serve exited before listening:\n${stdout}\n${stderr}`)));
    });
    await use(url);
  } finally {
    child.kill('SIGINT');
    await exited;
  }
  return stderr;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('worker entries (pure)', () => {
  it('are the .ts sources, with tsx preloaded, when not running from the bundle', () => {
    expect(BUNDLE_DIR).toBeUndefined(); // vitest runs the sources
    const source = new URL('file:///p/server/logs/load-worker.ts');
    expect(workerEntryUrl(source, 'load-worker')).toBe(source);
    expect(workerExecArgv(['--no-warnings'], 'data:pre')).toEqual(['--no-warnings', '--import', 'data:pre']);
  });

  it('are the bundled entries, with nothing preloaded, from the bundle', () => {
    const source = new URL('file:///p/server/logs/load-worker.ts');
    expect(workerEntryUrl(source, 'load-worker', new URL('file:///p/dist/server/')).href).toBe('file:///p/dist/server/load-worker.mjs');
    expect(workerExecArgv(['--import', 'tsx', '--no-warnings'], null)).toEqual(['--no-warnings']);
  });
});

describe('the server bundle', () => {
  it('is built on demand, then serves a corpus log from the bundle', { timeout: 300_000 }, async () => {
    const dir = bundleDir();
    const env = { TRAINSCOPE_BUNDLE_DIR: dir };
    const version = await runBin(['--version'], env);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version);
    for (const f of ['cli.cjs', 'load-worker.mjs', 'training-worker.mjs', 'manifest.json']) expect(existsSync(path.join(dir, f)), f).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { inputs: Record<string, [number, number]> };
    expect(Object.keys(manifest.inputs)).toEqual(expect.arrayContaining(['server/cli/index.ts', 'server/logs/load-worker.ts', 'bin/server-bundle.mjs']));

    mark(path.join(dir, 'cli.cjs'), '[cli from the test bundle]');
    const logdir = path.join(tmp, 'logs');
    mkdirSync(path.join(logdir, 'keras-run'), { recursive: true });
    copyFileSync(FOREIGN, path.join(logdir, 'keras-run', path.basename(FOREIGN)));
    const stderr = await withServer(logdir, env, async (url) => {
      expect(await (await fetch(`${url}/data/runs`)).json()).toEqual(['keras-run']);
      const tags = (await (await fetch(`${url}/data/plugin/scalars/tags`)).json()) as Record<string, Record<string, unknown>>;
      const tag = Object.keys(tags['keras-run'] ?? {})[0];
      expect(tag).toBeDefined();
      const points = (await (await fetch(`${url}/data/plugin/scalars/scalars?run=keras-run&tag=${encodeURIComponent(tag)}`)).json()) as unknown[];
      expect(points.length).toBeGreaterThan(0);
    });
    expect(stderr).toContain('[cli from the test bundle]');

    // Its load worker (used for big logdirs) runs in plain Node, no tsx: it reads the same run.
    const worker = new Worker(new URL('load-worker.mjs', pathToFileURL(`${dir}/`)), { execArgv: [] });
    try {
      const job: LoadJob = { id: 1, run: 'keras-run', files: [{ real: FOREIGN, complete: true }], maxBytesPerPoll: 2 << 20 };
      const records = await new Promise<number>((resolve, reject) => {
        let n = 0;
        worker.on('error', reject);
        worker.on('message', (m: FromWorker) => {
          if (m.type === 'batch') {
            n += m.packed.count;
            worker.postMessage({ type: 'ack' } satisfies ToWorker);
          } else if (m.type === 'done') resolve(n);
          else if (m.type === 'error') reject(new Error(m.message));
        });
        worker.postMessage({ type: 'job', job } satisfies ToWorker);
      });
      expect(records).toBe(readmeCounts().get(FOREIGN));
    } finally {
      await worker.terminate();
    }
  });

  it('runs its CLI from a V8 code cache made for that build and those node flags', { timeout: 300_000 }, async () => {
    const dir = bundleDir();
    const env = { TRAINSCOPE_BUNDLE_DIR: dir };
    expect((await runBin(['--version'], env)).code).toBe(0);
    // Loads the CLI as the bin does, says whether the cache was used, then saves one as a start does.
    const probe = `const b = await import(${JSON.stringify(pathToFileURL(path.join(projectRoot, 'bin', 'server-bundle.mjs')).href)});
      const r = b.loadBundledCli(); r.saveCodeCache();
      console.log(JSON.stringify({ used: r.codeCacheUsed, main: typeof r.cli.main }));`;
    const load = async (flags: string[] = []) => {
      const ran = await new Promise<Ran>((resolve) => {
        const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', probe], { cwd: projectRoot, env: { ...process.env, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
      expect(ran.code, ran.stderr).toBe(0);
      return { ...(JSON.parse(ran.stdout.trim().split('\n').pop()!) as { used: boolean; main: string }), stderr: ran.stderr };
    };
    const caches = () => readdirSync(dir).filter((n) => n.endsWith('.v8cache'));
    expect(caches()).toEqual([]);
    expect(await load()).toMatchObject({ used: false, main: 'function' });
    expect(caches()).toHaveLength(1);
    expect(await load()).toMatchObject({ used: true, main: 'function' });
    // Other node flags (which V8 checks): a cache of their own, the first one still good.
    expect((await load(['--single-threaded-gc'])).used).toBe(false);
    expect(caches()).toHaveLength(2);
    expect((await load(['--single-threaded-gc'])).used).toBe(true);
    expect((await load()).used).toBe(true);
    // The bundled file changed (here: a line added): its old cache is not used, and the new code runs.
    mark(path.join(dir, 'cli.cjs'), '[changed cli]');
    const changed = await load();
    expect(changed.used).toBe(false);
    expect(changed.stderr).toContain('[changed cli]');
    expect((await load()).used).toBe(true);
    // A damaged cache file: V8 rejects it, the CLI still loads, and a good one replaces it.
    for (const n of caches()) writeFileSync(path.join(dir, n), Buffer.alloc(64, 7));
    expect(await load()).toMatchObject({ used: false, main: 'function' });
    expect((await load()).used).toBe(true);
  });

  it('trains a run in its bundled training worker', { timeout: 300_000 }, async () => {
    const dir = bundleDir();
    const env = { TRAINSCOPE_BUNDLE_DIR: dir };
    expect((await runBin(['--version'], env)).code).toBe(0);
    mark(path.join(dir, 'training-worker.mjs'), '[training worker from the test bundle]');
    const logdir = path.join(tmp, 'train');
    const args = ['train', '--logdir', logdir, '--dataset', 'spiral', '--layers', '6', '--epochs', '1', '--batch-size', '32', '--samples', '96', '--backend', 'cpu'];
    const ran = await runBin(args, env);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain('[training worker from the test bundle]');
    expect(ran.stdout).toContain('finished');
    const runDir = readdirSync(logdir).map((d) => path.join(logdir, d))[0];
    expect(readdirSync(runDir).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
  });

  it('is not used once stale: the bin rebuilds it, and runs the sources through tsx when it cannot', { timeout: 300_000 }, async () => {
    const dir = bundleDir();
    const env = { TRAINSCOPE_BUNDLE_DIR: dir };
    expect((await runBin(['--version'], env)).code).toBe(0);
    const cli = path.join(dir, 'cli.cjs');
    mark(cli, '[cli from the test bundle]');
    expect((await runBin(['--version'], env)).stderr).toContain('[cli from the test bundle]');

    // As if server/cli/index.ts had been edited since the build: the bin rebuilds (the mark is gone).
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { inputs: Record<string, [number, number]> };
    manifest.inputs['server/cli/index.ts'][0] -= 1000;
    writeFileSync(file, JSON.stringify(manifest));
    const rebuilt = await runBin(['--version'], env);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).not.toContain('[cli from the test bundle]');
    const stamped = (JSON.parse(readFileSync(file, 'utf8')) as { inputs: Record<string, [number, number]> }).inputs['server/cli/index.ts'];
    const st = statSync(path.join(projectRoot, 'server', 'cli', 'index.ts'));
    expect(stamped).toEqual([st.mtimeMs, st.size]);

    // TRAINSCOPE_BUNDLE=0: the sources through tsx, even with a fresh bundle there.
    mark(cli, '[cli from the test bundle]');
    const viaTsx = await runBin(['--version'], { ...env, TRAINSCOPE_BUNDLE: '0' });
    expect(viaTsx.code).toBe(0);
    expect(viaTsx.stderr).not.toContain('[cli from the test bundle]');

    // A bundle that cannot be built (its directory cannot be made): tsx, and the command still works.
    const unbuildable = path.join(DIST, `test-bundle-blocked-${process.pid}`);
    dirs.push(unbuildable);
    writeFileSync(unbuildable, ''); // a file where the bundle's directory would go
    const fallback = await runBin(['--version'], { TRAINSCOPE_BUNDLE_DIR: unbuildable });
    expect(fallback.code).toBe(0);
    expect(fallback.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(statSync(unbuildable).isFile()).toBe(true);
  });
});
