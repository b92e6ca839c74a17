// `trainscope serve` (the default command): TensorBoard's flags plus ours, turned into an AppConfig
// by a pure function, and the --build-if-needed step.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { BackendChoice } from '../../shared/types.ts';
import { DEFAULT_WEB_DIR, PROJECT_ROOT, type AppConfig, type Logger } from '../config.ts';
import { parseRedisUrl } from '../cluster/redis-url.ts';
import { parseAllowedOrigins } from '../security/origin.ts';
import { parseSamplesPerPlugin } from '../store/series-store.ts';
import { parseByteSize } from '../training/log-estimate.ts';
import { CACHE_DIR_NAME } from '../logs/logdir.ts';
import { importPackage } from '../dynamic-import.ts';

export interface ServeOptions {
  logdir: string;
  port: string;
  host: string;
  bind_all?: boolean;
  reload_interval: string;
  samples_per_plugin?: string;
  window_title?: string;
  maxRuns?: string;
  maxReplays?: string;
  maxClientBufferMb?: string;
  authToken?: string;
  allowedOrigins?: string;
  maxRunBytes?: string;
  maxLogdirBytes?: string;
  demo?: boolean;
  backend: string;
  buildIfNeeded?: boolean;
  training?: boolean;
  webDir?: string;
  redis?: string;
  localTraining?: boolean;
  maxMemory?: string;
  cacheDir?: string;
  cache?: boolean;
  loadWorkers?: string;
}

const BACKENDS: readonly BackendChoice[] = ['auto', 'gpu', 'node', 'wasm', 'cpu'];

function intIn(name: string, s: string, lo: number, hi: number): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`--${name} must be an integer from ${lo} to ${hi} (got "${s}")`);
  return n;
}

function byteFlag(name: string, s: string): number {
  try {
    const n = parseByteSize(s);
    if (n <= 0) throw new Error('must be more than 0');
    return n;
  } catch (e) {
    throw new Error(`--${name}: ${(e as Error).message}`);
  }
}

/** Flags -> AppConfig. Throws an Error naming the bad flag. */
export function serveConfig(o: ServeOptions): AppConfig {
  const reload = Number(o.reload_interval);
  if (!Number.isFinite(reload) || reload <= 0 || reload > 3600) {
    throw new Error(`--reload_interval must be a number of seconds in (0, 3600] (got "${o.reload_interval}")`);
  }
  if (!BACKENDS.includes(o.backend as BackendChoice)) {
    throw new Error(`--backend must be one of ${BACKENDS.join(', ')} (got "${o.backend}")`);
  }
  let samplesPerPlugin;
  if (o.samples_per_plugin) {
    try {
      samplesPerPlugin = parseSamplesPerPlugin(o.samples_per_plugin);
    } catch (e) {
      throw new Error(`--samples_per_plugin: ${(e as Error).message}`);
    }
  }
  const token = o.authToken ?? process.env.TRAINSCOPE_AUTH_TOKEN;
  if (token !== undefined && token.length < 8) throw new Error('--auth-token must be at least 8 characters');
  return {
    logdir: path.resolve(o.logdir),
    port: intIn('port', o.port, 0, 65535),
    host: o.bind_all ? '0.0.0.0' : o.host,
    reloadIntervalSec: reload,
    samplesPerPlugin,
    maxRuns: o.maxRuns === undefined ? undefined : intIn('max-runs', o.maxRuns, 1, 64),
    maxReplays: o.maxReplays === undefined ? undefined : intIn('max-replays', o.maxReplays, 1, 1024),
    maxClientBufferBytes: o.maxClientBufferMb === undefined ? undefined : intIn('max-client-buffer-mb', o.maxClientBufferMb, 1, 4096) * 1024 * 1024,
    authToken: token,
    allowedOrigins: o.allowedOrigins ? parseAllowedOrigins(o.allowedOrigins) : undefined,
    maxRunBytes: o.maxRunBytes === undefined ? undefined : byteFlag('max-run-bytes', o.maxRunBytes),
    maxLogdirBytes: o.maxLogdirBytes === undefined ? undefined : byteFlag('max-logdir-bytes', o.maxLogdirBytes),
    demo: Boolean(o.demo),
    backend: o.backend as BackendChoice,
    training: o.training !== false,
    webDir: o.webDir ? path.resolve(o.webDir) : DEFAULT_WEB_DIR,
    windowTitle: o.window_title,
    redis: o.redis === undefined ? undefined : parseRedisUrl(o.redis),
    localTraining: Boolean(o.localTraining),
    maxMemoryMb: o.maxMemory === undefined ? undefined : intIn('max-memory', o.maxMemory, 16, 1 << 24),
    loadWorkers: o.loadWorkers === undefined ? undefined : intIn('load-workers', o.loadWorkers, 0, 256),
    backgroundLoad: true,
    // The log cache: beside the logs unless told otherwise; --no-cache reads everything on every start.
    cacheDir: o.cache === false ? false : path.resolve(o.cacheDir ?? path.join(o.logdir, CACHE_DIR_NAME)),
  };
}

