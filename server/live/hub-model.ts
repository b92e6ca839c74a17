// The live hub's types and pure rules: what a client sink and a subscription are, which deltas a group
// takes, and when two subscriptions share a group (and a backlog snapshot). No state, no I/O.
import type { DeltaBatch, DropNotice, SeriesDelta, SeriesKind } from '../../shared/protocol.ts';
import type { BacklogSnapshot } from './backlog-snapshot.ts';
import type { ClientBuffer } from './client-buffer.ts';
import type { TagFilter } from './tag-filter.ts';

/** What the hub needs from a connected client (a socket.io socket in the app, a fake in tests). */
export interface ClientSink {
  readonly id: string;
  /**
   * Sends a batch. A frozen batch is a shared backlog chunk sent as is to many clients: a sink may encode
   * it once and reuse the frames (it is never changed after being frozen).
   */
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
  /** How long a backlog snapshot is reused for late joiners with the same subscription (ms). */
  snapshotTtlMs?: number;
  /** Bytes (estimated, on the wire) all cached backlog snapshots may hold together. */
  snapshotCacheBytes?: number;
  /** Sends one batch to several clients, encoding it once (socket.io rooms); default: one emit each. */
  broadcast?: (ids: string[], batch: DeltaBatch) => void;
  now?: () => number;
}

export interface Group {
  key: string;
  runs: '*' | Set<string> | null; // null: not subscribed (run infos only)
  filter: TagFilter;
  kinds: ReadonlySet<SeriesKind> | null; // null: every kind
  buffer: ClientBuffer;
  shared: Set<Client>;
  refs: number;
}

export interface Client {
  sink: ClientSink;
  group: Group;
  /** Own buffer while private (backlog draining or transport backed up). */
  buffer: ClientBuffer | null;
  /** Tick in which its last private batch went out (private batches, too, go at most once per tick). */
  lastPushTick: number;
  /**
   * Shared backlog chunks still to send (before anything in its buffer): those of `snap` from `next` on.
   * A snapshot still being built (snapshot-plan.ts) gets its next chunks built as its clients drain.
   */
  snapshot?: { snap: BacklogSnapshot; next: number };
  /**
   * Backlog handed to its transport and maybe still there (an upper bound, shrinking as it drains): not
   * held against its byte budget or its pending packets.
   */
  inFlight?: { bytes: number; packets: number };
  /** Runs whose subscribe-time backlog is not fully sent yet (each is named in a batch's `loaded` when it is). */
  backlog?: Set<string>;
  /**
   * Bytes of its subscribe-time backlog not yet handed to the transport: the server's own data (held by
   * the store anyway), not counted against the client's byte budget; what piles up beyond it is.
   */
  backlogBytes?: number;
}

export const NONE_KEY = '\u0000none';
export const DEFAULT_MAX_CLIENT_BYTES = 8 * 1024 * 1024;

export function matches(g: Pick<Group, 'runs' | 'filter' | 'kinds'>, d: SeriesDelta): boolean {
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

/**
 * Key of a subscription's backlog: its group key, the points it is decimated to and what the client
 * holds (`have`, runs held empty left out, tags sorted). Equal keys get the same backlog from one store.
 */
export function backlogKey(groupKey: string, sub: Pick<Subscription, 'have' | 'points'>): string {
  const held: [string, [string, number][]][] = [];
  for (const [run, tags] of Object.entries(sub.have ?? {})) {
    const entries = Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length > 0) held.push([run, entries]);
  }
  held.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${groupKey}\u0000${sub.points ?? 0}\u0000${JSON.stringify(held)}`;
}

export function emptyBatch(b: DeltaBatch | null): boolean {
  return !b || (b.series.length === 0 && !b.runs?.length && !b.graphs?.length && !b.loaded?.length && !b.plugins?.length);
}

export const failedToSend: DropNotice = { reason: 'send-failed', message: 'Trainscope dropped this connection: sending to it failed. Reconnect to resume.' };
