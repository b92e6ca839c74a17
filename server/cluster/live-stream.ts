// The live stream's two ends: LivePublisher (workers, and a server training locally) XADDs each batch of
// summaries and each status change; LiveConsumer (every dashboard server) reads it with XREAD BLOCK and
// hands the checked entries on. Redis being down costs no data: the publisher's connection queues commands
// and sends them in order once Redis is back (up to a bound; past it batches are skipped, which readers
// see as a sequence gap and fill from the disk, see dedup.ts); the consumer resumes after the last entry
// it read.
import type { Redis } from 'ioredis';
import type { RunInfo } from '../../shared/types.ts';
import type { LogRecord } from '../logs/records.ts';
import { KEYS, LIVE_MAXLEN } from './redis.ts';
import { decodeEntry, recordsEntry, statusEntry, type LiveEntry } from './wire.ts';

const ENDED = new Set(['finished', 'failed', 'stopped', 'interrupted']);

/**
 * After a short read the consumer waits this long before the next XREAD, so a steady trickle of entries
 * is read in batches: every command is a socket write (a syscall) on both ends, and at 500 entries/s one
 * XREAD per entry cost a server more CPU than ingesting them (profiled). Well under the hub's 25 ms
 * coalescing window, so it adds little to a point's latency.
 */
const READ_COALESCE_MS = 10;

export class LivePublisher {
  private seq = new Map<string, number>();
  private pending = 0;

  constructor(
    private readonly redis: Redis,
    private readonly warn: (m: string) => void,
    /** Commands allowed to wait (Redis down or slow) before record batches are skipped. */
    private readonly maxPending = 20_000,
  ) {}

  records(run: string, records: readonly LogRecord[]): void {
    if (records.length === 0) return;
    const seq = this.seq.get(run) ?? 0;
    this.seq.set(run, seq + 1);
    if (this.pending >= this.maxPending) return; // a gap: servers read this run from the disk from here on
    this.send(this.redis.xadd(KEYS.live, 'MAXLEN', '~', LIVE_MAXLEN, '*', ...recordsEntry(run, seq, records)), run);
  }

  status(info: RunInfo): void {
    const json = JSON.stringify(info);
    const p = this.redis.multi().xadd(KEYS.live, 'MAXLEN', '~', LIVE_MAXLEN, '*', ...statusEntry(info)).hset(KEYS.runs, info.name, json).exec();
    this.send(p, info.name);
    if (info.status && ENDED.has(info.status.state)) this.seq.delete(info.name);
  }

  private send(p: Promise<unknown>, run: string): void {
    this.pending++;
    p.then(
      () => this.pending--,
      (e: Error) => {
        this.pending--;
        this.warn(`run "${run}": could not publish to Redis: ${e.message}`);
      },
    );
  }

  /** Resolves once everything sent so far was answered (or failed). */
  async flush(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }
}

export class LiveConsumer {
  private closed = false;
  private loop: Promise<void> | null = null;

  /** `redis`: a connection of its own (XREAD BLOCK holds it). */
  constructor(
    private readonly redis: Redis,
    private readonly onEntry: (e: LiveEntry) => void,
    private readonly warn: (m: string) => void,
  ) {}

  /** Starts reading entries added from now on. */
  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let last = '$';
    while (!this.closed) {
      let res: [Buffer, [Buffer, Buffer[]][]][] | null;
      try {
        res = (await this.redis.xreadBuffer('COUNT', 1000, 'BLOCK', 2000, 'STREAMS', KEYS.live, last)) as typeof res;
      } catch (e) {
        if (this.closed) break;
        this.warn(`reading the live stream: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      let n = 0;
      for (const [, entries] of res ?? []) {
        n += entries.length;
        for (const [id, fields] of entries) {
          last = id.toString();
          let entry: LiveEntry;
          try {
            entry = decodeEntry(fields);
          } catch (e) {
            this.warn(`live stream entry ${last} skipped: ${(e as Error).message}`);
            continue;
          }
          try {
            this.onEntry(entry);
          } catch (e) {
            this.warn(`live stream entry ${last}: ${(e as Error).message}`);
          }
        }
      }
      if (n > 0 && n < 100) await new Promise((r) => setTimeout(r, READ_COALESCE_MS));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.redis.disconnect();
    await this.loop?.catch(() => {});
  }
}
