// Big-logdir benchmark (npm run bench:scale): generates three logdirs with our EventWriter (bench/gen-logdir.ts)
// — 1 GB in 50 tensorboardX-like runs, 5,000 small runs, one run of 10 M scalar points — and measures for each:
// time until every run's last point is served (polling the HTTP routes), the server's peak RSS (sampled),
// time to the first drawn chart in headless chromium, the same after a restart with a warm log cache; for the
// 1 GB logdir the export's time and peak RSS; and TensorBoard's "served" time and RSS when it is installed
// (`tensorboard` on PATH, or TENSORBOARD=/path/to/tensorboard). Prints a table with the load average.
// --logdir DIR: measure an existing logdir as the "big" case instead of generating one (read only; e.g. one
// made by bench/make-big-logdir.py, whose runs' last scalar is metrics/m0 at step 1099: --tag, --last-step).
// Usage: npm run bench:scale [-- --dir /tmp/trainscope-scale --only big,many,long --no-tb --mb 1000]
//          [--logdir DIR --tag metrics/m0 --last-step 1099] [--port 7150] [--no-export]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { TBX_RUN, writeLogdir, type RunShape } from './gen-logdir.ts';
import { shebangCommand } from './spawn-bin.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const BASE = path.resolve(arg('dir', path.join(os.tmpdir(), 'trainscope-scale')));
const ONLY = new Set(arg('only', 'big,many,long').split(','));
const MB = Number(arg('mb', '1000'));
const PORT = Number(arg('port', '7150'));
const TB_PORT = PORT + 1;
const WITH_TB = !process.argv.includes('--no-tb');
const WITH_EXPORT = !process.argv.includes('--no-export');
const TIMEOUT_MS = 20 * 60_000;
const GIVEN = process.argv.includes('--logdir') ? path.resolve(arg('logdir', '')) : null;
const TAG = arg('tag', GIVEN ? 'metrics/m0' : 'train/metric_0');
const LAST_STEP = process.argv.includes('--last-step') ? Number(arg('last-step', '0')) : GIVEN ? 1099 : null;

