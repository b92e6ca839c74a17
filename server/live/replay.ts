// Replay sessions: a client replays a run from disk (ours or any TF/PyTorch log), paced by the log's own
// wall times, delivered as DeltaBatch with its replayId. The timing math is in replay-schedule.ts; this
// file owns the timers, the loading and the per-client bookkeeping.
import { randomUUID } from 'node:crypto';
import { PUSH_INTERVAL_MS, type DeltaBatch, type ReplaySpeed, type ReplayState, type SeriesDelta } from '../../shared/protocol.ts';
import type { ImageRef } from '../../shared/types.ts';
import { EventDecoder } from '../logs/event-codec.ts';
import { readEventFile } from '../logs/event-file-reader.ts';
import type { LogRecord } from '../logs/records.ts';
import { SeriesStore } from '../store/series-store.ts';
import { listRunEventFiles, PathError, safeRunDir } from './run-files.ts';
import {
  clockPosition,
  compressTimeline,
  dueEnd,
  msUntilNext,
  newClock,
  pauseClock,
  resumeClock,
  seekClock,
  seekIndex,
  setClockSpeed,
  type ReplayClock,
} from './replay-schedule.ts';

export type ReplayRecord = Exclude<LogRecord, { kind: 'text' | 'hparams' | 'tensor' | 'meta' }>;

/** Reads a run's event files (unsampled), refusing runs larger than maxBytes on disk. Sorted by wall time. */
export async function loadReplayRecords(
  logdir: string,
  run: string,
  maxBytes: number,
): Promise<{ records: ReplayRecord[]; warnings: string[] }> {
  const dir = await safeRunDir(logdir, run);
  const files = await listRunEventFiles(logdir, dir);
  if (files.length === 0) throw new PathError(`run "${run}" has no event files on disk to replay`, 404);
  const total = files.reduce((s, f) => s + f.size, 0);
  if (total > maxBytes) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    throw new Error(`run "${run}" is ${mb(total)} MB on disk; replay is limited to ${mb(maxBytes)} MB`);
  }
  const records: ReplayRecord[] = [];
  const warnings: string[] = [];
  const decoder = new EventDecoder(); // one per run: tag metadata comes from a tag's first occurrence
  for (const f of files) {
    const r = await readEventFile(f.path, { decoder });
    for (const rec of r.records) {
      if (rec.kind === 'scalar' || rec.kind === 'histogram' || rec.kind === 'image' || rec.kind === 'graph') records.push(rec);
    }
    warnings.push(...r.warnings.slice(0, 20));
  }
  records.sort((a, b) => a.wallTime - b.wallTime); // stable: same-time records keep file order
  return { records, warnings };
}

export interface ReplaySink {
  emitDelta(batch: DeltaBatch): void;
  emitState(state: ReplayState): void;
  pending(): number;
}

export interface ReplayOptions {
  speed: ReplaySpeed;
  maxGapSec: number;
  /** Main store: replayed images are announced by their index there (the client fetches them over HTTP). */
  mainStore: SeriesStore;
  intervalMs?: number;
  /** Records per tick at 'max' speed. */
  maxPerTick?: number;
  /** Transport packets pending beyond which a tick is skipped. */
  maxPendingPackets?: number;
  now?: () => number;
}

const UNBOUNDED = { scalars: Infinity, histograms: Infinity, images: Infinity };
const STATE_EVERY_MS = 1000;

export class ReplaySession {
  readonly id = randomUUID().slice(0, 12);
  private readonly timeline: number[];
  private readonly steps: number[];
  private clock: ReplayClock;
  private cursor = 0;
  private lastStep: number | null = null;
  private view = new SeriesStore(UNBOUNDED);
  private timer: NodeJS.Timeout | null = null;
  private lastStateAt = 0;
  private stopped = false;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly maxPerTick: number;
  private readonly maxPendingPackets: number;
  private readonly firstStep: number | null;
  private readonly finalStep: number | null;

  constructor(
    readonly run: string,
    private readonly records: ReplayRecord[],
    private readonly sink: ReplaySink,
    private readonly opts: ReplayOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.intervalMs = opts.intervalMs ?? PUSH_INTERVAL_MS;
    this.maxPerTick = opts.maxPerTick ?? 5000;
    this.maxPendingPackets = opts.maxPendingPackets ?? 16;
    this.timeline = compressTimeline(
      records.map((r) => r.wallTime),
      opts.maxGapSec,
    );
    this.steps = records.map((r) => r.step);
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of this.steps) {
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    this.firstStep = records.length ? lo : null;
    this.finalStep = records.length ? hi : null;
    this.clock = newClock(opts.speed, this.now());
  }

