// The live hub: every accepted point (trainer or logdir) fans out to subscribed clients, coalesced and
// pushed on a shared tick at most every PUSH_INTERVAL_MS (leading edge: after a quiet period the next
// point goes out on the next turn of the event loop, not a window later).
//
// Clients with the same subscription form a group that shares one buffer, so a tick's batch is merged
// and encoded once and broadcast to all of them. A client is "private" (own buffer) from its subscribe
// until its backlog is out, and while its transport is backed up; it rejoins the group at a tick
// boundary once its buffer is empty. Every delta goes to exactly one of the two buffers, so there is
// no gap and no duplicate (hub-groups.ts keeps the clients, groups and buffers).
//
// A backlog is a snapshot shared by the joiners of one subscription (backlog-snapshot.ts: encoded once),
// plus a small catch-up of their own. A private client gets everything it is owed at once when served
// (private-drain.ts), so it is private for about a tick, or, while its snapshot is still being built (its
// first chunk goes right after the ack, the others are read in slices on the next turns of the event
// loop: snapshot-plan.ts), until the snapshot is out; private clients are served in slices of bounded
// time, the rest on the next turns of the event loop, so a burst of new clients never stalls live pushes.
import { PUSH_INTERVAL_MS, type DeltaBatch, type PluginNotice, type SeriesDelta, type DropNotice } from '../../shared/protocol.ts';
import type { RunInfo } from '../../shared/types.ts';
import type { SeriesStore } from '../store/series-store.ts';
import { SnapshotCache } from './backlog-snapshot.ts';
import { ClientBuffer } from './client-buffer.ts';
import { backedUp, overBudget } from './client-budget.ts';
import { HubGroups, takesRun } from './hub-groups.ts';
import { drainBatches, markLoaded } from './private-drain.ts';
import {
  backlogKey,
  DEFAULT_MAX_CLIENT_BYTES,
  emptyBatch,
  failedToSend,
  subscriptionKey,
  type Client,
  type ClientSink,
  type HubOptions,
  type Subscription,
} from './hub-model.ts';

export { DEFAULT_MAX_CLIENT_BYTES, subscriptionKey, type ClientSink, type HubOptions, type Subscription };