interface Case {
  key: string;
  label: string;
  runs: number;
  shape: RunShape;
}
const CASES: Case[] = [
  { key: 'big', label: `${MB >= 1000 ? `${MB / 1000} GB` : `${MB} MB`}, 50 runs (scalars + histograms)`, runs: 50, shape: { ...TBX_RUN, steps: Math.round((TBX_RUN.steps * MB) / 1000) } },
  { key: 'many', label: '5,000 small runs', runs: 5000, shape: { steps: 200, scalarTags: 4, histTags: 0, histEvery: 0, buckets: 0 } },
  { key: 'long', label: 'one run of 10 M scalar points', runs: 1, shape: { steps: 10_000_000, scalarTags: 1, histTags: 0, histEvery: 0, buckets: 0 } },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Generates the case's logdir unless one of the same shape is there. */
async function ensureLogdir(c: Case): Promise<string> {
  if (GIVEN && c.key === 'big') return GIVEN;
  const dir = path.join(BASE, c.key);
  const marker = path.join(dir, '.generated.json');
  const want = JSON.stringify({ runs: c.runs, shape: c.shape });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const bytes = await writeLogdir(dir, c.runs, c.shape, (i) => {
    if (i % Math.max(1, Math.floor(c.runs / 10)) === 0) process.stderr.write(`  generating ${c.key}: run ${i + 1}/${c.runs}\n`);
  });
  await writeFile(marker, want);
  process.stderr.write(`  generated ${c.key}: ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return dir;
}

/** Bytes of the files under dir (only event files when `events`). */
async function dirBytes(dir: string, events = true): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && (!events || e.name.includes('tfevents'))) n += statSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

/** RSS of a process and all its descendants (bytes), from /proc. */
function treeRss(pid: number): number {
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
      for (const t of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/)) if (t) stack.push(Number(t));
    } catch {
      // gone
    }
  }
  return total;
}

/** Samples a process tree's RSS every 100 ms until stopped; returns the peak. */
function rssSampler(pid: number): { stop(): number } {
  let peak = treeRss(pid);
  const t = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 100);
  return {
    stop() {
      clearInterval(t);
      return Math.max(peak, treeRss(pid));
    },
  };
}

async function getJson<T>(url: string): Promise<T | null> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (!r.ok) return null;
    return (await r.json()) as T;
  } catch {
    return null;
  }
}

/**
 * Polls until every run of the logdir serves its last scalar point (tag train/metric_0, step steps-1).
 * Returns ms since `t0`. Works against Trainscope and TensorBoard (same routes).
 */
async function untilServed(base: string, c: Case, t0: number, trainscope: boolean): Promise<number> {
  const width = Math.max(3, String(c.runs - 1).length);
  const given = GIVEN && c.key === 'big';
  const names = given ? (await readdir(GIVEN)).filter((d) => !d.startsWith('.')) : Array.from({ length: c.runs }, (_, i) => `run_${String(i).padStart(width, '0')}`);
  const pending = new Set(names);
  const last = LAST_STEP ?? c.shape.steps - 1;
  const tag = encodeURIComponent(TAG);
  while (pending.size > 0) {
    if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`${pending.size} runs not served after ${TIMEOUT_MS / 1000} s`);
    const runs = await getJson<string[]>(`${base}/data/runs`);
    if (!runs) {
      await sleep(50);
      continue;
    }
    // Trainscope says which runs are still loading (/api/runs): those are asked for their points once loaded,
    // as bench/big-load.ts does, so that the polling neither loads the server nor steers its load order.
    const loading = new Set<string>();
    if (trainscope) {
      const infos = await getJson<{ name: string; loading?: unknown }[]>(`${base}/api/runs`);
      for (const i of infos ?? []) if (i.loading) loading.add(i.name);
    }
    const listed = [...pending].filter((r) => runs.includes(r) && !loading.has(r));
    // A few requests at a time, like a browser.
    let i = 0;
    const worker = async () => {
      while (i < listed.length) {
        const run = listed[i++];
        // min_step: only the window from the last step (Trainscope keeps every point, and the whole 10 M-point
        // series as JSON on every poll would time the polling, not the load); TensorBoard ignores it and
        // answers with its 1,000 kept points, the last among them.
        const pts = await getJson<[number, number, number][]>(`${base}/data/plugin/scalars/scalars?run=${encodeURIComponent(run)}&tag=${tag}&min_step=${last}`);
        if (pts && pts.length > 0 && pts[pts.length - 1][1] === last) pending.delete(run);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    if (pending.size > 0) await sleep(100);
  }
  return performance.now() - t0;
}

interface Served {
  ms: number;
  peakRss: number;
  proc: ChildProcess;
}

async function startTrainscope(logdir: string, cacheDir: string, c: Case): Promise<Served> {
  const t0 = performance.now();
  // As `npx trainscope` starts it (the shebang's flags and environment, the pre-built server when fresh).
  const sb = shebangCommand(path.join(ROOT, 'bin', 'trainscope.mjs'), ['serve', '--logdir', logdir, '--port', String(PORT), '--no-training', '--cache-dir', cacheDir]);
  const proc = spawn(sb.cmd, sb.args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...sb.env } });
  proc.stderr!.on('data', () => {}); // warnings are not the bench's business
  const rss = rssSampler(proc.pid!);
  const died = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`server exited (${code})`))));
  died.catch(() => {}); // it also exits when stopped later
  const ms = await Promise.race([untilServed(`http://127.0.0.1:${PORT}`, c, t0, true), died]);
  const peakRss = rss.stop();
  process.stderr.write(`  served in ${s(ms)}, peak RSS ${gb(peakRss)}\n`);
  return { ms, peakRss, proc };
}

/** Waits until the server's log cache holds `runs` runs (it writes them once the logdir is read). */
async function cacheComplete(cacheDir: string, runs: number): Promise<void> {
  const file = path.join(cacheDir, 'trainscope-cache.sqlite');
  const until = performance.now() + TIMEOUT_MS;
  while (performance.now() < until) {
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      const n = (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
      db.close();
      if (n >= runs) return;
    } catch {
      // not there yet
    }
    await sleep(500);
  }
  throw new Error(`the log cache in ${cacheDir} did not fill`);
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 60_000);
  await done;
  clearTimeout(t);
}

/** Milliseconds from navigation to the first SCALARS chart drawn with points. */
async function firstChart(url: string): Promise<number> {
  const { ensureWebBuild, launchChromium } = await import('../tests/e2e/helpers.ts');
  await ensureWebBuild();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
    await page.addInitScript(`(() => {
      const b = (window.__bench = { first: null });
      const tick = () => {
        const ts = window.__trainscope;
        for (const c of ts ? ts.charts() : []) if (c.fullPoints > 0 && b.first === null) b.first = c.drawnAt;
        if (b.first === null) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })()`);
    await page.goto(url);
    await page.waitForFunction('window.__bench && window.__bench.first !== null', undefined, { timeout: 120_000, polling: 50 });
    return (await page.evaluate('window.__bench.first')) as number;
  } finally {
    await browser.close();
  }
}

async function exportFigures(logdir: string): Promise<{ ms: number; peakRss: number; outBytes: number }> {
  const t0 = performance.now();
  const sb = shebangCommand(path.join(ROOT, 'bin', 'trainscope.mjs'), ['export', logdir]);
  const proc = spawn(sb.cmd, sb.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...sb.env } });
  const rss = rssSampler(proc.pid!);
  let outBytes = 0;
  proc.stdout!.on('data', (b: Buffer) => (outBytes += b.length));
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  const peakRss = rss.stop();
  if (code !== 0) throw new Error(`export exited with ${code}`);
  return { ms: performance.now() - t0, peakRss, outBytes };
}

