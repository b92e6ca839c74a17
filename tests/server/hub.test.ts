import { afterEach, describe, expect, it } from 'vitest';
import type { DeltaBatch, DropNotice } from '../../shared/protocol.ts';
import { LiveHub, subscriptionKey } from '../../server/live/hub.ts';
import { backlogKey } from '../../server/live/hub-model.ts';
import { compileTagFilter, type TagFilter } from '../../server/live/tag-filter.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { sleep, until } from './helpers.ts';
import { RecordingSink } from './recording-sink.ts';

const scalar = (tag: string, step: number): LogRecord => ({ kind: 'scalar', tag, step, wallTime: 1000 + step, value: step / 10 });

class FakeSink extends RecordingSink {
  times: number[] = [];
  dropped: DropNotice | null = null;
  backlog = 0;
  /** Bytes the fake transport holds (queuedBytes). */
  bytes = 0;
  override emitDelta(b: DeltaBatch) {
    super.emitDelta(b);
    this.times.push(performance.now());
  }
  override pending() {
    return this.backlog;
  }
  override queuedBytes() {
    return this.bytes;
  }
  override drop(notice: DropNotice) {
    this.dropped = notice;
  }
}

const all = compileTagFilter(undefined) as TagFilter;
let hubs: LiveHub[] = [];
afterEach(() => {
  for (const h of hubs) h.close();
  hubs = [];
});
function setup(opts = {}) {
  const store = new SeriesStore();
  const hub = new LiveHub(store, opts);
  hubs.push(hub);
  const ingest = (run: string, recs: LogRecord[]) => hub.publish(store.ingest(run, recs));
  return { store, hub, ingest };
}

