// A seek's points go out in bounded chunks: a seek larger than a chunk arrives in several messages,
// complete, in order, nothing lost or twice; chunks wait while the socket is backed up; play goes on
// only after the last chunk; the store may change between chunks.
import { describe, expect, it } from 'vitest';
import type { DeltaBatch, SeriesDelta } from '../../shared/protocol.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { SeekBacklog } from '../../server/live/replay-backlog.ts';
import { ReplayCursor } from '../../server/live/replay-cursor.ts';
import { ReplaySession } from '../../server/live/replay.ts';
import { SeriesStore } from '../../server/store/series-store.ts';

const UNBOUNDED = { scalars: Infinity, histograms: Infinity, images: Infinity };
const sc = (tag: string, step: number, wallTime: number): LogRecord => ({ kind: 'scalar', tag, step, wallTime, value: step * 10 });

/** 3 scalar tags x 100 steps and a histogram (3 buckets) every 10 steps. */
function store(): SeriesStore {
  const st = new SeriesStore(UNBOUNDED);
  const recs: LogRecord[] = [];
  for (let s = 0; s < 100; s++) {
    for (const tag of ['a', 'b', 'c']) recs.push(sc(tag, s, 1000 + s));
    if (s % 10 === 0) recs.push({ kind: 'histogram', tag: 'h', step: s, wallTime: 1000 + s, buckets: [[0, 1, s], [1, 2, 1], [2, 3, 0]] });
  }
  st.ingest('run', recs);
  return st;
}

/** Applies deltas as a client does (reset clears the series); records every step it sees, per series. */
class Client {
  steps = new Map<string, number[]>();
  values = new Map<string, (number | null)[]>();
  apply(series: SeriesDelta[]): void {
    for (const d of series) {
      const key = `${d.kind}/${d.tag}`;
      if (d.reset || !this.steps.has(key)) {
        this.steps.set(key, []);
        this.values.set(key, []);
      }
      if (d.kind === 'scalars') {
        this.steps.get(key)!.push(...d.steps);
        this.values.get(key)!.push(...d.values);
      } else this.steps.get(key)!.push(...d.points.map((p): number => (Array.isArray(p) ? p[1] : p.step)));
    }
  }
}

const weightOf = (series: SeriesDelta[]) =>
  series.reduce((n, d) => n + (d.kind === 'scalars' ? d.steps.length : d.kind === 'histograms' ? d.points.reduce((m, p) => m + 1 + p[2].length, 0) : d.points.length), 0);

