// A backlog snapshot is planned at subscribe and read chunk by chunk afterwards (snapshot-plan.ts): the
// first chunk is ready with the ack, the rest is read as the clients drain. Points that arrive between
// the plan and a chunk's reading are the live stream's: each point once, in order.
import { afterEach, describe, expect, it } from 'vitest';
import { buildSnapshot, startSnapshot, snapshotComplete } from '../../server/live/backlog-snapshot.ts';
import { LiveHub } from '../../server/live/hub.ts';
import { RecordingSink } from './recording-sink.ts';
import { compileTagFilter, type TagFilter } from '../../server/live/tag-filter.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { decodeRun, decodeSeries, encodeRun } from '../../server/cache/run-codec.ts';
import { until } from './helpers.ts';

const all = compileTagFilter(undefined) as TagFilter;
const scalar = (tag: string, step: number, value = step / 10): LogRecord => ({ kind: 'scalar', tag, step, wallTime: 1000 + step, value });
const range = (tag: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => scalar(tag, from + i));

let hub: LiveHub | null = null;
afterEach(() => hub?.close());

function setup(opts = {}) {
  const store = new SeriesStore();
  hub = new LiveHub(store, { intervalMs: 5, ...opts });
  const h = hub;
  const ingest = (run: string, recs: LogRecord[]) => h.publish(store.ingest(run, recs));
  const join = (id: string, sub = {}) => {
    const s = new RecordingSink(id);
    h.addClient(s);
    h.subscribe(id, { runs: '*', filter: all, filterKey: '', ...sub });
    return s;
  };
  return { store, hub: h, ingest, join };
}

describe('lazy backlog snapshot', () => {
  it('plans a scalars-only backlog without loading a cached run\'s histogram series', () => {
    const first = new SeriesStore();
    first.ingest('r', [...range('loss', 0, 40), ...Array.from({ length: 10 }, (_, i): LogRecord => ({ kind: 'histogram', tag: 'w', step: i, wallTime: 1000 + i, buckets: [[0, 1, i]] }))]);
    const enc = encodeRun('r', first.heldRunData('r')!);
    const store = new SeriesStore();
    const loaded: string[] = [];
    store.adoptRunData('r', decodeRun(enc.core, store.sampler, (tag) => {
      loaded.push(tag);
      return decodeSeries(enc.series.find(([t]) => t === tag)![1], store.sampler);
    }));
    const sub = { runs: '*' as const, filter: all };
    const snap = buildSnapshot('k', store, sub, new Set(['scalars'] as const), 25, 0);
    expect(snap.marks.get('r')).toEqual({ loss: 39 });
    expect(loaded).toEqual([]); // what the restart restored is enough: no histogram blob read
    buildSnapshot('k2', store, sub, null, 25, 0);
    expect(loaded).toEqual(['w']);
  });

  it('builds only the first chunk at once; the rest, read later, is the same chunks a whole read gives', () => {
    const store = new SeriesStore();
    for (const run of ['r0', 'r1']) store.ingest(run, [...range('b', 0, 30), ...range('a', 0, 30), ...range('c', 0, 30)]);
    const sub = { runs: '*' as const, filter: all };
    const lazy = startSnapshot('k', store, sub, null, 25, 0);
    expect(lazy.chunks).toHaveLength(1);
    expect(snapshotComplete(lazy)).toBe(false);
    expect(lazy.runs).toEqual(['r0', 'r1']);
    expect(lazy.marks.get('r1')).toEqual({ a: 29, b: 29, c: 29 });
    const whole = buildSnapshot('k', store, sub, null, 25, 0);
    while (lazy.rest!.buildNext());
    expect(snapshotComplete(lazy)).toBe(true);
    expect(lazy.chunks).toEqual(whole.chunks);
    expect(lazy.chunkBytes).toEqual(whole.chunkBytes);
    expect(whole.chunks).toHaveLength(Math.ceil((6 * 30) / 25));
  });

  it('points arriving before a chunk is read come once, in order, after the backlog (the chunk stops at the planned step)', async () => {
    const { ingest, join } = setup({ maxBatchPoints: 20 });
    ingest('r', [...range('a', 0, 30), ...range('b', 0, 30), ...range('c', 0, 30)]);
    const s = join('s');
    // Same synchronous step as the subscribe: none of 'c' (last in order) has been read yet.
    ingest('r', range('c', 30, 35));
    ingest('r', range('a', 30, 32));
    await until(() => s.steps('r', 'c').length >= 35 && s.steps('r', 'a').length >= 32, 2000, 'backlog and live points');
    ingest('r', range('c', 35, 40));
    await until(() => s.steps('r', 'c').at(-1) === 39, 2000, 'more live points');
    expect(s.steps('r', 'c')).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(s.steps('r', 'a')).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(s.steps('r', 'b')).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(s.batches.flatMap((b) => b.loaded ?? [])).toEqual(['r']);
  });

  it('a decimated backlog read after newer points keeps its own last point, then every live one', async () => {
    const { ingest, join } = setup({ maxBatchPoints: 20 });
    ingest('r', [...range('a', 0, 30), ...range('z', 0, 500)]);
    const s = join('s', { points: 50 });
    ingest('r', range('z', 500, 510));
    await until(() => s.steps('r', 'z').at(-1) === 509, 2000, 'live points');
    const got = s.steps('r', 'z');
    expect(got.length).toBeLessThan(80);
    expect(got.slice(-11)).toEqual(Array.from({ length: 11 }, (_, i) => 499 + i));
    expect([...new Set(got)]).toEqual(got);
  });

  it('a series rewound before it is read comes whole from the live stream (reset), not twice', async () => {
    const { ingest, join } = setup({ maxBatchPoints: 20 });
    ingest('r', [...range('a', 0, 30), ...range('c', 0, 30)]);
    const s = join('s');
    ingest('r', [scalar('c', 10, 99)]); // a rewind: steps 10..29 of c are dropped
    await until(() => s.batches.some((b) => b.loaded?.includes('r')), 2000, 'backlog');
    await until(() => s.steps('r', 'c').at(-1) === 10, 2000, 'the rewound series');
    expect(s.steps('r', 'c')).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(s.steps('r', 'a')).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('a joiner while the snapshot is still being read shares its chunks and gets its own catch-up', async () => {
    const { hub: h, ingest, join } = setup({ maxBatchPoints: 20 });
    ingest('r', [...range('a', 0, 30), ...range('b', 0, 30), ...range('c', 0, 30)]);
    const first = join('first');
    ingest('r', range('c', 30, 33));
    const second = join('second'); // same subscription: the snapshot planned for `first`, plus c 30..32
    ingest('r', range('c', 33, 36));
    const want = Array.from({ length: 36 }, (_, i) => i);
    await until(() => [first, second].every((s) => s.steps('r', 'c').length === 36), 2000, 'both clients');
    expect(h.snapshotBuilds).toBe(1);
    for (const s of [first, second]) {
      expect(s.steps('r', 'c')).toEqual(want);
      expect(s.steps('r', 'a')).toEqual(want.slice(0, 30));
    }
    const shared = first.batches.filter((b) => Object.isFrozen(b));
    expect(shared.length).toBe(Math.ceil(90 / 20));
    shared.forEach((b, i) => expect(second.batches[i]).toBe(b));
  });
});
