// `trainscope export` of a big logdir (make one with bench/make-big-logdir.py): seconds, MB/s of event files,
// bytes of JSON and the process's peak RSS (VmHWM, sampled from /proc). The JSON goes to a file in /tmp,
// deleted afterwards (--keep keeps it). Started as its shebang line runs it (the pre-built bundle); --tsx:
// through tsx (TRAINSCOPE_BUNDLE=0). --read-only: instead, time just reading the logdir with the export's
// reader (EventFileTailer + EventDecoder, every run in this thread): the "reader speed" the export is held to.
// Usage: npm run bench:export -- --logdir DIR [--workers N] [--tsx] [--root OTHER_CHECKOUT] [--keep] [--null] [--read-only]
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { EventDecoder } from '../server/logs/event-codec.ts';
import { EventFileTailer } from '../server/logs/event-file-reader.ts';
import { discoverRuns } from '../server/logs/export.ts';
import { shebangCommand } from './spawn-bin.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const logdir = path.resolve(opt('logdir') ?? '');
const root = path.resolve(opt('root') ?? path.join(import.meta.dirname, '..'));
const workers = opt('workers');

async function logBytes(): Promise<{ runs: number; bytes: number }> {
  const groups = await discoverRuns(logdir);
  let bytes = 0;
  for (const files of groups.values()) for (const f of files) bytes += (await stat(f)).size;
  return { runs: groups.size, bytes };
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const mb = (b: number) => (b / 1e6).toFixed(0);

async function readOnly(): Promise<void> {
  const t0 = performance.now();
  const groups = await discoverRuns(logdir);
  let bytes = 0;
  let records = 0;
  for (const name of [...groups.keys()].sort()) {
    const decoder = new EventDecoder();
    for (const f of groups.get(name)!) {
      const t = new EventFileTailer(f, { decoder, maxBytesPerPoll: 512 << 10 });
      t.markComplete();
      const size = (await stat(f)).size;
      bytes += size;
      for (;;) {
        const before = t.position;
        const r = await t.poll();
        records += r.records.length;
        if (r.truncatedAt !== null || t.position === before || t.position >= size) break;
      }
    }
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`read only: ${groups.size} runs, ${mb(bytes)} MB of event files, ${records} records in ${s.toFixed(2)} s = ${(bytes / 1e6 / s).toFixed(1)} MB/s (one thread); load ${load()}`);
}

/** CPU seconds (user + system, every thread) the process has used so far: a figure the machine's load skews less. */
function cpuSeconds(pid: number): [number, number] {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return [Number(f[11]) / 100, Number(f[12]) / 100];
  } catch {
    return [0, 0];
  }
}

function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function exportOnce(): Promise<void> {
  const { runs, bytes } = await logBytes();
  const out = path.join(tmpdir(), `trainscope-export-bench-${process.pid}.json`);
  const bin = path.join(root, 'bin', 'trainscope.mjs');
  const cliArgs = ['export', logdir, ...(workers === undefined ? [] : ['--workers', workers])];
  const c = args.includes('--tsx')
    ? { cmd: process.execPath, args: ['--import', 'tsx', bin, ...cliArgs], env: { TRAINSCOPE_BUNDLE: '0' } }
    : shebangCommand(bin, cliArgs);
  console.log(`load before: ${load()}`);
  const t0 = performance.now();
  // Straight to the file, as `trainscope export DIR > FILE` (no pipe through this process); --null: to
  // /dev/null, the export without the disk (3 GB of dirty pages get the writer throttled on a busy machine).
  const toNull = args.includes('--null');
  const fd = openSync(toNull ? '/dev/null' : out, 'w');
  const child = spawn(c.cmd, c.args, { cwd: root, env: { ...process.env, ...c.env }, stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  let peak = 0;
  let cpu: [number, number] = [0, 0];
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid!));
    const c = cpuSeconds(child.pid!);
    if (c[0] + c[1] > cpu[0] + cpu[1]) cpu = c;
  }, 50);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number>((resolve) => child.on('close', (x) => resolve(x ?? -1)));
  const s = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  if (code !== 0) throw new Error(`export exited with ${code}: ${stderr}`);
  const size = toNull ? NaN : (await stat(out)).size;
  if (!args.includes('--keep')) await rm(out, { force: true });
  console.log(
    `export (${args.includes('--tsx') ? 'tsx' : 'bundle'}${toNull ? ', to /dev/null' : ''}, workers ${workers ?? 'default'}, ${root}): ${runs} runs, ${mb(bytes)} MB of event files -> ` +
      `${toNull ? '' : `${mb(size)} MB of JSON `}in ${s.toFixed(2)} s = ${(bytes / 1e6 / s).toFixed(1)} MB/s of logs${toNull ? '' : ` (${(size / 1e6 / s).toFixed(0)} MB/s of JSON)`}; ` +
      `peak RSS ${mb(peak)} MB; CPU ${(cpu[0] + cpu[1]).toFixed(1)} s (user ${cpu[0].toFixed(1)}, system ${cpu[1].toFixed(1)}; sampled); load after ${load()}${args.includes('--keep') ? `; kept ${out}` : ''}`,
  );
}

await (args.includes('--read-only') ? readOnly() : exportOnce());
