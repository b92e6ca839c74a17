import { afterEach, describe, expect, it } from 'vitest';
import { LiveHub } from '../../server/live/hub.ts';
import { RecordingSink } from './recording-sink.ts';
import { compileTagFilter, type TagFilter } from '../../server/live/tag-filter.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { until } from './helpers.ts';

const scalar = (tag: string, step: number): LogRecord => ({ kind: 'scalar', tag, step, wallTime: 1000 + step, value: step });
const all = compileTagFilter(undefined) as TagFilter;

let hub: LiveHub | null = null;
afterEach(() => hub?.close());

describe('subscribe backlog: loading / loaded', () => {
  it('names the runs with a backlog, then each one in `loaded` with (or after) its last backlog point', async () => {
    const store = new SeriesStore();
    hub = new LiveHub(store, { intervalMs: 5, maxBatchPoints: 7 });
    store.ingest('a', Array.from({ length: 20 }, (_, i) => scalar('loss', i)));
    store.ingest('b', Array.from({ length: 5 }, (_, i) => scalar('loss', i)));
    store.addRun('empty');
    const s = new RecordingSink('c1');
    hub.addClient(s);
    const loading = hub.subscribe('c1', { runs: '*', filter: all, filterKey: '' });
    expect(loading.sort()).toEqual(['a', 'b']);
    await until(() => s.batches.flatMap((b) => b.loaded ?? []).length === 2, 2000, 'both runs loaded');
    // Each run is announced once, and no backlog point of it comes after that batch.
    for (const run of ['a', 'b']) {
      const at = s.batches.findIndex((b) => b.loaded?.includes(run));
      expect(s.batches.filter((b) => b.loaded?.includes(run))).toHaveLength(1);
      const later = s.batches.slice(at + 1).flatMap((b) => b.series.filter((d) => d.run === run));
      expect(later).toEqual([]);
      const points = s.batches.slice(0, at + 1).flatMap((b) => b.series.filter((d) => d.run === run)).reduce((n, d) => n + (d.kind === 'scalars' ? d.steps.length : 0), 0);
      expect(points).toBe(run === 'a' ? 20 : 5);
    }
    // a needs three batches of at most 7 points: it cannot be loaded in the first one.
    expect(s.batches[0].loaded ?? []).not.toContain('a');
  });

  it('a client that already holds everything has nothing loading', () => {
    const store = new SeriesStore();
    hub = new LiveHub(store);
    store.ingest('a', [scalar('loss', 0), scalar('loss', 1)]);
    const s = new RecordingSink('c2');
    hub.addClient(s);
    expect(hub.subscribe('c2', { runs: '*', filter: all, have: { a: { loss: 1 } } })).toEqual([]);
  });
});
