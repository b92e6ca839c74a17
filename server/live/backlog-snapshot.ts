// Late joiners' backlogs, built once per subscription and shared. A burst of new clients with the same
// subscription (same runs, tag filter, kinds, points and `have`) used to cost one read and one encode of
// the whole backlog each: under a 10-run sweep that alone kept the server busy for minutes, and the
// private buffers grew faster than they drained. A snapshot is the backlog cut into frozen chunks; every
// client gets the same chunk objects (the socket's encoder encodes a frozen batch once), then its own
// catch-up: the store's points after the snapshot's last step per series (the zero-gap resume rule of
// `have`), followed by the live points published after it subscribed. A snapshot is planned at once and
// its chunks read as its clients drain (snapshot-plan.ts): the subscribe is acked and the first chunk
// sent before the rest is read. Pure: no timers, no I/O.
import type { DeltaBatch, SeriesDelta } from '../../shared/protocol.ts';
import type { SeriesStore } from '../store/series-store.ts';
import { downsampleDelta } from './backlog-downsample.ts';
import { ClientBuffer, deltaBytes, deltaObjectBytes, deltaWeight } from './client-buffer.ts';
import type { Subscription } from './hub-model.ts';
import { BacklogBuilder, held, planBacklog, subscribedRuns, tagsCollide, type Kinds } from './snapshot-plan.ts';

export { FIRST_CHUNK_POINTS } from './snapshot-plan.ts';

export interface BacklogSnapshot {
  readonly key: string;
  /** Frozen batches of at most maxBatchPoints of weight, in order (of a lazy snapshot: those built so far). */
  readonly chunks: readonly DeltaBatch[];
  /** Per run: per tag, the last step a client holds once it has the snapshot (its own `have` merged in). */
  readonly marks: ReadonlyMap<string, Record<string, number>>;
  /** Runs with points in the snapshot. */
  readonly runs: readonly string[];
  /** Each run's store.resetMark when built: a rewind, a re-added or an evicted run makes it stale. */
  readonly resetMarks: ReadonlyMap<string, number | undefined>;
  /** Estimated bytes on the wire (deltaBytes), in all and per chunk (of a lazy one: in all as planned). */
  readonly bytes: number;
  readonly chunkBytes: readonly number[];
  /** Memory the snapshot holds while cached (its frames, `bytes`, and its objects): what the cache's bound counts. */
  readonly heldBytes: number;
  readonly builtAt: number;
  /** False when a tag names series of two kinds: per-tag marks could not say where each resumes. */
  readonly shareable: boolean;
  /**
   * Builds the chunks not built yet (snapshot-plan.ts): a subscribe is acked and its first chunk sent
   * before the rest is read. Absent (or done) when every chunk is in `chunks`.
   */
  readonly rest?: { readonly done: boolean; buildNext(): boolean; finish(): void };
}

/** Whether every chunk of the snapshot is built. */
export function snapshotComplete(s: BacklogSnapshot): boolean {
  return !s.rest || s.rest.done;
}

/**
 * The subscription's backlog as a snapshot whose first chunk is built and whose other chunks are built on
 * demand (snapshot.rest; in order, as the clients holding it drain): tag by tag in the order SCALARS shows
 * its cards (shared/tag-order.ts), each tag's runs in turn, so the first chunks hold the first cards'
 * points for every run rather than every tag of the first runs.
 */
export function startSnapshot(key: string, store: SeriesStore, sub: Subscription, kinds: Kinds, maxBatchPoints: number, now: number): BacklogSnapshot {
  const plan = planBacklog(store, sub, kinds);
  const rest = new BacklogBuilder(store, plan.entries, sub.points || undefined, maxBatchPoints);
  rest.buildNext();
  const { marks, runs, resetMarks, bytes, heldBytes, shareable } = plan;
  return { key, chunks: rest.chunks, chunkBytes: rest.chunkBytes, marks, runs, resetMarks, bytes, heldBytes, builtAt: now, shareable, rest };
}

/** startSnapshot with every chunk built. */
export function buildSnapshot(key: string, store: SeriesStore, sub: Subscription, kinds: Kinds, maxBatchPoints: number, now: number): BacklogSnapshot {
  const s = startSnapshot(key, store, sub, kinds, maxBatchPoints, now);
  s.rest?.finish();
  return s;
}

function lastStep(d: SeriesDelta): number | undefined {
  if (d.kind === 'scalars') return d.steps.at(-1);
  if (d.kind === 'histograms') return d.points.at(-1)?.[1];
  return d.points.at(-1)?.step;
}

/** About the weight (see ClientBuffer.take) of a catch-up, counted in the store without copying points. */
export function catchUpWeight(s: BacklogSnapshot, store: SeriesStore, sub: Subscription, kinds: Kinds): number {
  let w = 0;
  for (const run of subscribedRuns(store, sub)) {
    const m = s.marks.get(run) ?? held(sub, run);
    for (const e of store.seriesOf(run)) {
      if ((kinds && !kinds.has(e.kind)) || !sub.filter(e.tag)) continue;
      const n = e.series.size - e.series.indexAfter(Object.hasOwn(m, e.tag) ? m[e.tag] : -Infinity);
      w += e.kind === 'histograms' && n > 0 ? n * (1 + e.series.orderedBucketCount(e.series.size - 1)) : n;
    }
  }
  return w;
}

/**
 * What a client getting an older snapshot misses: per run, the points after the snapshot's marks (all of
 * a run that is new since). Null when the snapshot cannot be used (a tag came to name two kinds).
 */
