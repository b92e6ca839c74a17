// Time from spawning `bin/trainscope.mjs serve` (as its shebang runs it: no `--import tsx`) until its port
// first answers HTTP, on an empty logdir: the fixed cost of every start (Node, loading the server's code,
// building the app), which a restart on a warm log cache pays before it serves anything.
// Usage: node --import tsx bench/start-time.ts [--runs 5] [--port 7150] [--logdir EMPTY_DIR] [--root OTHER_CHECKOUT] [-- extra server flags]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shebangCommand } from './spawn-bin.ts';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const args = dash >= 0 ? argv.slice(0, dash) : argv;
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', '5'));
const port = Number(opt('port', '7150'));
const root = path.resolve(opt('root', path.join(import.meta.dirname, '..')));
const ownDir = args.includes('--logdir') ? undefined : mkdtempSync(path.join(tmpdir(), 'trainscope-start-'));
const logdir = path.resolve(opt('logdir', ownDir ?? ''));

/** CPU seconds (user + system, every thread) the process used so far: a figure the machine's load skews less. */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function once(): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const { cmd, args: a, env } = shebangCommand(path.join(root, 'bin', 'trainscope.mjs'), ['serve', '--logdir', logdir, '--port', String(port), '--no-training', ...extra]);
  const child = spawn(cmd, a, { stdio: ['ignore', 'ignore', 'pipe'], cwd: root, env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/runs`);
        await r.arrayBuffer();
        return { wall: performance.now() - t0, cpu: cpuOf(child.pid!) };
      } catch {
        await new Promise((res) => setTimeout(res, 5));
      }
    }
  } finally {
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGINT');
    await exited;
  }
}

const times: { wall: number; cpu: number }[] = [];
for (let i = 0; i < runs; i++) times.push(await once());
if (ownDir) rmSync(ownDir, { recursive: true, force: true });
const s = times.map((t) => (t.wall / 1000).toFixed(2)).join(', ');
const c = times.map((t) => t.cpu.toFixed(2)).join(', ');
console.log(`serve, empty logdir, spawn to first HTTP answer: ${s} s; CPU ${c} s (load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