export class LiveHub {
  /** Clients and their groups (hub-groups.ts); the hub decides when their buffers go out. */
  private readonly members = new HubGroups();
  private readonly clients = this.members.clients;
  private readonly intervalMs: number;
  private readonly maxBatchPoints: number;
  private readonly privateSliceMs: number;
  readonly maxPendingPackets: number;
  readonly maxClientBytes: number;
  private readonly broadcast: (ids: string[], batch: DeltaBatch) => void;
  private readonly now: () => number;
  private lastTickAt = -Infinity;
  private tickSeq = 0;
  private timeout: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** A private pass continuing on the next turn of the event loop. */
  private continuation: NodeJS.Immediate | null = null;
  private closed = false;
  private readonly snapshots: SnapshotCache;
  private pruneTimer: NodeJS.Timeout | null = null;

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
    // Late joiners share a backlog while their catch-up stays within a batch (see subscribe) and for at
    // most 10 s (its memory is bounded in bytes too).
    this.snapshots = new SnapshotCache(opts.snapshotTtlMs ?? 10_000, opts.snapshotCacheBytes ?? 64 * 1024 * 1024);
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
    return this.members.privateClients().length;
  }

  /** Number of distinct subscription groups (diagnostics/tests). */
  get groupCount(): number {
    return this.members.groups.size;
  }

  addClient(sink: ClientSink): void {
    this.members.add(sink);
  }

  removeClient(id: string): void {
    this.members.remove(id);
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
    // Queued points may overlap the new backlog: start over from `have`.
    const buffer = this.members.regroup(c, key, sub.runs === '*' ? '*' : new Set(sub.runs), sub.filter, kinds);
    const { snap, missed } = this.snapshots.backlog(backlogKey(key, sub), this.store, sub, kinds, this.maxBatchPoints, this.now());
    this.armSnapshotPrune();
    for (const d of missed) buffer.pushSeries(d);
    c.snapshot = snap.chunks.length > 0 ? { snap, next: 0 } : undefined;
    c.backlog = new Set([...snap.runs, ...buffer.queuedRuns()]);
    c.backlogBytes = buffer.approxBytes();
    this.schedule();
    return [...c.backlog];
  }

  /** Bytes of backlog snapshots held for reuse (diagnostics/tests). */
  get snapshotBytes(): number {
    return this.snapshots.bytes;
  }

  /** Backlog snapshots built so far (diagnostics/tests: late joiners sharing one cause one). */
  get snapshotBuilds(): number {
    return this.snapshots.builds;
  }

  unsubscribe(id: string): void {
    const c = this.clients.get(id);
    if (!c) return;
    this.members.ungroup(c);
    c.snapshot = undefined;
    c.backlog = undefined;
    c.backlogBytes = 0;
    this.schedule();
  }

  /** Whether some client takes points of this run (when none does, ingest builds no deltas). */
  wantsRun(run: string): boolean {
    return !this.closed && this.members.wants(run);
  }

  /** Whether some client takes this kind of series of this run. */
  wantsKind(run: string, kind: SeriesDelta['kind']): boolean {
    return !this.closed && this.members.wants(run, kind);
  }

  /** Fans accepted points out: once per group, and to each private client. */
  publish(deltas: SeriesDelta[]): void {
    if (deltas.length === 0 || this.closed) return;
    const queued = this.members.fanOut(deltas, (c) => {
      // Bound memory even if ticks cannot run often enough.
      if (backedUp(c, this)) this.dropIfOverBudget(c);
    });
    if (queued) this.schedule();
  }

  /** Run list changes go to every connected client (the sidebar lists all runs). */
  publishRuns(infos: RunInfo[]): void {
    if (infos.length === 0 || this.closed) return;
    this.members.queue((b) => b.pushRuns(infos));
    this.schedule();
  }

  publishGraph(run: string): void {
    if (this.closed) return;
    this.members.queue((b) => b.pushGraph(run));
    this.schedule();
  }

  /** A run got new data of HTTP-served plugins: tell the clients subscribed to it (they refetch). */
  publishPlugins(notices: PluginNotice[]): void {
    if (notices.length === 0 || this.closed) return;
    for (const n of notices) this.members.queue((b) => b.pushPlugin(n), (g) => takesRun(g, n.run));
    this.schedule();
  }

  /** Drops anything queued for a removed run. */
  runRemoved(run: string): void {
    this.members.dropRun(run);
  }

  close(): void {
    this.closed = true;
    if (this.timeout) clearTimeout(this.timeout);
    if (this.immediate) clearImmediate(this.immediate);
    if (this.continuation) clearImmediate(this.continuation);
    this.members.clear();
    this.snapshots.clear();
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
  }

  // ---------- internals ----------

  /**
   * Snapshots are let go once too old to reuse, not at the next subscribe: after a burst of joiners the
   * last ones (and their encoded frames) stayed until somebody subscribed again (bench/soak.ts: the main
   * thread's live heap 135 MB after the clients had left, against 54 MB before they came).
   */
  private armSnapshotPrune(): void {
    if (this.pruneTimer || this.closed) return;
    const at = this.snapshots.nextExpiry();
    if (at === undefined) return;
    this.pruneTimer = setTimeout(() => {
      this.pruneTimer = null;
      this.snapshots.prune(this.now());
      this.armSnapshotPrune();
    }, Math.max(0, at - this.now()) + 1);
    this.pruneTimer.unref?.();
  }

  private schedule(): void {
    if (this.timeout || this.immediate || this.closed) return;
    const wait = this.lastTickAt + this.intervalMs - this.now();
    if (wait <= 0) this.immediate = setImmediate(() => this.tick());
    else this.timeout = setTimeout(() => this.tick(), Math.ceil(wait));
  }

  /** Drops a client with more than its byte budget waiting; true when it was dropped. */
  private dropIfOverBudget(c: Client): boolean {
    const notice = overBudget(c, this);
    if (notice) this.dropClient(c, notice);
    return notice !== null;
  }

  private tick(): void {
    this.timeout = null;
    this.immediate = null;
    if (this.closed) return;
    this.lastTickAt = this.now();
    this.tickSeq++;
    // 1. Groups: one batch each, broadcast to members that can take it; the others go private.
    for (const g of this.members.groups.values()) {
      if (g.buffer.isEmpty()) continue;
      const batch = g.buffer.take();
      if (emptyBatch(batch) || g.shared.size === 0) continue;
      const ids: string[] = [];
      for (const c of [...g.shared]) {
        if (backedUp(c, this)) {
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
    // 2. Private clients: everything they are owed; they rejoin the group once drained.
    if (this.continuation) {
      clearImmediate(this.continuation);
      this.continuation = null;
    }
    this.privatePass(true);
  }

  /**
   * Drains each due private client, oldest push first, until the time slice is used up; the rest
   * continue on the next turn of the event loop. `atBoundary`: right after the groups' batches were taken
   * (in the same synchronous step), the only moment a drained client may rejoin its group without a gap
   * or duplicate.
   */
  private privatePass(atBoundary: boolean): void {
    this.continuation = null;
    if (this.closed) return;
    const start = this.now();
    const list = this.members.privateClients();
    list.sort((a, b) => a.lastPushTick - b.lastPushTick);
    let more = false;
    let sliced = false;
    let served = 0;
    for (const c of list) {
      const b = c.buffer;
      if (!b || !this.clients.has(c.sink.id)) continue;
      if (!c.snapshot && b.isEmpty()) {
        // Backlog gone without a batch (e.g. its run was removed): still say it is done.
        if (c.backlog?.size) this.sendLoaded(c, { series: [] });
        if (atBoundary && !c.backlog?.size) this.members.rejoin(c);
        else more = true; // rejoins at the next tick
        continue;
      }
      if (backedUp(c, this)) {
        if (!this.dropIfOverBudget(c)) more = true; // hold back this tick; the buffer keeps coalescing
        continue;
      }
      if (c.lastPushTick === this.tickSeq && !c.snapshot) {
        more = true; // already served in this tick (by an earlier pass): wait for the next one
        continue;
      }
      if (served > 0 && this.now() - start >= this.privateSliceMs) {
        sliced = true;
        continue;
      }
      c.lastPushTick = this.tickSeq;
      served++;
      if (!this.drain(c, b, () => this.now() - start < this.privateSliceMs)) continue;
      // A snapshot still being built goes on in the next turn of the event loop, not the next tick.
      if (c.snapshot) sliced = true;
      else if (b.isEmpty() && atBoundary) this.members.rejoin(c);
      else more = true;
    }
    if (sliced) this.continuation = setImmediate(() => this.privatePass(false));
    if (more) this.schedule();
  }

  /**
   * Hands a private client everything it is owed at once (private-drain.ts): its private time (per-client
   * work on every live point) stays within a tick; the transport paces the bytes. False when dropped.
   */
  private drain(c: Client, b: ClientBuffer, mayBuild: () => boolean): boolean {
    try {
      for (const batch of drainBatches(c, b, this.maxBatchPoints, mayBuild)) c.sink.emitDelta(batch);
    } catch {
      this.dropClient(c, failedToSend);
      return false;
    }
    return true;
  }

  private sendLoaded(c: Client, batch: DeltaBatch): void {
    markLoaded(c, batch);
    c.lastPushTick = this.tickSeq;
    if (emptyBatch(batch)) return;
    try {
      c.sink.emitDelta(batch);
    } catch {
      this.dropClient(c, failedToSend);
    }
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
