// Replay sessions: a client replays a run held in the main store (ours or any TF/PyTorch log), paced by
// the log's own wall times, delivered as DeltaBatch with its replayId. A session reads the store's
// series in place through a ReplayCursor (replay-cursor.ts: no copy of the run, O(series) state); the
// timing math is in replay-schedule.ts; a seek's points go out in bounded chunks (replay-backlog.ts);
// this file owns the timers, the per-client bookkeeping and the server-wide cap on concurrent replays.
import { randomUUID } from 'node:crypto';
import { PUSH_INTERVAL_MS, type DeltaBatch, type ReplaySpeed, type ReplayState, type SeriesDelta } from '../../shared/protocol.ts';
import type { SeriesStore } from '../store/series-store.ts';
import { SeekBacklog } from './replay-backlog.ts';
import { ReplayCursor } from './replay-cursor.ts';
import { PathError } from './run-files.ts';
import { clockPosition, msUntilPosition, newClock, rebaseAt, type ReplayClock } from './replay-schedule.ts';

export interface ReplaySink {
  emitDelta(batch: DeltaBatch): void;
  emitState(state: ReplayState): void;
  pending(): number;
}

export interface ReplayOptions {
  speed: ReplaySpeed;
  maxGapSec: number;
  intervalMs?: number;
  /** Points per tick at 'max' speed, and per chunk of a seek (a histogram point weighs 1 + its buckets). */
  maxPerTick?: number;
  /** Transport packets pending beyond which a tick is skipped. */
  maxPendingPackets?: number;
  now?: () => number;
}

const STATE_EVERY_MS = 1000;
const NO_SERIES = new ReplayCursor([], 1);

export class ReplaySession {
  readonly id = randomUUID().slice(0, 12);
  private cursor: ReplayCursor;
  /** The store's reset mark for the run when the cursor was built (see SeriesStore.resetMark). */
  private mark: number | undefined;
  private clock: ReplayClock;
  /** Points a seek still owes the client (sent a chunk per tick before play goes on), and whether the
   *  next chunk is the first (it carries the graph notice). */
  private backlog: SeekBacklog | null = null;
  private backlogFirst = false;
  private timer: NodeJS.Timeout | null = null;
  private lastStateAt = 0;
  private stopped = false;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly maxPerTick: number;
  private readonly maxPendingPackets: number;

  constructor(
    readonly run: string,
    private readonly store: SeriesStore,
    private readonly sink: ReplaySink,
    private readonly opts: ReplayOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.intervalMs = opts.intervalMs ?? PUSH_INTERVAL_MS;
    this.maxPerTick = opts.maxPerTick ?? 5000;
    this.maxPendingPackets = opts.maxPendingPackets ?? 16;
    this.mark = store.resetMark(run);
    this.cursor = new ReplayCursor(store.seriesOf(run), opts.maxGapSec);
    this.clock = newClock(opts.speed, this.now());
  }

  state(): ReplayState {
    return {
      replayId: this.id,
      run: this.run,
      state: this.finished ? 'finished' : this.clock.playing ? 'playing' : 'paused',
      speed: this.clock.speed,
      step: this.cursor.lastStep,
      firstStep: this.cursor.firstStep,
      lastStep: this.cursor.finalStep,
    };
  }

  /** Series the session walks (the store's own; none once stopped). */
  get seriesCount(): number {
    return this.cursor.seriesCount;
  }
  /** A timer is pending (tests: none is left once the session ends). */
  get scheduled(): boolean {
    return this.timer !== null;
  }

  /** Clears the client's view of the run, then starts playing. */
  begin(): ReplayState {
    this.clock = newClock(this.clock.speed, this.now());
    this.startBacklog(this.cursor.seek(-Infinity));
    this.pushState();
    this.tick();
    return this.state();
  }

  pause(): ReplayState {
    if (this.clock.playing) this.clock = { ...rebaseAt(this.clock, this.now(), this.cursor.pos), playing: false };
    this.reschedule();
    this.pushState();
    return this.state();
  }

  resume(): ReplayState {
    if (this.finished) {
      // Resuming a finished replay starts it over.
      return this.seek(this.cursor.firstStep === null ? 0 : this.cursor.firstStep - 1, true);
    }
    if (!this.clock.playing) this.clock = { ...rebaseAt(this.clock, this.now(), this.cursor.pos), playing: true };
    this.pushState();
    this.tick();
    return this.state();
  }

  setSpeed(speed: ReplaySpeed): ReplayState {
    this.clock = { ...rebaseAt(this.clock, this.now(), this.cursor.pos), speed };
    this.pushState();
    this.tick();
    return this.state();
  }

  /** Shows the run as it was at `step`: the client's series are replaced by the store's points up to it. */
  seek(step: number, play?: boolean): ReplayState {
    if (this.stopped) return this.state();
    if (this.storeReset() && !this.rebuild()) return this.state();
    this.startBacklog(this.cursor.seek(step));
    this.clock = { ...this.clock, anchorPos: this.cursor.pos, anchorAtMs: this.now() };
    if (play !== undefined) this.clock = { ...this.clock, playing: play };
    this.pushState();
    this.tick();
    return this.state();
  }

  stop(): ReplayState {
    const s = { ...this.state(), state: 'finished' as const };
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.cursor = NO_SERIES; // let go of the store's series
    this.backlog = null;
    try {
      this.sink.emitState(s);
    } catch {
      // Client gone.
    }
    return s;
  }

  get finished(): boolean {
    return this.stopped || this.cursor.finished;
  }

