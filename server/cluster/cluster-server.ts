// A dashboard server's part of the cluster (serve --redis), composed here so app.ts adds a few lines:
// - reads the live stream (every worker's summaries and statuses) into its own store and hub, so it can
//   push points live AND answer a reconnecting client's `have` from its store: a browser that moves to
//   another server resumes there with no gap and no duplicate (each server holds the same points);
// - merges them with what its file watcher reads from the shared logdir, each point once (dedup.ts);
// - TRAIN and sweeps enqueue runs for the workers (queue.ts), unless --local-training;
// - shares socket.io broadcasts with the other servers through the Redis streams adapter (adapter.ts).
import type { Server } from 'socket.io';
import { Queue, QueueEvents } from 'bullmq';
import type { RunInfo } from '../../shared/types.ts';
import type { Ingest } from '../live/ingest.ts';
import type { LogRecord } from '../logs/records.ts';
import type { TrainingManager } from '../training/manager.ts';
import { attachAdapter } from './adapter.ts';
import { PointDedup, StreamOrder } from './dedup.ts';
import { LiveConsumer, LivePublisher } from './live-stream.ts';
import { ClusterTrainer } from './queue.ts';
import { connectRedis, KEYS, throttledWarn } from './redis.ts';
import { isActive, MAX_ENDED, RunRegistry } from './run-registry.ts';
import { RunInfoSchema, type LiveEntry } from './wire.ts';

export interface ClusterServerConfig {
  redis: string;
  logdir: string;
  /** Queue TRAIN's runs for workers (false: --local-training, or a server without training). */
  queueRuns: boolean;
  maxQueue: number;
  maxRunBytes: number;
  warn: (m: string) => void;
}

export interface ClusterHooks {
  io: Server;
  ingest: Ingest;
  /** A cluster run's info changed: push it to clients. */
  runChanged: (run: string, info: RunInfo) => void;
  /** The local trainer, with --local-training (its runs arrive in-process, not from the stream). */
  manager: TrainingManager | null;
}

export class ClusterServer {
  readonly registry = new RunRegistry();
  /** Null with --local-training. */
  readonly trainer: ClusterTrainer | null;
  private readonly dedup = new PointDedup();
  private readonly order = new StreamOrder();
  private readonly pub;
  private readonly publisher: LivePublisher;
  private readonly consumer: LiveConsumer;
  private readonly queue: Queue | null;
  private readonly events: QueueEvents | null;
  private hooks: ClusterHooks | null = null;
  private readonly warn: (m: string) => void;

  constructor(private readonly c: ClusterServerConfig) {
    this.warn = (m) => c.warn(`cluster: ${m}`);
    this.pub = connectRedis(c.redis, 'trainscope-server', (e) => this.warn(`Redis: ${e.message} (reconnecting)`), true);
    this.publisher = new LivePublisher(this.pub, this.warn);
    this.consumer = new LiveConsumer(connectRedis(c.redis, 'trainscope-server-live', () => {}), (e) => this.onEntry(e), this.warn);
    if (!c.queueRuns) {
      this.queue = null;
      this.events = null;
      this.trainer = null;
    } else {
      this.queue = new Queue(KEYS.queue, { connection: connectRedis(c.redis, 'trainscope-server-queue', () => {}) });
      const queueWarn = throttledWarn(this.warn);
      this.queue.on('error', (e) => queueWarn(`queue: ${e.message}`));
      this.events = new QueueEvents(KEYS.queue, { connection: connectRedis(c.redis, 'trainscope-server-events', () => {}) });
      const eventsWarn = throttledWarn(this.warn);
      this.events.on('error', (e) => eventsWarn(`queue events: ${e.message}`));
      this.trainer = new ClusterTrainer({
        logdir: c.logdir,
        queue: this.queue,
        redis: this.pub,
        registry: this.registry,
        publisher: this.publisher,
        capacity: c.maxQueue,
        maxRunBytes: c.maxRunBytes,
        changed: (info) => this.hooks?.runChanged(info.name, info),
        warn: this.warn,
      });
      this.trainer.watch(this.events);
    }
  }

  /** The watcher's records pass here: a cluster run's points already delivered live are dropped. */
  fromDisk(ingest: Ingest): Ingest {
    return (run, records) => {
      const out = this.dedup.filter(run, records, this.isRemote(run));
      if (out.length > 0) ingest(run, out);
    };
  }

  /** Run list for RunsService: the cluster's runs, and the local trainer's (which win on a name). */
  runList(): RunInfo[] {
    const local = this.hooks?.manager?.list() ?? [];
    const names = new Set(local.map((r) => r.name));
    return [...local, ...this.registry.list().filter((r) => !names.has(r.name))];
  }

  /** Learns the runs so far, joins the socket.io adapter and starts reading the live stream. */
  async start(hooks: ClusterHooks): Promise<void> {
    this.hooks = hooks;
    if (hooks.manager) {
      // Runs trained here go to the other servers like a worker's.
      hooks.manager.on('records', (run, records) => this.publisher.records(run, records));
      hooks.manager.on('status', (info) => this.publisher.status(info));
    }
    this.consumer.start(); // from now on; what came before is in the hash and on disk
    // In the background: with Redis down at start-up the dashboard still comes up (and serves the logdir).
    void this.loadRuns();
    await attachAdapter(hooks.io, connectRedis(this.c.redis, 'trainscope-server-io', () => {}));
  }

  private async loadRuns(): Promise<void> {
    try {
      const all = await this.pub.hgetall(KEYS.runs);
      const ended: RunInfo[] = [];
      for (const json of Object.values(all)) {
        const parsed = RunInfoSchema.safeParse(safeJson(json));
        if (!parsed.success) continue;
        const info = parsed.data as RunInfo;
        this.registry.apply(info);
        if (!isActive(info)) ended.push(info);
      }
      // The hash stays bounded: the oldest ended runs beyond what a server remembers are dropped (logs stay).
      ended.sort((a, b) => (a.status?.endedAt ?? 0) - (b.status?.endedAt ?? 0));
      const drop = ended.slice(0, Math.max(0, ended.length - MAX_ENDED)).map((i) => i.name);
      if (drop.length > 0) await this.pub.hdel(KEYS.runs, ...drop);
      for (const info of this.registry.list()) this.hooks?.runChanged(info.name, info);
    } catch (e) {
      this.warn(`reading the runs hash: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.events?.close().catch(() => {});
    await this.queue?.close().catch(() => {});
    await this.publisher.flush(1000);
    this.pub.disconnect();
  }

  // ---------- internals ----------

  private isRemote(run: string): boolean {
    return this.registry.has(run) && !this.isLocal(run);
  }

  private isLocal(run: string): boolean {
    return this.hooks?.manager?.list().some((r) => r.name === run) ?? false;
  }

  private onEntry(e: LiveEntry): void {
    const h = this.hooks;
    if (!h || this.isLocal(e.run)) return;
    if (e.type === 'status') {
      if (this.registry.apply(e.info)) h.runChanged(e.run, e.info);
      return;
    }
    // A gap (entries lost or trimmed, or a run we joined late): from here on the run comes from disk only.
    if (!this.order.accept(e.run, e.seq)) return;
    const out: LogRecord[] = this.dedup.filter(e.run, e.records, true);
    if (out.length > 0) h.ingest(e.run, out);
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
