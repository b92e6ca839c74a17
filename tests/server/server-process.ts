// Test helper: the real server as a child process (bin/trainscope.mjs serve), for fault tests that kill
// it or starve its disk. The URL is learned from the line it prints ("... at http://127.0.0.1:PORT/").
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { io as connect } from 'socket.io-client';
import { wireParser } from '../../shared/wire-parser.ts';
import type { RunInfo } from '../../shared/types.ts';
import { projectRoot } from '../logs/corpus-files.ts';
import { connected, request, type Client } from './helpers.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  /** Resolves with the exit signal/code once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive: () => boolean;
}

/** Starts `trainscope serve` on a free port; rejects (with its output) if it does not listen within timeoutMs. */
export function startServerProcess(logdir: string, extraArgs: string[] = [], timeoutMs = 90_000): Promise<ServerProcess> {
  const args = [path.join(projectRoot, 'bin', 'trainscope.mjs'), 'serve', '--logdir', logdir, '--port', '0', '--backend', 'cpu'];
  args.push('--reload_interval', '0.2', '--web-dir', path.join(logdir, '.no-web'), ...extraArgs);
  const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exitedNow = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedNow = true;
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms; output:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Trainscope .* at (http:\/\/\S+?)\/?\s/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (x: Buffer) => (out += x.toString()));
        resolve({ child, url: m[1], output: () => out, exited, alive: () => !exitedNow });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening; output:\n${out}`));
    });
  });
}

/** SIGKILL (no shutdown code runs; its worker threads die with it) and wait for the exit. */
export async function killHard(s: ServerProcess): Promise<void> {
  if (s.alive()) s.child.kill('SIGKILL');
  await s.exited;
}

export async function socketTo(url: string): Promise<Client> {
  const c: Client = connect(url, { parser: wireParser, transports: ['websocket'], forceNew: true, reconnection: false });
  await connected(c);
  return c;
}

export async function runsOverHttp(url: string): Promise<RunInfo[]> {
  const res = await fetch(`${url}/api/runs`);
  if (!res.ok) throw new Error(`GET /api/runs: ${res.status}`);
  return (await res.json()) as RunInfo[];
}

export async function runsOverSocket(c: Client): Promise<RunInfo[]> {
  const r = await request<RunInfo[]>(c, 'runs:list');
  if (!r.ok) throw new Error(`runs:list: ${r.error}`);
  return r.data;
}

/** Polls an async check until it returns a value other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
