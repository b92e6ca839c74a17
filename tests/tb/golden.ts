// TensorBoard 2.21's answers, recorded by tests/fixtures/tb-golden/capture.py on the logdir that
// make_logs.py wrote with the real writers (TF2, Keras 3, TF1, PyTorch, tensorboardX), and the plumbing to
// ask our server the same questions. `npm test` never needs Python: both are committed.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../../server/app.ts';
import { silentLogger, type AppConfig } from '../../server/config.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const GOLDEN_DIR = path.join(HERE, '..', 'fixtures', 'tb-golden');
export const GOLDEN_LOGDIR = path.join(GOLDEN_DIR, 'logdir');

export type Loader = 'load_fast_true' | 'load_fast_false';

export interface GoldenRoute {
  method: 'GET' | 'POST';
  path: string;
  /** POST body as sent, and its content type. */
  body?: string;
  bodyType?: string;
  status: number;
  type: string;
  json?: unknown;
  text?: string;
  /** Binary answers are recorded as a hash and a length. */
  sha256?: string;
  bytes?: number;
}

export interface Golden {
  tensorboard: string;
  routes: GoldenRoute[];
}

/** TensorBoard's recorded answers; load_fast_true is its default (Rust) data server. */
export function loadGolden(loader: Loader = 'load_fast_true'): Golden {
  return JSON.parse(readFileSync(path.join(GOLDEN_DIR, 'responses', `${loader}.json`), 'utf8')) as Golden;
}

/** Recorded routes whose path (without the query) is `route`. */
export function goldenRoutes(g: Golden, route: string, method: 'GET' | 'POST' = 'GET'): GoldenRoute[] {
  return g.routes.filter((r) => r.method === method && r.path.split('?')[0] === route);
}

export interface Answer {
  status: number;
  type: string;
  json?: unknown;
  text?: string;
  sha256: string;
  bytes: number;
  raw: Buffer;
}

/** Asks our server what TensorBoard was asked (same method, path, query and body). */
export async function ask(base: string, r: Pick<GoldenRoute, 'method' | 'path' | 'body' | 'bodyType'>): Promise<Answer> {
  const res = await fetch(base + r.path, {
    method: r.method,
    body: r.body,
    headers: r.body !== undefined ? { 'content-type': r.bodyType ?? 'application/json' } : undefined,
  });
  const raw = Buffer.from(await res.arrayBuffer());
  const type = (res.headers.get('content-type') ?? '').split(';')[0];
  const out: Answer = { status: res.status, type, sha256: createHash('sha256').update(raw).digest('hex'), bytes: raw.length, raw };
  if (type.includes('json')) out.json = JSON.parse(raw.toString('utf8'));
  else if (type.startsWith('text/')) out.text = raw.toString('utf8');
  return out;
}

export interface GoldenServer {
  app: App;
  base: string;
  logdir: string;
  close(): Promise<void>;
}

/**
 * Our server on a private copy of the golden logdir, keeping every point (TensorBoard was run with
 * --samples_per_plugin ...=1000000), once every run TensorBoard listed is loaded.
 */
export async function startGoldenServer(extra: Partial<AppConfig> = {}): Promise<GoldenServer> {
  const logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-golden-'));
  cpSync(GOLDEN_LOGDIR, logdir, { recursive: true });
  const app = await createApp({
    logdir,
    port: 0,
    host: '127.0.0.1',
    training: false,
    logger: silentLogger,
    samplesPerPlugin: { scalars: Infinity, histograms: Infinity, images: Infinity },
    ...extra,
  } as AppConfig);
  const base = app.url().replace(/\/$/, '');
  const want = (goldenRoutes(loadGolden(), '/data/runs')[0]?.json as string[]) ?? [];
  const deadline = Date.now() + 60_000;
  for (;;) {
    const runs = (await (await fetch(`${base}/data/runs`)).json()) as string[];
    if (want.every((r) => runs.includes(r))) break;
    if (Date.now() > deadline) throw new Error(`golden runs not all loaded: have ${runs.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    app,
    base,
    logdir,
    async close() {
      await app.close();
      rmSync(logdir, { recursive: true, force: true });
    },
  };
}