  state(): ReplayState {
    const done = this.cursor >= this.records.length;
    return {
      replayId: this.id,
      run: this.run,
      state: done ? 'finished' : this.clock.playing ? 'playing' : 'paused',
      speed: this.clock.speed,
      step: this.lastStep,
      firstStep: this.firstStep,
      lastStep: this.finalStep,
    };
  }

  /** Clears the client's view of the run, then starts playing. */
  begin(): ReplayState {
    this.clock = newClock(this.clock.speed, this.now());
    this.sink.emitDelta({ replayId: this.id, series: this.resetAll(new Map()) });
    this.pushState();
    this.tick();
    return this.state();
  }

  pause(): ReplayState {
    if (this.clock.playing) this.clock = pauseClock(this.clock, this.now(), this.timeline, this.cursor);
    this.reschedule();
    this.pushState();
    return this.state();
  }

  resume(): ReplayState {
    if (this.cursor >= this.records.length) {
      // Resuming a finished replay starts it over.
      return this.seek(this.firstStep === null ? 0 : this.firstStep - 1, true);
    }
    if (!this.clock.playing) this.clock = resumeClock(this.clock, this.now(), this.timeline, this.cursor);
    this.pushState();
    this.tick();
    return this.state();
  }

  setSpeed(speed: ReplaySpeed): ReplayState {
    this.clock = setClockSpeed(this.clock, speed, this.now(), this.timeline, this.cursor);
    this.pushState();
    this.tick();
    return this.state();
  }

  /** Shows the run as it was at `step`: the client's series are replaced by everything up to it. */
  seek(step: number, play?: boolean): ReplayState {
    const idx = seekIndex(this.steps, step);
    this.view = new SeriesStore(UNBOUNDED);
    const graphs = this.ingestView(0, idx);
    this.cursor = idx;
    this.lastStep = idx > 0 ? this.steps[idx - 1] : null;
    this.clock = seekClock(this.clock, this.now(), this.timeline, idx);
    if (play !== undefined) this.clock = { ...this.clock, playing: play };
    const full = new Map<string, SeriesDelta>();
    for (const d of this.view.deltasAfter(this.run, {})) full.set(`${d.kind}\u0000${d.tag}`, d);
    const batch: DeltaBatch = { replayId: this.id, series: this.resetAll(full) };
    if (graphs?.graph) batch.graphs = [this.run];
    this.sink.emitDelta(batch);
    this.pushState();
    this.tick();
    return this.state();
  }

  stop(): ReplayState {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = { ...this.state(), state: 'finished' as const };
    try {
      this.sink.emitState(s);
    } catch {
      // Client gone.
    }
    return s;
  }

  get finished(): boolean {
    return this.stopped || this.cursor >= this.records.length;
  }