describe('seek backlog', () => {
  it('splits a seek into bounded chunks that add up to exactly the points up to the step', () => {
    const st = store();
    const cursor = new ReplayCursor(st.seriesOf('run'), 2);
    const b = new SeekBacklog('run', cursor.entries, cursor.seek(59));
    const client = new Client();
    const chunks: SeriesDelta[][] = [];
    while (!b.done) chunks.push(b.take(25));
    // 3 x 60 scalar points + 6 histogram points of weight 4 = 204: at least 9 chunks of at most 25.
    expect(chunks.length).toBeGreaterThanOrEqual(9);
    for (const c of chunks) {
      expect(c.length).toBeGreaterThan(0);
      expect(weightOf(c)).toBeLessThanOrEqual(25);
      client.apply(c);
    }
    const upTo59 = Array.from({ length: 60 }, (_, i) => i);
    for (const tag of ['a', 'b', 'c']) {
      expect(client.steps.get(`scalars/${tag}`)).toEqual(upTo59);
      expect(client.values.get(`scalars/${tag}`)).toEqual(upTo59.map((s) => s * 10));
    }
    expect(client.steps.get('histograms/h')).toEqual([0, 10, 20, 30, 40, 50]);
    // Each series is reset exactly once, in its first delta.
    const deltas = chunks.flat();
    for (const key of client.steps.keys()) {
      const mine = deltas.filter((d) => `${d.kind}/${d.tag}` === key);
      expect(mine[0].reset).toBe(true);
      expect(mine.slice(1).some((d) => d.reset)).toBe(false);
    }
  });

  it('resets series with nothing up to the step, and makes progress when one point outweighs a chunk', () => {
    const st = store();
    const cursor = new ReplayCursor(st.seriesOf('run'), 2);
    const empty = new SeekBacklog('run', cursor.entries, cursor.seek(-1));
    const first = empty.take(1000);
    expect(empty.done).toBe(true);
    expect(first.map((d) => [d.tag, d.reset, d.kind === 'scalars' ? d.steps.length : d.points.length])).toEqual([
      ['a', true, 0],
      ['b', true, 0],
      ['c', true, 0],
      ['h', true, 0],
    ]);
    // A chunk of weight 1 is smaller than a histogram point (4): still one point per chunk.
    const hist = cursor.entries.findIndex((e) => e.kind === 'histograms');
    const b = new SeekBacklog('run', cursor.entries, cursor.seek(30).filter((r) => r.series === hist));
    const client = new Client();
    let n = 0;
    while (!b.done && n++ < 100) client.apply(b.take(1));
    expect(client.steps.get('histograms/h')).toEqual([0, 10, 20, 30]);
    expect(n).toBe(4);
  });

  it('sends only what it owes when the store grows between chunks', () => {
    const st = store();
    const cursor = new ReplayCursor(st.seriesOf('run'), 2);
    const b = new SeekBacklog('run', cursor.entries, cursor.seek(49));
    const client = new Client();
    client.apply(b.take(30));
    st.ingest('run', Array.from({ length: 50 }, (_, i) => sc('a', 100 + i, 2000 + i)));
    while (!b.done) client.apply(b.take(30));
    expect(client.steps.get('scalars/a')).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('a replay session sends a large seek in chunks', () => {
  function session(pending: () => number) {
    const st = store();
    const now = 0;
    const client = new Client();
    const batches: DeltaBatch[] = [];
    const s = new ReplaySession(
      'run',
      st,
      {
        emitDelta: (b) => {
          batches.push(b);
          client.apply(b.series);
        },
        emitState: () => {},
        pending,
      },
      { speed: 1, maxGapSec: 2, now: () => now, maxPerTick: 20, intervalMs: 1 },
    );
    return { s, client, batches };
  }
  const tickUntil = async (cond: () => boolean, max = 400) => {
    for (let i = 0; i < max && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  };

  it('arrives in several messages, complete and in order; play resumes only after the last one', async () => {
    const { s, client, batches } = session(() => 0);
    s.begin();
    s.pause();
    batches.length = 0;
    s.seek(79);
    await tickUntil(() => !s.scheduled);
    // 3 x 80 + 8 x 4 = 272 of weight, chunks of 20: at least 14 messages, none over the bound.
    expect(batches.length).toBeGreaterThanOrEqual(14);
    for (const b of batches) expect(weightOf(b.series)).toBeLessThanOrEqual(20);
    expect(batches[0].series[0].reset).toBe(true);
    expect(client.steps.get('scalars/a')).toEqual(Array.from({ length: 80 }, (_, i) => i));
    expect(client.steps.get('histograms/h')).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    // Playing from there delivers the next steps once each.
    s.setSpeed('max');
    s.resume();
    await tickUntil(() => s.finished && !s.scheduled);
    expect(client.steps.get('scalars/c')).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(client.steps.get('histograms/h')).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    s.stop();
  });

  it('holds chunks back while the socket is backed up', async () => {
    let backedUp = false;
    const { s, client, batches } = session(() => (backedUp ? 100 : 0));
    s.begin();
    s.pause();
    batches.length = 0;
    s.seek(79);
    expect(batches.length).toBe(1); // the first chunk goes at once
    backedUp = true;
    await new Promise((r) => setTimeout(r, 30));
    expect(batches.length).toBe(1);
    expect(s.scheduled).toBe(true); // still owed, waiting for the socket
    backedUp = false;
    await tickUntil(() => !s.scheduled);
    expect(client.steps.get('scalars/b')).toEqual(Array.from({ length: 80 }, (_, i) => i));
    s.stop();
    expect(s.scheduled).toBe(false);
  });
});
