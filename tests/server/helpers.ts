// Test helpers: a real app on port 0, socket.io clients, and a client-side model of the series a client
// holds (applying DeltaBatch with reset semantics) to compare against what is on disk.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, ClientToServer, DeltaBatch, ReplayState, ServerToClient } from '../../shared/protocol.ts';
import { wireParser } from '../../shared/wire-parser.ts';
import { createApp, type App } from '../../server/app.ts';
import { silentLogger, type AppConfig } from '../../server/config.ts';
import type { LogRecord } from '../../server/logs/records.ts';

export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/tfevents', import.meta.url));

export type Client = Socket<ServerToClient, ClientToServer>;

export async function tempDir(prefix = 'ts-server-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function startApp(config: Partial<AppConfig> & { logdir: string }): Promise<App> {
  return createApp({ port: 0, training: false, reloadIntervalSec: 0.1, logger: silentLogger, webDir: '/nonexistent-web-dir', ...config });
}

export function client(app: App, opts: { token?: string; query?: Record<string, string>; clientId?: string } = {}): Client {
  const auth = { ...(opts.token ? { token: opts.token } : {}), ...(opts.clientId ? { clientId: opts.clientId } : {}) };
  return connect(app.url(), {
    parser: wireParser,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: Object.keys(auth).length > 0 ? auth : undefined,
    query: opts.query,
  });
}

export function connected(c: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    if (c.connected) return resolve();
    c.once('connect', () => resolve());
    c.once('connect_error', (e) => reject(e));
  });
}

/** Emits an event with an ack and resolves with the ack (times out rather than hanging a test). */
export function request<T>(c: Client, event: string, ...args: unknown[]): Promise<Ack<T>> {
  return (c as unknown as { timeout(ms: number): Socket }).timeout(5000).emitWithAck(event, ...args) as Promise<Ack<T>>;
}

export interface Held {
  wallTimes: number[];
  steps: number[];
  values: (number | null)[];
}

/** What a client holds: run -> tag -> scalar columns (and counts of other kinds). */
export class ClientModel {
  scalars = new Map<string, Map<string, Held>>();
  histograms = new Map<string, Map<string, number[]>>();
  batches: DeltaBatch[] = [];
  states: ReplayState[] = [];

  /** accept: which batches to apply (e.g. only replay batches); all by default. */
  constructor(c: Client, accept: (b: DeltaBatch) => boolean = () => true) {
    c.on('delta', (b) => {
      if (!accept(b)) return;
      this.batches.push(b);
      this.apply(b);
    });
    c.on('replay:state', (s) => this.states.push(s));
  }

  apply(b: DeltaBatch): void {
    for (const d of b.series) {
      if (d.kind === 'scalars') {
        let run = this.scalars.get(d.run);
        if (!run) this.scalars.set(d.run, (run = new Map()));
        let h = run.get(d.tag);
        if (!h || d.reset) run.set(d.tag, (h = { wallTimes: [], steps: [], values: [] }));
        h.wallTimes.push(...d.wallTimes);
        h.steps.push(...d.steps);
        h.values.push(...d.values);
      } else if (d.kind === 'histograms') {
        let run = this.histograms.get(d.run);
        if (!run) this.histograms.set(d.run, (run = new Map()));
        let h = run.get(d.tag);
        if (!h || d.reset) run.set(d.tag, (h = []));
        h.push(...d.points.map((p) => p[1]));
      }
    }
  }

  /** Per tag, the last step held (for `have`). */
  have(run: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [tag, h] of this.scalars.get(run) ?? []) if (h.steps.length) out[tag] = h.steps[h.steps.length - 1];
    for (const [tag, steps] of this.histograms.get(run) ?? []) if (steps.length) out[tag] = Math.max(out[tag] ?? -Infinity, steps[steps.length - 1]);
    return out;
  }

  pointCount(run?: string): number {
    let n = 0;
    for (const [r, tags] of this.scalars) if (!run || r === run) for (const h of tags.values()) n += h.steps.length;
    return n;
  }
}

/** Scalar series from records, in record order: tag -> steps/values (NaN/Inf as null like the wire). */
export function scalarsOf(records: LogRecord[]): Map<string, Held> {
  const out = new Map<string, Held>();
  for (const r of records) {
    if (r.kind !== 'scalar') continue;
    let h = out.get(r.tag);
    if (!h) out.set(r.tag, (h = { wallTimes: [], steps: [], values: [] }));
    h.wallTimes.push(r.wallTime);
    h.steps.push(r.step);
    h.values.push(Number.isFinite(r.value) ? r.value : null);
  }
  return out;
}

export async function until(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
