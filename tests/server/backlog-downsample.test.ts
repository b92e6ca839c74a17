// subscribe's `points`: a scalar backlog downsampled (min / max per bucket, the spike kept, marked
// decimated), live points after it exact; without `points`, every point as before.
import { afterEach, describe, expect, it } from 'vitest';
import type { SeriesDelta } from '../../shared/protocol.ts';
import { downsampleDelta } from '../../server/live/backlog-downsample.ts';
import { LiveHub } from '../../server/live/hub.ts';
import { compileTagFilter, type TagFilter } from '../../server/live/tag-filter.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { until } from './helpers.ts';
import { RecordingSink } from './recording-sink.ts';

const all = compileTagFilter(undefined) as TagFilter;
const N = 5000;
const SPIKE = 3210;
const points = (from: number, to: number): LogRecord[] =>
  Array.from({ length: to - from }, (_, k) => {
    const s = from + k;
    return { kind: 'scalar', tag: 'loss', step: s, wallTime: 1000 + s, value: s === SPIKE ? 1e6 : Math.cos(s / 40) };
  });

class Sink extends RecordingSink {
  scalars(): Extract<SeriesDelta, { kind: 'scalars' }>[] {
    return this.batches.flatMap((b) => b.series).filter((d): d is Extract<SeriesDelta, { kind: 'scalars' }> => d.kind === 'scalars');
  }
}

let hub: LiveHub | null = null;
afterEach(() => hub?.close());

describe('downsampled backlog', () => {
  it('downsampleDelta keeps columns aligned, nulls as gaps, and leaves small or non-scalar deltas alone', () => {
    const d: SeriesDelta = { kind: 'scalars', run: 'r', tag: 't', wallTimes: [], steps: [], values: [] };
    for (let i = 0; i < 1000; i++) {
      d.wallTimes.push(100 + i);
      d.steps.push(i);
      d.values.push(i === 500 ? null : i % 10);
    }
    const out = downsampleDelta(d, 50) as typeof d;
    expect(out.decimated).toBe(true);
    expect(out.steps.length).toBeLessThanOrEqual(52 + 25); // 2 per bucket, a gap marker where there is one
    for (let k = 0; k < out.steps.length; k++) {
      expect(out.wallTimes[k]).toBe(100 + out.steps[k]);
      expect(out.values[k]).toBe(out.steps[k] === 500 ? null : out.steps[k] % 10);
    }
    expect(out.steps).toContain(500);
    expect(downsampleDelta(d, 1000)).toBe(d);
    const h: SeriesDelta = { kind: 'histograms', run: 'r', tag: 'h', points: [] };
    expect(downsampleDelta(h, 2)).toBe(h);
  });

  it('subscribe with points: the backlog is downsampled, the spike and the ends kept; live points after it all arrive', async () => {
    const store = new SeriesStore();
    hub = new LiveHub(store, { intervalMs: 5 });
    store.ingest('r', points(0, N));
    const s = new Sink('c');
    hub.addClient(s);
    hub.subscribe('c', { runs: '*', filter: all, filterKey: '', points: 200 });
    await until(() => s.batches.some((b) => b.loaded?.includes('r')), 2000, 'backlog sent');
    const backlog = s.scalars();
    const steps = backlog.flatMap((d) => d.steps);
    expect(backlog.every((d) => d.decimated)).toBe(true);
    expect(steps.length).toBeLessThanOrEqual(202);
    expect(steps.length).toBeGreaterThan(150);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(N - 1);
    expect(steps).toContain(SPIKE);
    const seen = s.batches.length;
    hub.publish(store.ingest('r', points(N, N + 30)));
    await until(() => s.scalars().flatMap((d) => d.steps).length >= steps.length + 30, 2000, 'live points');
    const live = s.batches.slice(seen).flatMap((b) => b.series).filter((d) => d.kind === 'scalars') as Extract<SeriesDelta, { kind: 'scalars' }>[];
    expect(live.flatMap((d) => d.steps)).toEqual(Array.from({ length: 30 }, (_, i) => N + i));
    expect(live.some((d) => d.decimated)).toBe(false);
  });

  it('without points: every backlog point, not marked', async () => {
    const store = new SeriesStore();
    hub = new LiveHub(store, { intervalMs: 5 });
    store.ingest('r', points(0, N));
    const s = new Sink('c');
    hub.addClient(s);
    hub.subscribe('c', { runs: '*', filter: all, filterKey: '' });
    await until(() => s.batches.some((b) => b.loaded?.includes('r')), 2000, 'backlog sent');
    expect(s.scalars().flatMap((d) => d.steps)).toHaveLength(N);
    expect(s.scalars().some((d) => d.decimated)).toBe(false);
  });
});

describe('the store downsamples a backlog from its columns', () => {
  it('gives what downsampling the full delta gives, NaN and infinities included, and leaves short series whole', () => {
    const store = new SeriesStore({ scalars: 100_000 });
    const recs: LogRecord[] = points(0, N).map((r, i) =>
      r.kind === 'scalar' && i % 997 === 5 ? { ...r, value: i % 2 ? NaN : -Infinity } : r,
    );
    store.ingest('r', recs);
    for (const [have, pts] of [[{}, 300], [{ loss: 1234 }, 300], [{ loss: 4990 }, 300], [{}, 20_000]] as const) {
      const full = store.deltasAfter('r', have, undefined, undefined);
      const direct = store.deltasAfter('r', have, undefined, undefined, pts);
      expect(direct).toEqual(full.map((d) => downsampleDelta(d, pts)));
      expect(direct[0].kind === 'scalars' && direct[0].decimated === true).toBe(full[0].kind === 'scalars' && full[0].steps.length > pts);
    }
    const d = store.deltasAfter('r', {}, undefined, undefined, 300)[0];
    expect(d.kind === 'scalars' && d.steps.includes(SPIKE)).toBe(true);
    // Downsampling a delta the store already decimated changes nothing.
    expect(downsampleDelta(d, 300)).toBe(d);
  });
});