function tensorboardPath(): string | null {
  if (!WITH_TB) return null;
  if (process.env.TENSORBOARD) return process.env.TENSORBOARD;
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d && existsSync(path.join(d, 'tensorboard'))) return path.join(d, 'tensorboard');
  return null;
}

async function tensorboard(bin: string, logdir: string, c: Case): Promise<{ ms: number; peakRss: number }> {
  const t0 = performance.now();
  const proc = spawn(bin, ['--logdir', logdir, '--port', String(TB_PORT), '--load_fast=true'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errTail = '';
  proc.stderr!.on('data', (b: Buffer) => (errTail = (errTail + b.toString()).slice(-500)));
  const rss = rssSampler(proc.pid!);
  try {
    // TensorBoard exiting (bad flag, port taken) fails the measurement instead of polling for 20 minutes.
    const died = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`tensorboard exited (${code}): ${errTail.trim().split('\n').pop()}`))));
    died.catch(() => {}); // it also exits when stopped below
    const ms = await Promise.race([untilServed(`http://127.0.0.1:${TB_PORT}`, c, t0, false), died]);
    return { ms, peakRss: rss.stop() };
  } finally {
    rss.stop();
    await stop(proc);
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const gb = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(0)} MB`);

async function main(): Promise<void> {
  const load0 = os.loadavg();
  const rows: string[] = [];
  const tb = tensorboardPath();
  for (const c of CASES.filter((x) => ONLY.has(x.key))) {
    const logdir = await ensureLogdir(c);
    const bytes = await dirBytes(logdir);
    const cacheDir = path.join(BASE, `${c.key}-cache`);
    await rm(cacheDir, { recursive: true, force: true });
    process.stderr.write(`${c.label} (${gb(bytes)}): cold start...\n`);
    const cold = await startTrainscope(logdir, cacheDir, c);
    process.stderr.write('  first chart...\n');
    const chart = await firstChart(`http://127.0.0.1:${PORT}/`).catch((e: Error) => (process.stderr.write(`  first chart failed: ${e.message}\n`), NaN));
    await cacheComplete(cacheDir, GIVEN && c.key === 'big' ? (await readdir(GIVEN)).filter((d) => !d.startsWith('.')).length : c.runs);
    await stop(cold.proc);
    process.stderr.write('  warm restart...\n');
    const warm = await startTrainscope(logdir, cacheDir, c);
    const warmChart = await firstChart(`http://127.0.0.1:${PORT}/`).catch((e: Error) => (process.stderr.write(`  first chart failed: ${e.message}\n`), NaN));
    process.stderr.write(`  first chart ${chart.toFixed(0)} ms (after cold load), ${warmChart.toFixed(0)} ms (after warm restart)\n`);
    await stop(warm.proc);
    const cacheBytes = await dirBytes(cacheDir, false).catch(() => 0);
    let exp = '';
    if (c.key === 'big' && WITH_EXPORT) {
      process.stderr.write('  export...\n');
      const e = await exportFigures(logdir);
      exp = `${s(e.ms)}, peak RSS ${gb(e.peakRss)} (${gb(e.outBytes)} of JSON)`;
      process.stderr.write(`  export ${exp}\n`);
    }
    let tbCell = 'not installed';
    if (tb) {
      process.stderr.write('  TensorBoard...\n');
      const t = await tensorboard(tb, logdir, c).catch((e: Error) => ({ err: e.message }));
      tbCell = 'err' in t ? `failed: ${t.err}` : `${s(t.ms)}, ${gb(t.peakRss)}`;
    }
    rows.push(
      `| ${c.label} (${gb(bytes)}) | ${s(cold.ms)}, ${gb(cold.peakRss)} | ${s(warm.ms)}, ${gb(warm.peakRss)} (cache ${gb(cacheBytes)}) | ${Number.isNaN(chart) ? '–' : `${chart.toFixed(0)} ms`} / ${Number.isNaN(warmChart) ? '–' : `${warmChart.toFixed(0)} ms`} | ${exp || '–'} | ${tbCell} |`,
    );
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  const load1 = os.loadavg();
  console.log(`bench:scale on ${os.cpus().length} cores, load average ${load0.map((l) => l.toFixed(1)).join(' ')} at start, ${load1.map((l) => l.toFixed(1)).join(' ')} at the end`);
  console.log('| logdir | Trainscope cold: all served, peak RSS | warm restart (log cache): all served, peak RSS | first chart (after cold load / after warm restart) | export: time, peak RSS | TensorBoard --load_fast: all served, peak RSS |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

// Keeps the loop alive (and says so) should a child's exit be missed.
const alive = setInterval(() => {}, 1000);
let finished = false;
process.on('beforeExit', () => finished || process.stderr.write('bench:scale ended before printing its table\n'));
await main();
finished = true;
clearInterval(alive);
