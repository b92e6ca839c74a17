import { describe, expect, it } from 'vitest';
import { buildSnapshot, FIRST_CHUNK_POINTS } from '../../server/live/backlog-snapshot.ts';
import { compileTagFilter, type TagFilter } from '../../server/live/tag-filter.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { compareTags } from '../../shared/tag-order.ts';

const all = compileTagFilter(undefined) as TagFilter;
const scalars = (tag: string, n: number): LogRecord[] =>
  Array.from({ length: n }, (_, step) => ({ kind: 'scalar', tag, step, wallTime: 1000 + step, value: step / 10 }));

describe('backlog order', () => {
  it('orders tags as SCALARS shows its cards: ranked groups first, then by name', () => {
    const tags = ['zeta/x', 'train/loss', 'metrics/b', 'val/loss', 'metrics/a', 'lr', 'epoch_loss'];
    expect([...tags].sort(compareTags)).toEqual(['val/loss', 'epoch_loss', 'train/loss', 'lr', 'metrics/a', 'metrics/b', 'zeta/x']);
  });

  it('sends the first card tag of every run before the next tag, in a small first chunk', () => {
    const store = new SeriesStore();
    const per = 3000;
    for (const run of ['r0', 'r1', 'r2']) store.ingest(run, [...scalars('metrics/m1', per), ...scalars('metrics/m0', per), ...scalars('val/acc', per)]);
    const snap = buildSnapshot('k', store, { runs: '*', filter: all }, null, 40_000, 0);
    const order: string[] = [];
    for (const b of snap.chunks) for (const d of b.series) if (order.at(-1) !== `${d.tag} ${d.run}`) order.push(`${d.tag} ${d.run}`);
    expect(order).toEqual(['val/acc r0', 'val/acc r1', 'val/acc r2', 'metrics/m0 r0', 'metrics/m0 r1', 'metrics/m0 r2', 'metrics/m1 r0', 'metrics/m1 r1', 'metrics/m1 r2']);
    const points = snap.chunks.map((b) => b.series.reduce((n, d) => n + (d.kind === 'scalars' ? d.steps.length : 0), 0));
    expect(points[0]).toBe(FIRST_CHUNK_POINTS);
    expect(points.slice(1)).toEqual([9 * per - FIRST_CHUNK_POINTS]);
    expect(snap.runs).toEqual(['r0', 'r1', 'r2']);
  });
});
