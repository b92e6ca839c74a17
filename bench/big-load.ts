// Time until every run's last scalar is served, and peak memory, for a big logdir (make one with
// bench/make-big-logdir.py): starts the server (or TensorBoard) on it, polls each run's scalar route
// until the run's last step is there, and samples the RSS of the whole process tree (/proc) meanwhile.
// --warm: then restart the server on the log cache it wrote (`-- --cache-dir DIR` keeps it out of the logdir) and
// measure again: the restart is what the cache is for.
// Times count from spawning the server (started as its shebang line runs it; --tsx: `node --import tsx`).
// Usage: node --import tsx bench/big-load.ts --logdir DIR [--tag metrics/m0] [--last-step 1099] [--warm] [--tsx]
//          [--port 7140] [--root OTHER_CHECKOUT] [--tensorboard /work/.venv-tb/bin/tensorboard] [-- extra server flags]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { shebangCommand } from './spawn-bin.ts';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const args = dash >= 0 ? argv.slice(0, dash) : argv;
const opt = (name: string, dflt?: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const logdir = path.resolve(opt('logdir') ?? '');
const tag = opt('tag', 'metrics/m0')!;
const lastStep = Number(opt('last-step', '1099'));
const port = Number(opt('port', '7140'));
const tb = opt('tensorboard');

const runs = readdirSync(logdir).filter((d) => !d.startsWith('.')).sort();
// --root: another checkout's server (e.g. the main branch, for before/after figures).
const root = path.resolve(opt('root') ?? path.join(import.meta.dirname, '..'));
const warm = args.includes('--warm');
let stderr = '';
function startServer(): ChildProcess {
  const c = tb
    ? spawn(tb, ['--logdir', logdir, '--port', String(port), '--load_fast=true', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] })
    : (() => {
        // As `npx trainscope` starts it (the shebang's flags, no `--import tsx`): the time from spawning counts
        // what loading the server's code costs. --tsx: through `node --import tsx`, as before.
        const bin = path.join(root, 'bin', 'trainscope.mjs');
        const serve = ['serve', '--logdir', logdir, '--port', String(port), '--no-training', ...extra];
        const c = args.includes('--tsx') ? { cmd: process.execPath, args: ['--import', 'tsx', bin, ...serve], env: {} } : shebangCommand(bin, serve);
        return spawn(c.cmd, c.args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: root, env: { ...process.env, ...c.env } });
      })();
  c.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return c;
}

/** CPU seconds (user + system, all threads) used so far by the process tree: a figure the machine's load does not skew. */
function treeCpu(pid: number): number {
  let sum = 0;
  for (const p of treePids(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sum += (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
    } catch {
      // gone
    }
  }
  return sum;
}

function treePids(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid)!.push(Number(p));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

function treeRss(pid: number): number {
  // Sum of VmRSS over the process and its descendants.
  const kids = new Map<number, number[]>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid)!.push(Number(p));
    } catch {
      // gone
    }
  }
  let sum = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) sum += Number(m[1]) * 1024;
    } catch {
      // gone
    }
    stack.push(...(kids.get(p) ?? []));
  }
  return sum;
}

async function measure(child: ChildProcess, label: string): Promise<void> {
  const t0 = performance.now();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRss(child.pid!))), 100);
  const base = `http://127.0.0.1:${port}`;
  let firstAnswer = NaN;
  const done = new Set<string>();
  while (done.size < runs.length) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    // Trainscope says which runs are still loading (RunInfo.loading): ask those for their points only when
    // loaded, so the benchmark's own polling does not load the server it measures.
    let loading = new Set<string>();
    if (!tb) {
      try {
        const infos = (await (await fetch(`${base}/api/runs`)).json()) as { name: string; loading?: unknown }[];
        loading = new Set(infos.filter((i) => i.loading).map((i) => i.name));
      } catch {
        // not listening yet (or an older server without /api/runs progress)
      }
    }
    for (const run of runs) {
      if (done.has(run) || loading.has(run)) continue;
      try {
        const r = await fetch(`${base}/data/plugin/scalars/scalars?run=${encodeURIComponent(run)}&tag=${encodeURIComponent(tag)}&min_step=${lastStep}`); // the last step only (TensorBoard ignores it)
        if (Number.isNaN(firstAnswer)) firstAnswer = performance.now() - t0;
        if (r.ok) {
          const pts = (await r.json()) as [number, number, number][];
          if (pts.length > 0 && pts[pts.length - 1][1] >= lastStep) done.add(run);
        } else await r.arrayBuffer();
      } catch {
        await new Promise((res) => setTimeout(res, 50)); // not listening yet
      }
    }
    // 50 ms: the restart on a warm cache serves everything in well under a second; /api/runs tells which runs to ask.
    if (done.size < runs.length) await new Promise((res) => setTimeout(res, 50));
  }
  const all = performance.now() - t0;
  const cpu = treeCpu(child.pid!);
  await new Promise((res) => setTimeout(res, 300));
  peak = Math.max(peak, treeRss(child.pid!));
  clearInterval(sampler);
  const name = tb ? 'TensorBoard --load_fast=true' : `Trainscope ${extra.join(' ')}`.trim();
  console.log(`${name}${label}: ${runs.length} runs; from spawning, first answer ${(firstAnswer / 1000).toFixed(2)} s, every run's last scalar ${(all / 1000).toFixed(2)} s (${((all - firstAnswer) / 1000).toFixed(2)} s after the first answer), peak RSS (process tree) ${(peak / 2 ** 20).toFixed(0)} MiB, CPU ${cpu.toFixed(1)} s (load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
}

/** The cache file the server writes (from `--cache-dir`, else beside the logs). */
function cacheFile(): string {
  const i = extra.indexOf('--cache-dir');
  return path.join(i >= 0 ? path.resolve(extra[i + 1]) : path.join(logdir, '.trainscope-cache'), 'trainscope-cache.sqlite');
}

/** Waits until the server's cache holds every run (it writes them once the logdir is read). */
async function cacheComplete(): Promise<void> {
  const until = performance.now() + 600_000;
  for (;;) {
    try {
      if (existsSync(cacheFile())) {
        const db = new Database(cacheFile(), { readonly: true, fileMustExist: true });
        const n = (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
        db.close();
        if (n >= runs.length) return;
      }
    } catch {
      // being written
    }
    if (performance.now() > until) throw new Error('the log cache did not fill in 10 minutes');
    await new Promise((res) => setTimeout(res, 500));
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGINT');
  await exited;
}

const first = startServer();
await measure(first, warm ? ' (cold)' : '');
if (warm && !tb) {
  await cacheComplete();
  await stopServer(first);
  const second = startServer();
  await measure(second, ' (restart, warm cache)');
  await stopServer(second);
} else await stopServer(first);
