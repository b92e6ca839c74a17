// Server configuration: the shape createApp takes, its defaults, and the small pure helpers the CLI
// uses to turn flags into it.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { BackendChoice } from '../shared/types.ts';
import { DEFAULT_LIMITS, type SampleLimits } from './store/series-store.ts';
import { terminalSafe } from './terminal-text.ts';

/** Project root (the folder holding package.json), resolved from this file's location. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_WEB_DIR = path.join(PROJECT_ROOT, 'dist', 'web');

export interface Logger {
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface AppConfig {
  logdir: string;
  /** Interface to bind; loopback unless the user asks otherwise. */
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  reloadIntervalSec?: number;
  /** Samples kept per tag by plugin; plugins not given keep their default. */
  samplesPerPlugin?: Partial<SampleLimits>;
  /** Concurrent training runs (the rest queue). */
  maxRuns?: number;
  /** Queued runs the trainer accepts in total. */
  maxQueue?: number;
  /** Queued + running runs one client may have started at once. */
  maxRunsPerClient?: number;
  authToken?: string;
  /** Origins (besides the dashboard's own) whose pages may open the socket and change state. */
  allowedOrigins?: string[];
  /** Bytes one training run's event file may reach (specs estimated above it are refused); default 2 GB. */
  maxRunBytes?: number;
  /** Bytes the logdir may hold; default: its size at start plus half the free disk space. Infinity = no limit. */
  maxLogdirBytes?: number;
  demo?: boolean;
  /** Built dashboard (dist/web); a hint page is served when missing. */
  webDir?: string;
  backend?: BackendChoice;
  /** false: no TrainingManager (no tfjs loaded); train:start answers an error. */
  training?: boolean;
  /** Replays (read from the store): concurrent sessions per client, and on the whole server. */
  maxReplaysPerClient?: number;
  maxReplays?: number;
  /** Bytes that may wait for one socket client before it is dropped with a notice (--max-client-buffer-mb). */
  maxClientBufferBytes?: number;
  /** GET /api/export refuses logdirs larger than this many bytes of event files. */
  maxExportBytes?: number;
  /** Defaults to console; tests pass a quiet one. */
  logger?: Logger;
  /** Shown as the page title and in /data/environment (TensorBoard's --window_title). */
  windowTitle?: string;
  /** redis://HOST:PORT: join a cluster (server/cluster/): TRAIN enqueues runs for workers, live points come from Redis. */
  redis?: string;
  /** With redis: train in this process as without it (runs still reach the other servers). */
  localTraining?: boolean;
  /** Worker threads reading the logdir at start (default: one per core but one; 0: the main thread reads). */
  loadWorkers?: number;
  /** Listen before the logdir is read (runs answer with their progress meanwhile); default false. */
  backgroundLoad?: boolean;
  /** Store bytes beyond which the least recently viewed runs leave memory (re-read when viewed); default 1024 MiB. */
  maxMemoryMb?: number;
  /** Folder of the persistent log cache (server/cache/); false (the default here; the CLI turns it on): none. */
  cacheDir?: string | false;
}

export type ResolvedConfig = Required<Omit<AppConfig, 'authToken' | 'logger' | 'maxLogdirBytes' | 'redis'>> & {
  redis: string | undefined;
  authToken: string | undefined;
  /** undefined: the default (decided at start, from the disk). */
  maxLogdirBytes: number | undefined;
  logger: Logger;
};

export const DEFAULT_MAX_RUN_BYTES = 2e9;

// Messages carry run, tag and path names from the logdir and clients: escaped before they reach the terminal.
export const consoleLogger: Logger = {
  log: (m) => console.log(terminalSafe(m, true)),
  warn: (m) => console.warn(terminalSafe(m)),
  error: (m) => console.error(terminalSafe(m, true)),
};
export const silentLogger: Logger = { log() {}, warn() {}, error() {} };

export function resolveConfig(c: AppConfig): ResolvedConfig {
  return {
    logdir: path.resolve(c.logdir),
    host: c.host ?? '127.0.0.1',
    port: c.port ?? 6006,
    reloadIntervalSec: c.reloadIntervalSec ?? 1,
    samplesPerPlugin: c.samplesPerPlugin ?? DEFAULT_LIMITS,
    windowTitle: c.windowTitle ?? '',
    maxRuns: c.maxRuns ?? 2,
    maxQueue: c.maxQueue ?? 64,
    maxRunsPerClient: c.maxRunsPerClient ?? 16,
    authToken: c.authToken || undefined,
    allowedOrigins: c.allowedOrigins ?? [],
    maxRunBytes: c.maxRunBytes ?? DEFAULT_MAX_RUN_BYTES,
    maxLogdirBytes: c.maxLogdirBytes,
    demo: c.demo ?? false,
    webDir: c.webDir ?? DEFAULT_WEB_DIR,
    backend: c.backend ?? 'auto',
    training: c.training ?? true,
    maxReplaysPerClient: c.maxReplaysPerClient ?? 4,
    maxReplays: c.maxReplays ?? 16,
    maxClientBufferBytes: c.maxClientBufferBytes ?? 8 * 1024 * 1024,
    maxExportBytes: c.maxExportBytes ?? 256 * 1024 * 1024,
    logger: c.logger ?? consoleLogger,
    redis: c.redis || undefined,
    localTraining: c.localTraining ?? false,
    // One core stays with the main thread, which ingests what the workers read (bench:big-load).
    loadWorkers: c.loadWorkers ?? Math.max(1, availableParallelism() - 1),
    backgroundLoad: c.backgroundLoad ?? false,
    maxMemoryMb: c.maxMemoryMb ?? 1024,
    cacheDir: c.cacheDir ? path.resolve(c.cacheDir) : false,
  };
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().replace(/^\[|\]$/g, '').toLowerCase();
  try {
    // As a browser or getaddrinfo reads it: 127.1, 0x7f.1 and 2130706433 are 127.0.0.1.
    h = new URL(`http://${h.includes(':') ? `[${h}]` : h}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h);
}

/** URL a browser on this machine can open (wildcard binds are shown as localhost). */
export function displayUrl(host: string, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const h = wildcard ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}/`;
}

let cachedVersion: string | undefined;
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string };
      cachedVersion = pkg.version ?? '0.0.0';
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}