async function newestMtime(p: string, depth = 0): Promise<number> {
  let s;
  try {
    s = await stat(p);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  if (depth > 12) return 0;
  let newest = s.mtimeMs;
  for (const name of await readdir(p)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, await newestMtime(path.join(p, name), depth + 1));
  }
  return newest;
}

/** True when dist/web/index.html is missing or older than the dashboard's sources. */
export async function webBuildStale(webDir: string, root = PROJECT_ROOT): Promise<boolean> {
  const index = path.join(webDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = (await stat(index)).mtimeMs;
  const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'shared'].map((p) => path.join(root, p));
  for (const s of sources) if ((await newestMtime(s)) > built) return true;
  return false;
}

/** Builds the dashboard with vite's JS API when stale. Never throws: the server then serves a hint page. */
export async function buildIfNeeded(webDir: string, log: Logger, root = PROJECT_ROOT): Promise<void> {
  if (!existsSync(path.join(root, 'web', 'src'))) return; // no sources to build from
  if (!(await webBuildStale(webDir, root))) return;
  log.log('Building the dashboard (vite build)...');
  const t0 = Date.now();
  try {
    const vite = await importPackage<typeof import('vite')>('vite');
    await vite.build({ configFile: path.join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
    log.log(`Dashboard built in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  } catch (e) {
    log.error(`Dashboard build failed (serving the API anyway): ${(e as Error).message}`);
  }
}

export function registerServeCommand(program: Command, run: (opts: ServeOptions) => Promise<number>): void {
  program
    .command('serve', { isDefault: true })
    .description('serve the dashboard for a logdir (default command)')
    .option('--logdir <dir>', 'directory of runs (event files); created when missing', 'logs')
    .option('--port <port>', 'port to serve on (0 = any free port)', '6006')
    .option('--host <host>', 'interface to bind (anything but loopback exposes your logs)', '127.0.0.1')
    .option('--bind_all', 'serve on all network interfaces (prints a warning; consider --auth-token)')
    .option('--reload_interval <seconds>', 'how often the logdir is polled for new data', '1')
    .option('--samples_per_plugin <spec>', 'points kept per series by plugin (any name: scalars, histograms, images, text, audio, pr_curves, tensors...), e.g. "scalars=100000,images=10" ("all" = keep all)')
    .option('--window_title <title>', 'title shown in /data/environment')
    .option('--max-runs <n>', 'training runs at once (the rest queue)')
    .option('--max-replays <n>', 'replay sessions at once, all clients together (default 16)')
    .option('--max-client-buffer-mb <n>', 'MB that may wait for one dashboard connection before it is dropped (default 8)')
    .option('--auth-token <token>', 'require this token (Authorization: Bearer, ?token= or socket auth); also TRAINSCOPE_AUTH_TOKEN')
    .option('--allowed-origins <list>', 'comma-separated origins (e.g. http://localhost:5173) whose pages may also use the socket and change state')
    .option('--max-run-bytes <size>', 'disk budget of one training run, e.g. 500MB, 2GB, "unlimited" (default 2GB)')
    .option('--max-logdir-bytes <size>', 'disk budget of the logdir, e.g. 50GB, "unlimited" (default: its size at start + half the free space)')
    .option('--demo', 'when the logdir has no runs, start a small activation sweep on the spiral set')
    .option('--backend <name>', 'training backend: auto | gpu | node | wasm | cpu', 'auto')
    .option('--build-if-needed', 'build the dashboard first when dist/web is missing or older than web/src')
    .option('--no-training', 'read-only dashboard: no training runs (tfjs is never loaded)')
    .option('--web-dir <dir>', 'built dashboard to serve', DEFAULT_WEB_DIR)
    .option('--redis <url>', 'join a cluster through Redis (redis://HOST:6379): TRAIN queues runs for `trainscope worker`s, live points and broadcasts are shared with the other servers')
    .option('--local-training', 'with --redis: train in this process instead of queueing runs for workers')
    .option('--cache-dir <dir>', `where the log cache lives (default: <logdir>/${CACHE_DIR_NAME}); a restart serves what it holds at once`)
    .option('--no-cache', 'no log cache: read every event file from the start on each start')
    .option('--max-memory <MB>', 'store memory beyond which the least recently viewed runs leave memory (re-read when viewed again); default 1024')
    .option('--load-workers <n>', 'threads reading the logdir at start (default: one per core but one; 0 = the main thread)')
    .action(async (opts: ServeOptions) => {
      process.exitCode = await run(opts);
    });
}
