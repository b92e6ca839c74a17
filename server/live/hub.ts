// The live hub: every accepted point (trainer or logdir) fans out to subscribed clients, coalesced and
// pushed on a shared tick at most every PUSH_INTERVAL_MS (leading edge: after a quiet period the next
// point goes out on the next turn of the event loop, not a window later).
//
// Clients with the same subscription form a group that shares one buffer, so a tick's batch is merged
// and encoded once and broadcast to all of them. A client is "private" (own buffer) while its
// subscribe-time backlog drains or while its transport is backed up; it rejoins the group at a tick
// boundary once its buffer is empty. Every delta goes to exactly one of the two buffers, so there is
// no gap and no duplicate.
//
// Private batches (backlogs) are encoded per client, so they are sent in slices of bounded time: when a
// tick's slice is used up, the remaining private clients are served on the next turns of the event loop
// (each still at most once per interval), so a burst of new clients never stalls the live pushes.
import { PUSH_INTERVAL_MS, type DeltaBatch, type DropNotice, type PluginNotice, type SeriesDelta, type SeriesKind } from '../../shared/protocol.ts';
import { downsampleDelta } from './backlog-downsample.ts';
import type { RunInfo } from '../../shared/types.ts';
import type { SeriesStore } from '../store/series-store.ts';
import { ClientBuffer, deltaBytes } from './client-buffer.ts';
import type { TagFilter } from './tag-filter.ts';

/** What the hub needs from a connected client (a socket.io socket in the app, a fake in tests). */
export interface ClientSink {
  readonly id: string;
  emitDelta(batch: DeltaBatch): void;
  /** Packets queued on the transport and not yet written (backpressure signal). */
  pending(): number;
  /** Bytes queued for it below the hub (transport write buffer and socket), not yet taken by the peer. */
  queuedBytes(): number;
  /** Tells the client why it is being dropped, then disconnects it (freeing what is queued). */
  drop(notice: DropNotice): void;
}

export interface Subscription {
  runs: '*' | string[];
  filter: TagFilter;
  /** Cache key of the filter (clients with equal runs and key share a group). */
  filterKey?: string;
  /** Per run, per tag: last step the client holds; the backlog is exactly what comes after. */
  have?: Record<string, Record<string, number>>;
  /** Kinds of series wanted (e.g. no histograms for a client without a histogram view); all when absent. */
  kinds?: readonly SeriesKind[];
  /** Most points per scalar series the client's charts show: a longer backlog is decimated to it (live points are not). */
  points?: number;
}

export interface HubOptions {
  intervalMs?: number;
  /** Largest private batch, in points; bigger backlogs go out over several ticks. */
  maxBatchPoints?: number;
  /** Time one turn of the event loop may spend sending private batches (ms) before yielding. */
  privateSliceMs?: number;
  /** Transport packets allowed to be pending before a client's push is held back. */
  maxPendingPackets?: number;
  /**
   * Bytes allowed to wait for one client (its share of the hub's queue plus its transport's buffers);
   * beyond it a client that is not draining is dropped with a notice.
   */
  maxClientBytes?: number;
  /** Sends one batch to several clients, encoding it once (socket.io rooms); default: one emit each. */
  broadcast?: (ids: string[], batch: DeltaBatch) => void;
  now?: () => number;
}

interface Group {
  key: string;
  runs: '*' | Set<string> | null; // null: not subscribed (run infos only)
  filter: TagFilter;
  kinds: ReadonlySet<SeriesKind> | null; // null: every kind
  buffer: ClientBuffer;
  shared: Set<Client>;
  refs: number;
}

interface Client {
  sink: ClientSink;
  group: Group;
  /** Own buffer while private (backlog draining or transport backed up). */
  buffer: ClientBuffer | null;
  /** Tick in which its last private batch went out (private batches, too, go at most once per tick). */
  lastPushTick: number;
  /** Runs whose subscribe-time backlog is not fully sent yet (each is named in a batch's `loaded` when it is). */
  backlog?: Set<string>;
  /**
   * Bytes of its subscribe-time backlog not yet handed to the transport: the server's own data (held by
   * the store anyway), not counted against the client's byte budget; what piles up beyond it is.
   */
  backlogBytes?: number;
}

