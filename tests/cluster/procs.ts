// Processes for the cluster test and benchmark: a real redis-server on a loopback port of its own, our
// servers and workers as separate node processes, and a TCP round-robin in front of several servers
// (what any load balancer does, minus the health checks: a refused backend is skipped).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const REDIS_SERVER = '/usr/bin/redis-server';

export interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the first output line matching `re` (already printed or to come). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once the process exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function track(name: string, child: ChildProcess): Proc {
  let out = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const onData = (b: Buffer) => {
    out += b.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    for (const w of [...waiters]) {
      const m = out.split('\n').find((l) => w.re.test(l));
      if (m !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    output: () => out,
    exited,
    waitFor(re, timeoutMs = 90_000) {
      const hit = out.split('\n').find((l) => re.test(l));
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms; output:\n${out.slice(-3000)}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Redis with an append-only file in `dir` (a restart on the same dir keeps what was written). */
export async function startRedis(port: number, dir: string): Promise<Proc> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p = track(`redis:${port}`, child);
  await p.waitFor(/Ready to accept connections/, 30_000);
  return p;
}

/** `node --import tsx bin/trainscope.mjs ...args` */
export function startTrainscope(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'trainscope.mjs'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  return track(name, child);
}

/**
 * A TCP front for several backends: each new connection goes to the next backend that accepts it
 * (`failover`: always the first one that accepts, in the order given).
 */
export async function roundRobin(port: number, backends: number[], failover = false): Promise<net.Server> {
  let next = 0;
  const server = net.createServer((client) => {
    client.pause();
    const tryFrom = (i: number, left: number) => {
      if (left === 0) return client.destroy();
      const port_ = backends[i % backends.length];
      const up = net.connect(port_, '127.0.0.1');
      up.once('connect', () => {
        client.pipe(up).pipe(client);
        client.resume();
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        up.on('close', () => client.destroy());
        client.on('close', () => up.destroy());
      });
      up.once('error', () => tryFrom(i + 1, left - 1));
    };
    tryFrom(failover ? 0 : next++, backends.length);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
