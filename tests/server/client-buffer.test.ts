import { describe, expect, it } from 'vitest';
import type { SeriesDelta } from '../../shared/protocol.ts';
import { ClientBuffer, deltaWeight } from '../../server/live/client-buffer.ts';

const sc = (run: string, tag: string, steps: number[], reset?: boolean): SeriesDelta => ({
  kind: 'scalars',
  run,
  tag,
  ...(reset ? { reset: true } : {}),
  wallTimes: steps.map((s) => 1000 + s),
  steps,
  values: steps.map((s) => s * 2),
});

describe('ClientBuffer', () => {
  it('merges consecutive deltas of one series into one, keeping order, without touching the originals', () => {
    const b = new ClientBuffer();
    const a = sc('r', 'loss', [1, 2]);
    b.pushSeries(a);
    b.pushSeries(sc('r', 'loss', [3]));
    b.pushSeries(sc('r', 'acc', [1]));
    expect(b.points).toBe(4);
    const batch = b.take()!;
    expect(batch.series).toHaveLength(2);
    const loss = batch.series.find((d) => d.tag === 'loss')!;
    expect(loss.kind === 'scalars' && loss.steps).toEqual([1, 2, 3]);
    expect(loss.kind === 'scalars' && loss.values).toEqual([2, 4, 6]);
    expect(a.kind === 'scalars' && a.steps).toEqual([1, 2]); // shared delta left intact
    expect(b.isEmpty()).toBe(true);
    expect(b.take()).toBeNull();
  });

  it('a reset replaces what was queued for the series and stays a reset', () => {
    const b = new ClientBuffer();
    b.pushSeries(sc('r', 'loss', [5, 6]));
    b.pushSeries(sc('r', 'loss', [1], true));
    b.pushSeries(sc('r', 'loss', [2]));
    const d = b.take()!.series[0];
    expect(d.reset).toBe(true);
    expect(d.kind === 'scalars' && d.steps).toEqual([1, 2]);
    expect(b.points).toBe(0);
  });

  it('splits a large backlog into bounded chunks without losing or repeating points', () => {
    const b = new ClientBuffer();
    b.pushSeries(sc('r', 'a', Array.from({ length: 25 }, (_, i) => i), true));
    b.pushSeries(sc('r', 'b', [0, 1, 2]));
    const got: number[] = [];
    const chunks: SeriesDelta[][] = [];
    for (let batch = b.take(10); batch; batch = b.take(10)) {
      chunks.push(batch.series);
      for (const d of batch.series) if (d.kind === 'scalars' && d.tag === 'a') got.push(...d.steps);
      expect(batch.series.reduce((n, d) => n + (d.kind === 'scalars' ? d.steps.length : 0), 0)).toBeLessThanOrEqual(10);
    }
    expect(got).toEqual(Array.from({ length: 25 }, (_, i) => i));
    // Only the first chunk of the series carries the reset.
    const aChunks = chunks.flat().filter((d) => d.tag === 'a');
    expect(aChunks.map((d) => Boolean(d.reset))).toEqual([true, false, false]);
  });

  it('bounds a batch by weight: a histogram point counts its buckets, complete and in order over chunks', () => {
    const b = new ClientBuffer();
    // 12 histogram points of 9 buckets (weight 10 each) and 30 scalar points; chunks of weight 35.
    const buckets = Array.from({ length: 9 }, (_, i): [number, number, number] => [i, i + 1, i]);
    const hist: SeriesDelta = { kind: 'histograms', run: 'r', tag: 'h', points: Array.from({ length: 12 }, (_, s): [number, number, typeof buckets] => [s, s, buckets]) };
    b.pushSeries(hist);
    b.pushSeries(sc('r', 'a', Array.from({ length: 30 }, (_, i) => i)));
    const hSteps: number[] = [];
    const aSteps: number[] = [];
    let batches = 0;
    for (let batch = b.take(35); batch; batch = b.take(35)) {
      batches++;
      expect(batch.series.reduce((n, d) => n + deltaWeight(d), 0)).toBeLessThanOrEqual(35);
      for (const d of batch.series) {
        if (d.kind === 'histograms') hSteps.push(...d.points.map((p) => p[1]));
        if (d.kind === 'scalars') aSteps.push(...d.steps);
      }
    }
    expect(hSteps).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(aSteps).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(batches).toBeGreaterThanOrEqual(5); // 120 + 30 of weight in chunks of at most 35
    expect(b.points).toBe(0);
    // One point heavier than the bound still goes (alone), so the queue always progresses.
    b.pushSeries({ ...hist, points: hist.points.slice(0, 2) });
    expect((b.take(3)!.series[0] as { points: unknown[] }).points).toHaveLength(1);
    expect((b.take(3)!.series[0] as { points: unknown[] }).points).toHaveLength(1);
    expect(b.take(3)).toBeNull();
  });

  it('run infos (latest wins) and graph notices ride with the next batch; dropRun forgets a run', () => {
    const b = new ClientBuffer();
    b.pushRuns([{ name: 'r', source: 'disk', group: '.' }]);
    b.pushRuns([{ name: 'r', source: 'trainer', group: '.' }]);
    b.pushGraph('r');
    b.pushSeries(sc('gone', 'x', [1]));
    b.dropRun('gone');
    const batch = b.take()!;
    expect(batch.series).toEqual([]);
    expect(batch.runs).toEqual([{ name: 'r', source: 'trainer', group: '.' }]);
    expect(batch.graphs).toEqual(['r']);
  });
});