describe('LiveHub', () => {
  it('resumes from `have` with no gap and no duplicate while points keep arriving', async () => {
    const { hub, ingest } = setup();
    const steps = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => scalar('loss', from + i));
    ingest('r', steps(0, 10));
    const s = new FakeSink('a');
    hub.addClient(s);
    hub.subscribe('a', { runs: '*', filter: all, have: { r: { loss: 4 } } });
    ingest('r', steps(10, 15)); // arrives right after subscribing, before any flush
    await until(() => s.steps('r', 'loss').at(-1) === 14, 2000, 'live points');
    ingest('r', steps(15, 20));
    await until(() => s.steps('r', 'loss').at(-1) === 19, 2000, 'more live points');
    expect(s.steps('r', 'loss')).toEqual(Array.from({ length: 15 }, (_, i) => 5 + i));
  });

  it('only pushes matching runs and tags; new runs are announced to everyone', async () => {
    const { hub, ingest } = setup();
    const s = new FakeSink('a');
    hub.addClient(s);
    hub.subscribe('a', { runs: ['r1'], filter: compileTagFilter('^acc') as TagFilter });
    ingest('r1', [scalar('acc', 1), scalar('loss', 1)]);
    ingest('r2', [scalar('acc', 1)]);
    hub.publishRuns([{ name: 'r2', source: 'disk', group: '.' }]);
    await until(() => s.batches.length > 0);
    await sleep(80);
    const series = s.batches.flatMap((b) => b.series.map((d) => `${d.run}:${d.tag}`));
    expect(series).toEqual(['r1:acc']);
    expect(s.batches.flatMap((b) => b.runs ?? []).map((r) => r.name)).toEqual(['r2']);
  });

  it('coalesces: a burst goes out at once (leading edge), then at most one push per interval', async () => {
    const { hub, ingest } = setup({ intervalMs: 50 });
    const s = new FakeSink('a');
    hub.addClient(s);
    hub.subscribe('a', { runs: '*', filter: all });
    ingest('r', [scalar('loss', 0)]);
    // After a quiet period the point goes out on the next turn of the event loop, not after the window.
    await new Promise((r) => setImmediate(r));
    expect(s.batches).toHaveLength(1);
    for (let i = 1; i <= 100; i++) {
      ingest('r', [scalar('loss', i)]);
      await sleep(2);
    }
    await until(() => s.steps('r', 'loss').at(-1) === 100, 3000);
    for (let i = 1; i < s.times.length; i++) expect(s.times[i] - s.times[i - 1]).toBeGreaterThanOrEqual(45);
    expect(s.batches.length).toBeLessThan(20);
    expect(s.steps('r', 'loss')).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });

  it('skips pushes while the transport is backed up, then drops a client that falls too far behind', async () => {
    // 60 points of one scalar series: about 40 + 6 + 27 * 60 bytes; the budget holds 20 of them with the transport's 500.
    const { hub, ingest } = setup({ intervalMs: 10, maxPendingPackets: 2, maxClientBytes: 500 + 46 + 27 * 30 });
    const s = new FakeSink('slow');
    const ok = new FakeSink('ok');
    hub.addClient(s);
    hub.addClient(ok);
    hub.subscribe('slow', { runs: '*', filter: all });
    hub.subscribe('ok', { runs: '*', filter: all });
    s.backlog = 5;
    s.bytes = 500;
    ingest('r', Array.from({ length: 20 }, (_, i) => scalar('loss', i)));
    await sleep(60);
    expect(s.batches).toHaveLength(0); // held back, coalescing
    expect(s.dropped).toBeNull();
    ingest('r', Array.from({ length: 40 }, (_, i) => scalar('loss', 20 + i)));
    await until(() => s.dropped !== null, 1000, 'drop');
    expect(s.dropped).toMatchObject({ reason: 'slow-client', limitBytes: 500 + 46 + 27 * 30 });
    expect(s.dropped!.queuedBytes).toBeGreaterThan(500 + 46 + 27 * 30);
    expect(s.dropped!.message).toMatch(/not reading/);
    expect(hub.clientCount).toBe(1);
    await until(() => ok.steps('r', 'loss').length === 60, 1000);
  });

  it('clients with the same subscription share one batch per tick (one broadcast for all)', async () => {
    const calls: string[][] = [];
    const sinks = new Map<string, FakeSink>();
    const store = new SeriesStore();
    const hub = new LiveHub(store, {
      broadcast: (ids, b) => {
        calls.push(ids);
        for (const id of ids) sinks.get(id)!.emitDelta(b);
      },
    });
    hubs.push(hub);
    for (const id of ['a', 'b', 'c']) {
      const s = new FakeSink(id);
      sinks.set(id, s);
      hub.addClient(s);
      hub.subscribe(id, { runs: '*', filter: all, filterKey: '' });
    }
    const other = new FakeSink('d');
    sinks.set('d', other);
    hub.addClient(other);
    hub.subscribe('d', { runs: '*', filter: compileTagFilter('acc') as TagFilter, filterKey: 'acc' });
    await sleep(80); // backlogs (empty) drain; everyone joins its group
    for (let i = 0; i < 5; i++) {
      hub.publish(store.ingest('r', [scalar('loss', i), scalar('acc', i)]));
      await sleep(60);
    }
    expect(hub.groupCount).toBe(2);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.some((ids) => ids.length === 3)).toBe(true);
    for (const id of ['a', 'b', 'c']) expect(sinks.get(id)!.steps('r', 'loss')).toEqual([0, 1, 2, 3, 4]);
    expect(other.steps('r', 'acc')).toEqual([0, 1, 2, 3, 4]);
    expect(other.steps('r', 'loss')).toEqual([]);
  });

  it('a backed-up member goes private, catches up with no gap or duplicate, then rejoins', async () => {
    const { hub, ingest } = setup({ intervalMs: 10, maxPendingPackets: 2 });
    const fast = new FakeSink('fast');
    const slow = new FakeSink('slow');
    hub.addClient(fast);
    hub.addClient(slow);
    hub.subscribe('fast', { runs: '*', filter: all, filterKey: '' });
    hub.subscribe('slow', { runs: '*', filter: all, filterKey: '' });
    let step = 0;
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) {
        ingest('r', [scalar('loss', step++)]);
        await sleep(3);
      }
    };
    await burst(10);
    slow.backlog = 10; // transport stalls
    await burst(20);
    const during = slow.steps('r', 'loss').length;
    expect(during).toBeLessThan(step);
    slow.backlog = 0; // drains
    await burst(10);
    await until(() => slow.steps('r', 'loss').length === step && fast.steps('r', 'loss').length === step, 2000);
    const want = Array.from({ length: step }, (_, i) => i);
    expect(slow.steps('r', 'loss')).toEqual(want);
    expect(fast.steps('r', 'loss')).toEqual(want);
    expect(slow.dropped).toBeNull();
  });

  it('late joiners share one backlog snapshot (the same chunk objects); a later one gets its catch-up; no gap, no duplicate', async () => {
    // privateSliceMs 0: each pass serves one private client and the rest continue on later turns.
    const { hub, ingest } = setup({ intervalMs: 30, maxBatchPoints: 20, privateSliceMs: 0 });
    ingest('r', Array.from({ length: 40 }, (_, i) => scalar('loss', i)));
    const live = new FakeSink('live');
    hub.addClient(live);
    hub.subscribe('live', { runs: '*', filter: all, have: { r: { loss: 39 } }, filterKey: '' });
    const news = Array.from({ length: 6 }, (_, i) => new FakeSink(`n${i}`));
    for (const s of news) {
      hub.addClient(s);
      expect(hub.subscribe(s.id, { runs: '*', filter: all, filterKey: '' })).toEqual(['r']);
    }
    for (let i = 40; i < 50; i++) {
      ingest('r', [scalar('loss', i)]);
      await sleep(5);
    }
    // Joins after 10 more points: the same snapshot, then those 10 from the store.
    const later = new FakeSink('later');
    hub.addClient(later);
    hub.subscribe('later', { runs: '*', filter: all, filterKey: '' });
    for (let i = 50; i < 55; i++) {
      ingest('r', [scalar('loss', i)]);
      await sleep(5);
    }
    const want = Array.from({ length: 55 }, (_, i) => i);
    const joiners = [...news, later];
    await until(() => joiners.every((s) => s.steps('r', 'loss').length === 55) && live.steps('r', 'loss').length === 15, 3000);
    expect(hub.snapshotBuilds).toBe(2); // one for the resuming client (its `have`), one for all 7 joiners
    for (const s of joiners) {
      expect(s.steps('r', 'loss')).toEqual(want);
      for (const b of s.batches) expect(b.series.reduce((n, d) => n + (d.kind === 'scalars' ? d.steps.length : 0), 0)).toBeLessThanOrEqual(20);
      // The backlog's two chunks are the very same (frozen) objects for every joiner: encoded once.
      expect(s.batches[0]).toBe(news[0].batches[0]);
      expect(s.batches[1]).toBe(news[0].batches[1]);
      expect(Object.isFrozen(s.batches[0])).toBe(true);
      expect(s.batches.flatMap((b) => b.loaded ?? [])).toEqual(['r']);
    }
    expect(live.steps('r', 'loss')).toEqual(want.slice(40));
    // all drained clients rejoined the shared group
    await sleep(100);
    expect(hub.privateCount).toBe(0);
    ingest('r', [scalar('loss', 55)]);
    await until(() => joiners.every((s) => s.steps('r', 'loss').at(-1) === 55), 1000);
    expect(hub.groupCount).toBe(1);
  });

  it('lets a snapshot go once it is too old to reuse, with nobody subscribing after it', async () => {
    const { hub, ingest } = setup({ intervalMs: 10, snapshotTtlMs: 100 });
    ingest('r', Array.from({ length: 50 }, (_, i) => scalar('loss', i)));
    const s = new FakeSink('a');
    hub.addClient(s);
    hub.subscribe('a', { runs: '*', filter: all, filterKey: '' });
    expect(hub.snapshotBytes).toBeGreaterThan(0);
    await until(() => s.steps('r', 'loss').length === 50, 2000, 'backlog');
    hub.removeClient('a');
    await until(() => hub.snapshotBytes === 0, 2000, 'the snapshot let go');
  });

  it('backlog keys: equal for what a client holds written differently, apart for anything that changes the backlog', () => {
    const g = subscriptionKey({ runs: '*', filterKey: '', kinds: ['scalars'] });
    expect(backlogKey(g, {})).toBe(backlogKey(g, { have: { r: {} } }));
    expect(backlogKey(g, { have: { a: { x: 1, y: 2 }, b: { z: 3 } } })).toBe(backlogKey(g, { have: { b: { z: 3 }, a: { y: 2, x: 1 } } }));
    expect(backlogKey(g, { have: { a: { x: 1 } } })).not.toBe(backlogKey(g, { have: { a: { x: 2 } } }));
    expect(backlogKey(g, { points: 800 })).not.toBe(backlogKey(g, {}));
    expect(backlogKey(g, {})).not.toBe(backlogKey(subscriptionKey({ runs: '*', filterKey: '' }), {}));
  });

  it('a snapshot is rebuilt once a run of it rewound, and extended (not reused as is) when the catch-up would outgrow a batch', async () => {
    const { hub, ingest } = setup({ intervalMs: 10, maxBatchPoints: 20 });
    ingest('r', Array.from({ length: 30 }, (_, i) => scalar('loss', i)));
    const join = (id: string) => {
      const s = new FakeSink(id);
      hub.addClient(s);
      hub.subscribe(id, { runs: '*', filter: all, filterKey: '' });
      return s;
    };
    const a = join('a');
    ingest('r', [scalar('loss', 10)]); // a rewind: steps 10..29 are dropped
    const b = join('b');
    expect(hub.snapshotBuilds).toBe(2);
    ingest('r', Array.from({ length: 25 }, (_, i) => scalar('loss', 11 + i))); // 25 > 20 to catch up
    const c = join('c');
    expect(hub.snapshotBuilds).toBe(3);
    ingest('r', [scalar('loss', 36)]);
    const d = join('d'); // the extended snapshot and a catch-up of one point
    expect(hub.snapshotBuilds).toBe(3);
    const want = Array.from({ length: 37 }, (_, i) => i);
    await until(() => [a, b, c, d].every((s) => s.steps('r', 'loss').at(-1) === 36), 2000);
    for (const s of [a, b, c, d]) expect(s.steps('r', 'loss')).toEqual(want);
    // c and d got b's snapshot (steps 0..10) and its extension (11..35) as the same shared chunks.
    expect(c.batches[0]).toBe(b.batches[0]);
    expect(d.batches.slice(0, 3)).toEqual(c.batches.slice(0, 3));
    expect(d.batches[1]).toBe(c.batches[1]);
  });

  it('decimates a long backlog to the points a chart shows (spikes and the last point kept); live points follow with no gap', async () => {
    const { hub, ingest } = setup();
    const recs = Array.from({ length: 10_000 }, (_, i) => ({ ...scalar('loss', i), value: i === 4321 ? 1e6 : Math.sin(i / 100) }));
    ingest('r', recs);
    const s = new FakeSink('a');
    hub.addClient(s);
    hub.subscribe('a', { runs: '*', filter: all, points: 200 });
    ingest('r', [scalar('loss', 10_000), scalar('loss', 10_001)]);
    await until(() => s.steps('r', 'loss').at(-1) === 10_001, 2000, 'live points');
    const got = s.steps('r', 'loss');
    expect(got.length).toBeLessThanOrEqual(200 + 4);
    expect(got.length).toBeGreaterThan(100);
    expect(got[0]).toBe(0);
    expect(got).toContain(4321); // the spike
    expect(got.slice(-3)).toEqual([9999, 10_000, 10_001]); // the backlog's last point, then every live one
    expect([...got].sort((a, b) => a - b)).toEqual(got);
    // A client without `points` gets every point.
    const full = new FakeSink('b');
    hub.addClient(full);
    hub.subscribe('b', { runs: '*', filter: all });
    await until(() => full.steps('r', 'loss').length === 10_002, 2000, 'the full backlog');
  });
  it('a large backlog does not count against the byte budget; what piles up beyond it does', async () => {
    const { hub, ingest } = setup({ intervalMs: 10, maxPendingPackets: 2, maxClientBytes: 20_000 });
    ingest('r', Array.from({ length: 5000 }, (_, i) => scalar('loss', i))); // ~135 kB of backlog
    const s = new FakeSink('late');
    hub.addClient(s);
    s.backlog = 5; // its transport is busy when it subscribes
    hub.subscribe('late', { runs: '*', filter: all });
    ingest('r', [scalar('loss', 5000)]);
    await sleep(60);
    expect(s.dropped).toBeNull(); // held back, not dropped
    ingest('r', Array.from({ length: 1000 }, (_, i) => scalar('loss', 5001 + i))); // ~27 kB more while stuck
    await until(() => s.dropped !== null, 1000, 'drop');
    expect(s.dropped!.reason).toBe('slow-client');
  });
});