  /** The run lost points (step rewind) or was removed since the cursor was built. */
  private storeReset(): boolean {
    return this.store.resetMark(this.run) !== this.mark;
  }

  /** A new cursor over the run as it is now (what exists now is replayed); false (stopped) when the run is gone. */
  private rebuild(): boolean {
    this.mark = this.store.resetMark(this.run);
    if (this.mark === undefined) {
      this.stop();
      return false;
    }
    this.cursor = new ReplayCursor(this.store.seriesOf(this.run), this.opts.maxGapSec);
    return true;
  }

  private emit(series: SeriesDelta[], withGraph: boolean): void {
    const batch: DeltaBatch = { replayId: this.id, series };
    if (withGraph && this.store.graphs(this.run).length > 0) batch.graphs = [this.run];
    this.sink.emitDelta(batch);
  }

  private startBacklog(ranges: ReturnType<ReplayCursor['seek']>): void {
    this.backlog = new SeekBacklog(this.run, this.cursor.entries, ranges);
    this.backlogFirst = true;
  }

  /** Sends the seek's next chunk if the socket drains; true while some is left (play waits for it). */
  private sendBacklog(): boolean {
    if (!this.backlog) return false;
    if (this.storeReset()) {
      // Points the chunks would mix with were evicted: start the seek over on the run as it is now.
      const at = this.cursor.lastStep ?? -Infinity;
      if (this.rebuild()) this.startBacklog(this.cursor.seek(at));
      if (!this.backlog) return false;
    }
    if (this.sink.pending() <= this.maxPendingPackets) {
      const series = this.backlog.take(this.maxPerTick);
      this.emit(series, this.backlogFirst);
      this.backlogFirst = false;
    }
    if (!this.backlog.done) return true;
    this.backlog = null;
    // Play goes on from where the seek left it, starting now.
    this.clock = { ...this.clock, anchorPos: this.cursor.pos, anchorAtMs: this.now() };
    return false;
  }

  private tick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    if (this.sendBacklog()) {
      if (this.now() - this.lastStateAt >= STATE_EVERY_MS) this.pushState();
      this.timer = setTimeout(() => this.safeTick(), this.intervalMs);
      return;
    }
    if (this.stopped || !this.clock.playing) return;
    if (this.storeReset()) {
      // Points the client holds were evicted (or the run is gone): show the run as it is now at the
      // same step, then go on.
      this.seek(this.cursor.lastStep ?? -Infinity);
      return;
    }
    if (this.cursor.finished) return;
    const now = this.now();
    if (this.sink.pending() <= this.maxPendingPackets) {
      const ranges = this.cursor.take(clockPosition(this.clock, now), this.maxPerTick);
      if (ranges.length > 0) {
        this.emit(
          ranges.map((r) => this.cursor.delta(this.run, r, false)),
          false,
        );
        if (this.cursor.finished) {
          this.clock = { ...rebaseAt(this.clock, now, this.cursor.pos), playing: false };
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
    if (this.backlog) {
      this.timer = setTimeout(() => this.safeTick(), this.intervalMs);
      return;
    }
    const wait = msUntilPosition(this.clock, this.now(), this.clock.playing ? this.cursor.nextPosition() : null);
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

/**
 * The server-wide cap on replay sessions (all clients). A finished session still holds its slot (its
 * client may restart it) until the cap is reached; then the oldest finished one anywhere gives way.
 */
export class ReplayLimiter {
  /** Session -> how its manager forgets it; insertion order = age. */
  private readonly sessions = new Map<ReplaySession, () => void>();

  constructor(readonly max: number) {}

  get count(): number {
    return this.sessions.size;
  }

  /** Makes room for one more session, or throws the refusal. */
  admit(): void {
    if (this.sessions.size < this.max) return;
    for (const [s, forget] of this.sessions) {
      if (!s.finished) continue;
      forget();
      return;
    }
    throw new Error(
      `the server is running ${this.max} replays already (its limit for all clients, --max-replays); try again when one ends`,
    );
  }

  add(session: ReplaySession, forget: () => void): void {
    this.sessions.set(session, forget);
  }

  remove(session: ReplaySession): void {
    this.sessions.delete(session);
  }
}

/** One client's replays (bounded), created by the socket layer per connection. */
export class ReplayManager {
  private sessions = new Map<string, ReplaySession>();
  private closed = false;

  constructor(
    private readonly deps: {
      store: SeriesStore;
      sink: ReplaySink;
      maxSessions: number;
      limiter: ReplayLimiter;
    },
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  start(req: { run: string; speed: ReplaySpeed; maxGapSec: number }): ReplayState {
    if (this.closed) throw new Error('connection closed');
    if (!this.deps.store.hasRun(req.run)) throw new PathError(`unknown run "${req.run}"`, 404);
    if (this.sessions.size >= this.deps.maxSessions) {
      // Make room by forgetting the oldest finished replay, else refuse.
      const done = [...this.sessions.values()].find((s) => s.finished);
      if (!done) throw new Error(`at most ${this.deps.maxSessions} replays at once per client; stop one first`);
      this.end(done);
    }
    this.deps.limiter.admit();
    const session = new ReplaySession(req.run, this.deps.store, this.deps.sink, { speed: req.speed, maxGapSec: req.maxGapSec });
    this.sessions.set(session.id, session);
    this.deps.limiter.add(session, () => this.end(session));
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
        return this.end(s);
    }
  }

  closeAll(): void {
    this.closed = true;
    for (const s of [...this.sessions.values()]) this.end(s);
  }

  private end(s: ReplaySession): ReplayState {
    this.sessions.delete(s.id);
    this.deps.limiter.remove(s);
    return s.stop();
  }
}
