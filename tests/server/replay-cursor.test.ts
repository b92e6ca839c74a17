// Replays read the main store in place: the cursor's merge by wall time, seeks, and what happens when
// the store changes under a running replay (appends, resampling, step rewinds, removal); the session
// keeps no copy of the run; the per-client and server-wide caps; nothing is left after a client leaves.
import { describe, expect, it } from 'vitest';
import type { DeltaBatch, ReplayState, SeriesDelta } from '../../shared/protocol.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { ReplayCursor } from '../../server/live/replay-cursor.ts';
import { ReplayLimiter, ReplayManager, ReplaySession, type ReplaySink } from '../../server/live/replay.ts';
import { SeriesStore } from '../../server/store/series-store.ts';

const sc = (tag: string, step: number, wallTime: number, value = step): LogRecord => ({ kind: 'scalar', tag, step, wallTime, value });
const UNBOUNDED = { scalars: Infinity, histograms: Infinity, images: Infinity };

/** Applies deltas like a client: series -> steps held. */
class Held {
  steps = new Map<string, number[]>();
  batches: DeltaBatch[] = [];
  states: ReplayState[] = [];
  apply(series: SeriesDelta[]): void {
    for (const d of series) {
      const key = `${d.kind}/${d.tag}`;
      if (d.reset || !this.steps.has(key)) this.steps.set(key, []);
      const got = d.kind === 'scalars' ? d.steps : d.points.map((p) => (Array.isArray(p) ? p[1] : p.step));
      this.steps.get(key)!.push(...got);
    }
  }
  sink(): ReplaySink {
    return {
      emitDelta: (b) => {
        this.batches.push(b);
        this.apply(b.series);
      },
      emitState: (s) => this.states.push(s),
      pending: () => 0,
    };
  }
}

/** Two scalar tags logged at interleaved times, a histogram, and an idle gap of 100 s at step 5. */
function sampleStore(limits = UNBOUNDED): SeriesStore {
  const store = new SeriesStore(limits);
  const recs: LogRecord[] = [];
  for (let s = 0; s < 10; s++) {
    const t = 1000 + s + (s >= 5 ? 100 : 0);
    recs.push(sc('a', s, t), sc('b', s, t + 0.5));
    if (s % 2 === 0) recs.push({ kind: 'histogram', tag: 'h', step: s, wallTime: t + 0.25, buckets: [[0, 1, s]] });
  }
  store.ingest('run', recs);
  return store;
}

