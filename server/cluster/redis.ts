// Redis connections for the cluster (servers and workers), and the names everything shares.
// Imported only with --redis (dynamically), so a single-machine start never loads ioredis or BullMQ.
import { Redis, type RedisOptions } from 'ioredis';

/** Key and channel names; one place so servers and workers agree. */
export const KEYS = {
  /** BullMQ queue of runs to train (bull:<name>:* keys). */
  queue: 'trainscope-runs',
  /** The live stream: summaries and statuses of every cluster run (wire.ts). */
  live: 'trainscope:live',
  /** Hash run name -> latest RunInfo JSON (so a server that starts later knows the runs). */
  runs: 'trainscope:runs',
  /** Pub/sub channel of stop requests (message: run name). */
  stop: 'trainscope:stop',
  /** Per run, a stop asked for before a worker took it (checked when one does). */
  stopKey: (run: string) => `trainscope:stop:${run}`,
  /** socket.io adapter stream. */
  io: 'trainscope:io',
} as const;

/** Entries the live stream keeps (approximately: MAXLEN ~). A server further behind falls back to the disk. */
export const LIVE_MAXLEN = 200_000;

/**
 * A connection that survives Redis restarts: reconnects forever (backoff up to 2 s), keeps commands issued
 * meanwhile in its offline queue and sends them, in order, once back (maxRetriesPerRequest null, as BullMQ
 * requires for its blocking connections).
 */
export function connectRedis(url: string, name: string, onError?: (e: Error) => void, autoPipelining = false): Redis {
  const opts: RedisOptions = {
    connectionName: name,
    // Publishers: the commands of one event-loop turn go out in one write (one syscall), not one each.
    enableAutoPipelining: autoPipelining,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 + times * 200, 2000),
  };
  const r = new Redis(url, opts);
  let lastWarn = 0;
  r.on('error', (e: Error) => {
    // While Redis is down every retry errors: say so every few seconds, not 5 times a second.
    const now = Date.now();
    if (now - lastWarn > 5000) {
      lastWarn = now;
      onError?.(e);
    }
  });
  return r;
}

/** A warning function that says the same kind of thing at most every `ms` (Redis down: every retry errors). */
export function throttledWarn(warn: (m: string) => void, ms = 5000): (m: string) => void {
  let last = 0;
  return (m) => {
    const now = Date.now();
    if (now - last < ms) return;
    last = now;
    warn(m);
  };
}