const NONE_KEY = '\u0000none';
export const DEFAULT_MAX_CLIENT_BYTES = 8 * 1024 * 1024;

function matches(g: Pick<Group, 'runs' | 'filter' | 'kinds'>, d: SeriesDelta): boolean {
  if (g.runs === null) return false;
  if (g.kinds && !g.kinds.has(d.kind)) return false;
  if (g.runs !== '*' && !g.runs.has(d.run)) return false;
  return g.filter(d.tag);
}

/** Canonical group key: clients with equal runs, tag filter and kinds share one batch per tick. */
export function subscriptionKey(sub: Pick<Subscription, 'runs' | 'filterKey' | 'kinds'>): string {
  const runsKey = sub.runs === '*' ? '*' : JSON.stringify([...new Set(sub.runs)].sort());
  const kindsKey = sub.kinds ? [...new Set(sub.kinds)].sort().join(',') : '*';
  // Without a filter key the filter cannot be compared: a group of its own.
  return `${runsKey}\u0000${sub.filterKey ?? Math.random()}\u0000${kindsKey}`;
}

function emptyBatch(b: DeltaBatch | null): boolean {
  return !b || (b.series.length === 0 && !b.runs?.length && !b.graphs?.length && !b.loaded?.length && !b.plugins?.length);
}

const failedToSend: DropNotice = { reason: 'send-failed', message: 'Trainscope dropped this connection: sending to it failed. Reconnect to resume.' };

export class LiveHub {
  private clients = new Map<string, Client>();
  private groups = new Map<string, Group>();
  private readonly intervalMs: number;
  private readonly maxBatchPoints: number;
  private readonly privateSliceMs: number;
  private readonly maxPendingPackets: number;
  private readonly maxClientBytes: number;
  private readonly broadcast: (ids: string[], batch: DeltaBatch) => void;
  private readonly now: () => number;
  private lastTickAt = -Infinity;
  private tickSeq = 0;
  private timeout: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** A private pass continuing on the next turn of the event loop. */
  private continuation: NodeJS.Immediate | null = null;
  private closed = false;