describe('replay cursor', () => {
  it('merges the series by wall time, compressing long gaps, and delivers each point once', () => {
    const store = sampleStore();
    const c = new ReplayCursor(store.seriesOf('run'), 2);
    expect(c).toMatchObject({ firstStep: 0, finalStep: 9 });
    const held = new Held();
    // Position 0: only what is due at the start (a@0).
    held.apply(c.take(0, Infinity).map((r) => c.delta('run', r, false)));
    expect([...held.steps]).toEqual([['scalars/a', [0]]]);
    // 0.5 s later: h@0 (0.25) and b@0 (0.5).
    held.apply(c.take(0.5, Infinity).map((r) => c.delta('run', r, false)));
    expect(held.steps.get('histograms/h')).toEqual([0]);
    expect(held.steps.get('scalars/b')).toEqual([0]);
    // Steps 0..4 span 4.5 s; the 100 s gap counts as 2 s, so step 5 of "a" is due at 4.5 + 2.
    held.apply(c.take(6.4, Infinity).map((r) => c.delta('run', r, false)));
    expect(held.steps.get('scalars/a')).toEqual([0, 1, 2, 3, 4]);
    expect(c.nextPosition()).toBeCloseTo(6.5);
    held.apply(c.take(Infinity, 3).map((r) => c.delta('run', r, false)));
    expect(c.lastStep).toBe(6); // a5 (1105), b5 (1105.5), a6 (1106)
    expect(held.steps.get('scalars/b')!.at(-1)).toBe(5);
    held.apply(c.take(Infinity, Infinity).map((r) => c.delta('run', r, false)));
    expect(c.finished).toBe(true);
    expect(c.nextPosition()).toBeNull();
    const all = Array.from({ length: 10 }, (_, i) => i);
    expect(held.steps.get('scalars/a')).toEqual(all);
    expect(held.steps.get('scalars/b')).toEqual(all);
    expect(held.steps.get('histograms/h')).toEqual([0, 2, 4, 6, 8]);
  });

  it('seeks to a step with the store points up to it, then continues from there', () => {
    const store = sampleStore();
    const c = new ReplayCursor(store.seriesOf('run'), 2);
    const held = new Held();
    const ranges = c.seek(6);
    expect(ranges).toHaveLength(3); // one reset per series, even the ones with nothing yet
    held.apply(ranges.map((r) => c.delta('run', r, true)));
    expect(held.steps.get('scalars/a')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(held.steps.get('histograms/h')).toEqual([0, 2, 4, 6]);
    expect(c.lastStep).toBe(6);
    held.apply(c.take(Infinity, Infinity).map((r) => c.delta('run', r, false)));
    expect(held.steps.get('scalars/b')).toEqual(Array.from({ length: 10 }, (_, i) => i));
    // Seeking back before the start empties every series.
    held.apply(c.seek(-1).map((r) => c.delta('run', r, true)));
    expect([...held.steps.values()].every((s) => s.length === 0)).toBe(true);
    expect(c.lastStep).toBeNull();
  });

  it('replays what existed when it started, whatever is appended or resampled meanwhile', () => {
    // A small reservoir: appends past capacity replace random kept points (ordered indexes shift).
    const store = new SeriesStore({ scalars: 20, histograms: 5, images: 2 });
    store.ingest('run', Array.from({ length: 20 }, (_, s) => sc('a', s, 100 + s)));
    const c = new ReplayCursor(store.seriesOf('run'), 2);
    const held = new Held();
    held.apply(c.take(4.5, Infinity).map((r) => c.delta('run', r, false)));
    expect(held.steps.get('scalars/a')).toEqual([0, 1, 2, 3, 4]);
    // A live run goes on: 200 more points, sampled into the 20 kept.
    store.ingest('run', Array.from({ length: 200 }, (_, i) => sc('a', 20 + i, 120 + i)));
    held.apply(c.take(Infinity, Infinity).map((r) => c.delta('run', r, false)));
    const got = held.steps.get('scalars/a')!;
    expect(c.finished).toBe(true);
    // Strictly increasing (no point twice), nothing past the step the replay started with.
    for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThan(got[i - 1]);
    expect(got[got.length - 1]).toBeLessThanOrEqual(19);
    expect(c.finalStep).toBe(19);
  });

  it('marks a run reset on a step rewind and on removal, not on appends', () => {
    const store = sampleStore();
    const m0 = store.resetMark('run');
    expect(m0).toBeTypeOf('number');
    store.ingest('run', [sc('a', 10, 2000)]);
    expect(store.resetMark('run')).toBe(m0);
    store.ingest('run', [sc('a', 3, 2001)]);
    const m1 = store.resetMark('run');
    expect(m1).not.toBe(m0);
    store.removeRun('run');
    expect(store.resetMark('run')).toBeUndefined();
    store.addRun('run');
    expect(store.resetMark('run')).not.toBe(m1);
  });
});

/** A session on a fake clock; ticks are driven by calling the timer callbacks by hand. */
function session(store: SeriesStore, held: Held, speed: 1 | 'max' = 'max') {
  let now = 0;
  const s = new ReplaySession('run', store, held.sink(), { speed, maxGapSec: 2, now: () => now, maxPerTick: 4 });
  return { s, advance: (ms: number) => (now += ms) };
}

/** Runs the session's pending timer callbacks until it has none (bounded). */
async function drain(s: ReplaySession): Promise<void> {
  for (let i = 0; i < 200 && s.scheduled; i++) await new Promise((r) => setTimeout(r, 30));
}

describe('replay session on the store', () => {
  it('keeps no copy of the run: its only arrays are per series', () => {
    const store = new SeriesStore(UNBOUNDED);
    store.ingest('run', Array.from({ length: 5000 }, (_, s) => sc('a', s, s)));
    const held = new Held();
    const { s } = session(store, held);
    s.begin();
    // Every array or typed array the session and its cursor hold is at most one slot per series.
    const seen = new Set<unknown>();
    const walk = (o: unknown, depth: number): void => {
      if (o === null || typeof o !== 'object' || seen.has(o) || depth > 2) return;
      seen.add(o);
      if (o instanceof SeriesStore) return; // the shared main store itself
      if (Array.isArray(o) || ArrayBuffer.isView(o)) {
        expect((o as ArrayLike<unknown>).length).toBeLessThanOrEqual(s.seriesCount);
      }
      for (const v of Object.values(o)) walk(v, depth + 1);
    };
    walk(s, 0);
    expect(seen.size).toBeGreaterThan(3);
    s.stop();
  });

  it('after a step rewind in the store, resets the client to the run as it is now and goes on', async () => {
    const store = new SeriesStore(UNBOUNDED);
    store.ingest('run', Array.from({ length: 40 }, (_, s) => sc('a', s, 100 + s)));
    const held = new Held();
    const { s } = session(store, held, 'max');
    s.begin();
    await new Promise((r) => setTimeout(r, 60)); // a few ticks of 4 points
    const before = held.steps.get('scalars/a')!.length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(40);
    // The run restarts from step 2 (a resumed job): steps >= 2 evicted, new points appended.
    store.ingest('run', Array.from({ length: 60 }, (_, i) => sc('a', 2 + i, 500 + i, -1)));
    await drain(s);
    const resets = held.batches.filter((b) => b.series.some((d) => d.reset)).length;
    expect(resets).toBeGreaterThanOrEqual(2); // begin + the rebuild
    expect(s.state().state).toBe('finished');
    // Consistent: the client ends with the run as stored at the rebuild, each step once.
    expect(held.steps.get('scalars/a')).toEqual(Array.from({ length: 62 }, (_, i) => i));
  });

  it('ends when its run is removed from the store', async () => {
    const store = sampleStore();
    const held = new Held();
    const { s } = session(store, held, 1);
    s.begin();
    store.removeRun('run');
    await drain(s);
    expect(s.finished).toBe(true);
    expect(s.scheduled).toBe(false);
    expect(s.seriesCount).toBe(0);
  });
});

describe('replay caps', () => {
  const manager = (store: SeriesStore, limiter: ReplayLimiter, held = new Held()) =>
    new ReplayManager({ store, sink: held.sink(), maxSessions: 3, limiter });
  const req = { run: 'run', speed: 1 as const, maxGapSec: 2 };

  it('refuses past the server-wide cap with a clear message; finished replays give way', () => {
    const store = sampleStore();
    const limiter = new ReplayLimiter(4);
    const a = manager(store, limiter);
    const b = manager(store, limiter);
    const ids = [a.start(req), a.start(req), b.start(req), b.start(req)].map((s) => s.replayId);
    expect(limiter.count).toBe(4);
    const c = manager(store, limiter);
    expect(() => c.start(req)).toThrow(/running 4 replays already \(its limit for all clients, --max-replays\)/);
    // The per-client cap is its own: "a" may not go past 3 either way.
    expect(() => a.start(req)).toThrow(/running 4 replays/);
    // Seek one of b's replays to its end: finished, it gives way to c.
    b.control({ replayId: ids[2], action: 'pause' });
    b.control({ replayId: ids[2], action: 'seek', step: 99 });
    expect(c.start(req).state).toBe('playing');
    expect(b.size).toBe(1);
    expect(() => b.control({ replayId: ids[2], action: 'pause' })).toThrow(/no replay/);
    expect(limiter.count).toBe(4);
    for (const m of [a, b, c]) m.closeAll();
  });

  it('leaves no session, slot or timer behind when the client leaves', () => {
    const store = sampleStore();
    const limiter = new ReplayLimiter(16);
    const m = manager(store, limiter);
    const states = [m.start(req), m.start(req), m.start(req)];
    for (const st of states) m.begin(st.replayId);
    expect(() => m.start(req)).toThrow(/at most 3 replays at once per client/);
    const sessions = [...(m as unknown as { sessions: Map<string, ReplaySession> }).sessions.values()];
    expect(sessions.some((s) => s.scheduled)).toBe(true);
    m.closeAll();
    expect(m.size).toBe(0);
    expect(limiter.count).toBe(0);
    expect(sessions.every((s) => !s.scheduled && s.finished && s.seriesCount === 0)).toBe(true);
    expect(() => m.start(req)).toThrow(/connection closed/);
  });
});