  /** A reset delta for every series of the run: from `full` when given, else empty. */
  private resetAll(full: Map<string, SeriesDelta>): SeriesDelta[] {
    const seen = new Set<string>();
    const out: SeriesDelta[] = [];
    for (const r of this.records) {
      if (r.kind === 'graph') continue;
      const kind = r.kind === 'scalar' ? 'scalars' : r.kind === 'histogram' ? 'histograms' : 'images';
      const key = `${kind}\u0000${r.tag}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const d = full.get(key);
      if (d) out.push(this.mapImages({ ...d, reset: true }));
      else if (kind === 'scalars') out.push({ kind, run: this.run, tag: r.tag, reset: true, wallTimes: [], steps: [], values: [] });
      else out.push({ kind, run: this.run, tag: r.tag, reset: true, points: [] });
    }
    return out;
  }

  /** Ingests records [from, to) into the replay's own view; true when a graph was among them. */
  private ingestView(from: number, to: number): { deltas: SeriesDelta[]; graph: boolean } | null {
    if (to <= from) return null;
    const slice = this.records.slice(from, to);
    const deltas = this.view.ingest(this.run, slice);
    return { deltas, graph: slice.some((r) => r.kind === 'graph') };
  }

  /** Replayed images point at the main store's copy (same step and sample), which the client can fetch. */
  private mapImages(d: SeriesDelta): SeriesDelta {
    if (d.kind !== 'images') return d;
    const main = this.opts.mainStore.hasRun(this.run) ? this.opts.mainStore.images(this.run, d.tag) : [];
    const points: ImageRef[] = [];
    for (const p of d.points) {
      const m = main.find((x) => x.step === p.step && x.sample === p.sample);
      if (m) points.push(m);
    }
    return { ...d, points };
  }

  private tick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || !this.clock.playing || this.cursor >= this.records.length) return;
    const now = this.now();
    if (this.sink.pending() <= this.maxPendingPackets) {
      const end = dueEnd(this.timeline, this.cursor, clockPosition(this.clock, now), this.maxPerTick);
      if (end > this.cursor) {
        const got = this.ingestView(this.cursor, end);
        this.lastStep = this.steps[end - 1];
        this.cursor = end;
        if (got) {
          const batch: DeltaBatch = { replayId: this.id, series: got.deltas.map((d) => this.mapImages(d)) };
          if (got.graph) batch.graphs = [this.run];
          this.sink.emitDelta(batch);
        }
        if (this.cursor >= this.records.length) {
          this.clock = pauseClock(this.clock, now, this.timeline, this.cursor);
          this.pushState();
          return;
        }
      }
    }
    if (now - this.lastStateAt >= STATE_EVERY_MS) this.pushState();
    this.reschedule();
  }

  private reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    const wait = msUntilNext(this.clock, this.now(), this.timeline, this.cursor);
    if (wait === null) return;
    // Never faster than the push interval; wake at least every second for the periodic state.
    const delay = Math.min(STATE_EVERY_MS, Math.max(this.intervalMs, wait));
    this.timer = setTimeout(() => this.safeTick(), delay);
  }

  private safeTick(): void {
    try {
      this.tick();
    } catch {
      this.stop();
    }
  }

  private pushState(): void {
    this.lastStateAt = this.now();
    try {
      this.sink.emitState(this.state());
    } catch {
      // Client gone; the session ends with the connection.
    }
  }
}

/** One client's replays (bounded), created by the socket layer per connection. */
export class ReplayManager {
  private sessions = new Map<string, ReplaySession>();
  private loading = 0;
  private closed = false;

  constructor(
    private readonly deps: {
      logdir: string;
      mainStore: SeriesStore;
      sink: ReplaySink;
      maxSessions: number;
      maxBytes: number;
      hasRun: (run: string) => boolean;
    },
  ) {}

  async start(req: { run: string; speed: ReplaySpeed; maxGapSec: number }): Promise<ReplayState> {
    if (!this.deps.hasRun(req.run)) throw new PathError(`unknown run "${req.run}"`, 404);
    if (this.sessions.size + this.loading >= this.deps.maxSessions) {
      // Make room by forgetting the oldest finished replay, else refuse.
      const done = [...this.sessions.values()].find((s) => s.finished);
      if (!done || this.loading > 0) throw new Error(`at most ${this.deps.maxSessions} replays at once per client; stop one first`);
      done.stop();
      this.sessions.delete(done.id);
    }
    this.loading++;
    let records: ReplayRecord[];
    try {
      ({ records } = await loadReplayRecords(this.deps.logdir, req.run, this.deps.maxBytes));
    } finally {
      this.loading--;
    }
    if (this.closed) throw new Error('connection closed');
    const session = new ReplaySession(req.run, records, this.deps.sink, {
      speed: req.speed,
      maxGapSec: req.maxGapSec,
      mainStore: this.deps.mainStore,
    });
    this.sessions.set(session.id, session);
    return session.state();
  }

  /** Starts delivering a session created by start() (called once the client has its replayId). */
  begin(replayId: string): void {
    this.sessions.get(replayId)?.begin();
  }

  control(req: { replayId: string; action: 'pause' | 'resume' | 'seek' | 'speed' | 'stop'; step?: number; speed?: ReplaySpeed }): ReplayState {
    const s = this.sessions.get(req.replayId);
    if (!s) throw new PathError(`no replay "${req.replayId}" for this client`, 404);
    switch (req.action) {
      case 'pause':
        return s.pause();
      case 'resume':
        return s.resume();
      case 'seek':
        if (req.step === undefined) throw new Error('seek needs a "step"');
        return s.seek(req.step);
      case 'speed':
        if (req.speed === undefined) throw new Error('speed needs a "speed" (1, 2, 10 or "max")');
        return s.setSpeed(req.speed);
      case 'stop':
        this.sessions.delete(s.id);
        return s.stop();
    }
  }

  closeAll(): void {
    this.closed = true;
    for (const s of this.sessions.values()) s.stop();
    this.sessions.clear();
  }
}
