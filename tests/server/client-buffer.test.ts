import { describe, expect, it } from 'vitest';
import type { SeriesDelta } from '../../shared/protocol.ts';
import { ClientBuffer } from '../../server/live/client-buffer.ts';

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