export function catchUp(s: BacklogSnapshot, store: SeriesStore, sub: Subscription, kinds: Kinds): SeriesDelta[] | null {
  const out: SeriesDelta[] = [];
  for (const run of subscribedRuns(store, sub)) {
    const m = s.marks.get(run) ?? held(sub, run);
    if (s.marks.has(run) && tagsCollide(store, run, sub, kinds)) return null;
    for (const d of store.deltasAfter(run, m, sub.filter, kinds ?? undefined, sub.points || undefined)) {
      if (kinds && !kinds.has(d.kind)) continue;
      out.push(sub.points ? downsampleDelta(d, sub.points) : d);
    }
  }
  return out;
}

/**
 * The snapshot followed by its catch-up as more shared chunks (the points after its marks, encoded once
 * more for all who join later): a burst of joiners under a fast stream then costs one read of the whole
 * backlog, not one every time the catch-up outgrows a batch. Null when the snapshot cannot be used.
 */
export function extendSnapshot(s: BacklogSnapshot, store: SeriesStore, sub: Subscription, kinds: Kinds, maxBatchPoints: number): BacklogSnapshot | null {
  s.rest?.finish(); // the catch-up goes after all of it
  const missed = catchUp(s, store, sub, kinds);
  if (!missed) return null;
  const buffer = new ClientBuffer();
  const marks = new Map<string, Record<string, number>>();
  const resetMarks = new Map(s.resetMarks);
  for (const run of subscribedRuns(store, sub)) {
    const m: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [tag, step] of Object.entries(s.marks.get(run) ?? held(sub, run))) m[tag] = step;
    marks.set(run, m);
    if (!resetMarks.has(run)) resetMarks.set(run, store.resetMark(run));
  }
  for (const d of missed) {
    buffer.pushSeries(d);
    const last = lastStep(d);
    const m = marks.get(d.run);
    if (last !== undefined && m) m[d.tag] = last;
  }
  const runs = new Set([...s.runs, ...buffer.queuedRuns()]);
  const chunks = [...s.chunks];
  const chunkBytes = [...s.chunkBytes];
  for (let b = buffer.take(maxBatchPoints); b; b = buffer.take(maxBatchPoints)) {
    chunkBytes.push(b.series.reduce((n, d) => n + deltaBytes(d), 0));
    chunks.push(Object.freeze(b));
  }
  const bytes = chunkBytes.reduce((a, b) => a + b, 0);
  // builtAt stays: the chain lives no longer than its first read (the cache's time bound).
  const heldBytes = bytes + (s.heldBytes - s.bytes) + objectBytesOf(chunks.slice(s.chunks.length));
  return { key: s.key, chunks, marks, runs: [...runs], resetMarks, bytes, chunkBytes, heldBytes, builtAt: s.builtAt, shareable: s.shareable };
}

function objectBytesOf(chunks: readonly DeltaBatch[]): number {
  let n = 0;
  for (const b of chunks) for (const d of b.series) n += deltaObjectBytes(d);
  return n;
}

/** Recent snapshots by backlog key, reused for a short time and bounded in held bytes (oldest go first). */
export class SnapshotCache {
  private entries = new Map<string, BacklogSnapshot>();
  private total = 0;
  /** Snapshots built (diagnostics and tests). */
  builds = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxBytes: number,
  ) {}

  get bytes(): number {
    return this.total;
  }

  /**
   * A subscriber's backlog: the cached snapshot and the store's points since (its catch-up), or, once the
   * catch-up would outgrow a batch (it goes out per client; a snapshot, once for all), the snapshot
   * extended by it, or a new one.
   */
  backlog(key: string, store: SeriesStore, sub: Subscription, kinds: Kinds, maxBatchPoints: number, now: number): { snap: BacklogSnapshot; missed: SeriesDelta[] } {
    const cached = this.get(key, store, now);
    if (cached && catchUpWeight(cached, store, sub, kinds) <= maxBatchPoints) {
      const missed = catchUp(cached, store, sub, kinds);
      if (missed && missed.reduce((n, d) => n + deltaWeight(d), 0) <= maxBatchPoints) return { snap: cached, missed };
    }
    const snap = (cached && extendSnapshot(cached, store, sub, kinds, maxBatchPoints)) || startSnapshot(key, store, sub, kinds, maxBatchPoints, now);
    this.put(snap, now);
    return { snap, missed: [] };
  }

  /** A snapshot still usable at `now`: young enough, and no run of it rewound, removed or re-added. */
  get(key: string, store: SeriesStore, now: number): BacklogSnapshot | undefined {
    const s = this.entries.get(key);
    if (!s) return undefined;
    let fresh = now - s.builtAt <= this.ttlMs;
    for (const [run, mark] of s.resetMarks) if (fresh && store.resetMark(run) !== mark) fresh = false;
    if (fresh) return s;
    this.delete(key);
    return undefined;
  }

  put(s: BacklogSnapshot, now: number): void {
    this.builds++;
    this.delete(s.key);
    for (const [key, e] of this.entries) if (now - e.builtAt > this.ttlMs) this.delete(key);
    if (!s.shareable || s.heldBytes > this.maxBytes) return;
    for (const key of this.entries.keys()) {
      if (this.total + s.heldBytes <= this.maxBytes) break;
      this.delete(key);
    }
    this.entries.set(s.key, s);
    this.total += s.heldBytes;
  }

  /** Drops the snapshots too old to be reused at `now` (their chunks and encoded frames go with them). */
  prune(now: number): void {
    for (const [key, e] of this.entries) if (now - e.builtAt > this.ttlMs) this.delete(key);
  }

  /** When the oldest snapshot stops being reusable (undefined: none held). */
  nextExpiry(): number | undefined {
    let at: number | undefined;
    for (const e of this.entries.values()) at = Math.min(at ?? Infinity, e.builtAt + this.ttlMs);
    return at;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.heldBytes;
  }
}