  constructor(
    private readonly store: SeriesStore,
    opts: HubOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? PUSH_INTERVAL_MS;
    // ~40k points encode (MessagePack) in ~4 ms: small enough to interleave with live pushes, and few
    // enough batches that a late joiner's backlog is out in a handful of ticks on a starved CPU.
    this.maxBatchPoints = opts.maxBatchPoints ?? 40_000;
    this.privateSliceMs = opts.privateSliceMs ?? 10;
    this.maxPendingPackets = opts.maxPendingPackets ?? 16;
    this.maxClientBytes = opts.maxClientBytes ?? DEFAULT_MAX_CLIENT_BYTES;
    this.now = opts.now ?? (() => performance.now());
    this.broadcast =
      opts.broadcast ??
      ((ids, batch) => {
        for (const id of ids) this.clients.get(id)?.sink.emitDelta(batch);
      });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Clients currently on their own buffer: backlog still draining or transport backed up (diagnostics). */
  get privateCount(): number {
    let n = 0;
    for (const c of this.clients.values()) if (c.buffer) n++;
    return n;
  }

  /** Number of distinct subscription groups (diagnostics/tests). */
  get groupCount(): number {
    return this.groups.size;
  }

  addClient(sink: ClientSink): void {
    const group = this.group(NONE_KEY, null, () => false, null);
    const c: Client = { sink, group, buffer: null, lastPushTick: -1 };
    group.shared.add(c);
    this.clients.set(sink.id, c);
  }

  removeClient(id: string): void {
    const c = this.clients.get(id);
    if (!c) return;
    this.leave(c);
    this.clients.delete(id);
  }

  /**
   * Registers (or replaces) the client's subscription and queues its backlog in the same synchronous
   * step, so no live point can fall between the two: no gap, no duplicate. Returns the runs with a
   * backlog to send (a later batch names each in `loaded` once its backlog is out).
   */
  subscribe(id: string, sub: Subscription): string[] {
    const c = this.clients.get(id);
    if (!c) throw new Error(`subscribe: unknown client ${id}`);
    const key = subscriptionKey(sub);
    const kinds = sub.kinds ? new Set(sub.kinds) : null;
    const buffer = this.privatize(c);
    buffer.clearSeries(); // queued points may overlap the new backlog: start over from `have`
    this.leave(c);
    c.group = this.group(key, sub.runs === '*' ? '*' : new Set(sub.runs), sub.filter, kinds);
    c.buffer = buffer;
    const runs = sub.runs === '*' ? this.store.runs() : sub.runs.filter((r) => this.store.hasRun(r));
    for (const run of runs) {
      const have = sub.have && Object.hasOwn(sub.have, run) ? sub.have[run] : {}; // a run may be named "constructor"
      // Only the kinds asked for are built (a run's histograms may not even be in memory yet: log cache).
      for (const d of this.store.deltasAfter(run, have, sub.filter, kinds ?? undefined)) {
        if (!kinds || kinds.has(d.kind)) buffer.pushSeries(sub.points ? downsampleDelta(d, sub.points) : d);
      }
    }
    c.backlog = buffer.queuedRuns();
    c.backlogBytes = buffer.approxBytes();
    this.schedule();
    return [...c.backlog];
  }

  unsubscribe(id: string): void {
    const c = this.clients.get(id);
    if (!c) return;
    const buffer = this.privatize(c);
    buffer.clearSeries();
    c.backlog = undefined;
    c.backlogBytes = 0;
    this.leave(c);
    c.group = this.group(NONE_KEY, null, () => false, null);
    c.buffer = buffer;
    this.schedule();
  }

  /** Whether some client takes points of this run (when none does, ingest builds no deltas). */
  wantsRun(run: string): boolean {
    if (this.closed) return false;
    for (const g of this.groups.values()) if (g.refs > 0 && g.runs !== null && (g.runs === '*' || g.runs.has(run))) return true;
    return false;
  }

  /** Whether some client takes this kind of series of this run. */
  wantsKind(run: string, kind: SeriesDelta['kind']): boolean {
    if (this.closed) return false;
    for (const g of this.groups.values()) if (g.refs > 0 && g.runs !== null && (g.runs === '*' || g.runs.has(run)) && (!g.kinds || g.kinds.has(kind))) return true;
    return false;
  }

  /** Fans accepted points out: once per group, and to each private client. */
  publish(deltas: SeriesDelta[]): void {
    if (deltas.length === 0 || this.closed) return;
    let queued = false;
    for (const g of this.groups.values()) {
      if (g.runs === null || g.shared.size === 0) continue;
      for (const d of deltas) {
        if (matches(g, d)) {
          g.buffer.pushSeries(d);
          queued = true;
        }
      }
    }
    for (const c of this.clients.values()) {
      if (!c.buffer) continue;
      for (const d of deltas) {
        if (matches(c.group, d)) {
          c.buffer.pushSeries(d);
          queued = true;
        }
      }
      // Bound memory even if ticks cannot run often enough.
      if (this.backedUp(c)) this.dropIfOverBudget(c);
    }
    if (queued) this.schedule();
  }

  /** Run list changes go to every connected client (the sidebar lists all runs). */
  publishRuns(infos: RunInfo[]): void {
    if (infos.length === 0 || this.closed) return;
    for (const g of this.groups.values()) if (g.shared.size > 0) g.buffer.pushRuns(infos);
    for (const c of this.clients.values()) c.buffer?.pushRuns(infos);
    this.schedule();
  }

  publishGraph(run: string): void {
    if (this.closed) return;
    for (const g of this.groups.values()) if (g.shared.size > 0) g.buffer.pushGraph(run);
    for (const c of this.clients.values()) c.buffer?.pushGraph(run);
    this.schedule();
  }

  /** A run got new data of HTTP-served plugins: tell the clients subscribed to it (they refetch). */
  publishPlugins(notices: PluginNotice[]): void {
    if (notices.length === 0 || this.closed) return;
    const wants = (g: Group, run: string) => g.runs !== null && (g.runs === '*' || g.runs.has(run));
    for (const n of notices) {
      for (const g of this.groups.values()) if (g.shared.size > 0 && wants(g, n.run)) g.buffer.pushPlugin(n);
      for (const c of this.clients.values()) if (c.buffer && wants(c.group, n.run)) c.buffer.pushPlugin(n);
    }
    this.schedule();
  }

  /** Drops anything queued for a removed run. */
  runRemoved(run: string): void {
    for (const g of this.groups.values()) g.buffer.dropRun(run);
    for (const c of this.clients.values()) c.buffer?.dropRun(run);
  }

  close(): void {
    this.closed = true;
    if (this.timeout) clearTimeout(this.timeout);
    if (this.immediate) clearImmediate(this.immediate);
    if (this.continuation) clearImmediate(this.continuation);
    this.clients.clear();
    this.groups.clear();
  }

  // ---------- internals ----------

  private group(key: string, runs: Group['runs'], filter: TagFilter, kinds: Group['kinds']): Group {
    let g = this.groups.get(key);
    if (!g) {
      g = { key, runs, filter, kinds, buffer: new ClientBuffer(), shared: new Set(), refs: 0 };
      this.groups.set(key, g);
    }
    g.refs++;
    return g;
  }

  private leave(c: Client): void {
    const g = c.group;
    g.shared.delete(c);
    if (--g.refs <= 0) this.groups.delete(g.key);
  }

  /**
   * Makes the client private, handing it whatever its group holds for the next tick (which it would
   * otherwise have received with the group).
   */
  private privatize(c: Client): ClientBuffer {
    if (c.buffer) return c.buffer;
    const b = new ClientBuffer();
    if (c.group.shared.has(c)) {
      c.group.shared.delete(c);
      b.pushBuffer(c.group.buffer);
    }
    c.buffer = b;
    return b;
  }

  private schedule(): void {
    if (this.timeout || this.immediate || this.closed) return;
    const wait = this.lastTickAt + this.intervalMs - this.now();
    if (wait <= 0) this.immediate = setImmediate(() => this.tick());
    else this.timeout = setTimeout(() => this.tick(), Math.ceil(wait));
  }

  /** The transport is not taking what it has: many packets, or an eighth of the byte budget, waiting. */
  private backedUp(c: Client): boolean {
    try {
      return c.sink.pending() > this.maxPendingPackets || c.sink.queuedBytes() > this.maxClientBytes / 8;
    } catch {
      return true;
    }
  }

  /** Bytes waiting for the client: its transport's buffers and its own queue here (estimated). */
  private queuedBytes(c: Client): number {
    let below: number;
    try {
      below = c.sink.queuedBytes();
    } catch {
      below = Infinity;
    }
    return below + (c.buffer ? Math.max(0, c.buffer.approxBytes() - (c.backlogBytes ?? 0)) : 0);
  }

  /** Drops a client with more than its byte budget waiting; true when it was dropped. */
  private dropIfOverBudget(c: Client): boolean {
    const q = this.queuedBytes(c);
    if (q <= this.maxClientBytes) return false;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    this.dropClient(c, {
      reason: 'slow-client',
      message:
        `Trainscope dropped this connection: it was not reading what the server sent ` +
        `(${mb(q)} MB waiting, limit ${mb(this.maxClientBytes)} MB; see --max-client-buffer-mb). Reconnect to resume.`,
      queuedBytes: Number.isFinite(q) ? q : undefined,
      limitBytes: this.maxClientBytes,
    });
    return true;
  }

  private tick(): void {
    this.timeout = null;
    this.immediate = null;
    if (this.closed) return;
    this.lastTickAt = this.now();
    this.tickSeq++;
    // 1. Groups: one batch each, broadcast to members that can take it; the others go private.
    for (const g of this.groups.values()) {
      if (g.buffer.isEmpty()) continue;
      const batch = g.buffer.take();
      if (emptyBatch(batch) || g.shared.size === 0) continue;
      const ids: string[] = [];
      for (const c of [...g.shared]) {
        if (this.backedUp(c)) {
          if (this.dropIfOverBudget(c)) continue;
          g.shared.delete(c);
          c.buffer = new ClientBuffer();
          c.buffer.pushBatch(batch!);
        } else ids.push(c.sink.id);
      }
      if (ids.length > 0) {
        try {
          this.broadcast(ids, batch!);
        } catch {
          // A failing transport is noticed per client through pending()/disconnect.
        }
      }
    }
    // 2. Private clients: their own batch; rejoin the group once drained.
    if (this.continuation) {
      clearImmediate(this.continuation);
      this.continuation = null;
    }
    this.privatePass(true);
  }

  /**
   * Sends each due private client one batch, oldest push first, until the time slice is used up; the rest
   * continue on the next turn of the event loop. `atBoundary`: right after the groups' batches were taken
   * (in the same synchronous step), the only moment a drained client may rejoin its group without a gap
   * or duplicate.
   */
  private privatePass(atBoundary: boolean): void {
    this.continuation = null;
    if (this.closed) return;
    const start = this.now();
    const list: Client[] = [];
    for (const c of this.clients.values()) if (c.buffer) list.push(c);
    list.sort((a, b) => a.lastPushTick - b.lastPushTick);
    let more = false;
    let sliced = false;
    let served = 0;
    for (const c of list) {
      const b = c.buffer;
      if (!b || !this.clients.has(c.sink.id)) continue;
      if (b.isEmpty() && c.backlog?.size) {
        // Backlog gone without a batch (e.g. its run was removed): still say it is done.
        this.sendLoaded(c, { series: [] });
        more = true; // rejoins at the next tick
        continue;
      }
      if (b.isEmpty()) {
        if (atBoundary) this.rejoin(c);
        else more = true; // rejoins at the next tick
        continue;
      }
      if (this.backedUp(c)) {
        if (!this.dropIfOverBudget(c)) more = true; // hold back this tick; the buffer keeps coalescing
        continue;
      }
      if (c.lastPushTick === this.tickSeq) {
        more = true; // already served in this tick (by an earlier pass): wait for the next one
        continue;
      }
      if (served > 0 && this.now() - start >= this.privateSliceMs) {
        sliced = true;
        continue;
      }
      const batch = b.take(this.maxBatchPoints);
      if (batch && c.backlogBytes) {
        let sent = 0;
        for (const d of batch.series) sent += deltaBytes(d);
        c.backlogBytes = Math.max(0, c.backlogBytes - sent);
      }
      c.lastPushTick = this.tickSeq;
      served++;
      if (batch && c.backlog?.size) this.markLoaded(c, batch);
      if (!emptyBatch(batch)) {
        try {
          c.sink.emitDelta(batch!);
        } catch {
          this.dropClient(c, failedToSend);
          continue;
        }
      }
      if (b.isEmpty() && atBoundary) this.rejoin(c);
      else more = true;
    }
    if (sliced) this.continuation = setImmediate(() => this.privatePass(false));
    if (more) this.schedule();
  }

  /** Names in `batch.loaded` the backlog runs with nothing left in the client's buffer. */
  private markLoaded(c: Client, batch: DeltaBatch): void {
    const queued = c.buffer?.queuedRuns() ?? new Set<string>();
    const done: string[] = [];
    for (const run of c.backlog ?? []) if (!queued.has(run)) done.push(run);
    for (const run of done) c.backlog!.delete(run);
    if (done.length > 0) batch.loaded = done;
  }

  private sendLoaded(c: Client, batch: DeltaBatch): void {
    this.markLoaded(c, batch);
    c.lastPushTick = this.tickSeq;
    if (emptyBatch(batch)) return;
    try {
      c.sink.emitDelta(batch);
    } catch {
      this.dropClient(c, failedToSend);
    }
  }

  /** At a tick boundary, after the group's batch was taken: the client continues with its group. */
  private rejoin(c: Client): void {
    c.buffer = null;
    c.group.shared.add(c);
  }

  private dropClient(c: Client, notice: DropNotice): void {
    this.removeClient(c.sink.id);
    try {
      c.sink.drop(notice);
    } catch {
      // The socket is already gone.
    }
  }
}
