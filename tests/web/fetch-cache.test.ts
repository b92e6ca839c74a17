import { describe, expect, it } from 'vitest';
import { FetchCache } from '../../web/src/lib/fetch-cache.ts';

function harness(minIntervalMs = 1000) {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const calls: string[] = [];
  let changes = 0;
  let answer = 1;
  const cache = new FetchCache(
    async (url) => {
      calls.push(url);
      return { n: answer++ };
    },
    () => changes++,
    { minIntervalMs, maxEntries: 3, now: () => now, setTimer: (fn, ms) => timers.push({ at: now + ms, fn }) },
  );
  const advance = async (ms: number) => {
    now += ms;
    for (const t of timers.splice(0).filter((t) => (t.at <= now ? true : (timers.push(t), false)))) t.fn();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { cache, calls, advance, changes: () => changes };
}
const parse = (raw: unknown) => (raw as { n: number }).n;

describe('FetchCache', () => {
  it('fetches once, then again only when the revision goes up, at most once per interval', async () => {
    const h = harness();
    expect(h.cache.get('/a', 0, parse)).toEqual({ data: undefined, error: undefined, stale: true });
    await h.advance(0);
    expect(h.calls).toEqual(['/a']);
    expect(h.cache.get('/a', 0, parse)).toEqual({ data: 1, error: undefined, stale: false });
    expect(h.changes()).toBe(1);
    // Three notices in a burst: one refetch, after the interval.
    h.cache.get('/a', 1, parse);
    h.cache.get('/a', 2, parse);
    h.cache.get('/a', 3, parse);
    await h.advance(500);
    expect(h.calls).toHaveLength(1);
    await h.advance(500);
    expect(h.calls).toHaveLength(2);
    expect(h.cache.get('/a', 3, parse)).toMatchObject({ data: 2, stale: false });
  });

  it('keeps the last data on an error and bounds its entries', async () => {
    const h = harness(0);
    const bad = new FetchCache(async () => {
      throw new Error('HTTP 404');
    }, () => {}, { setTimer: (fn) => fn() });
    bad.get('/x', 0, parse);
    await new Promise((r) => setTimeout(r, 0));
    expect(bad.get('/x', 0, parse).error).toBe('HTTP 404');
    for (const u of ['/1', '/2', '/3', '/4']) h.cache.get(u, 0, parse);
    expect(h.cache.size).toBe(3);
    await h.advance(0);
    expect(h.calls).toEqual(['/2', '/3', '/4']); // /1 was evicted before its request ran
    h.cache.forget('/3');
    expect(h.cache.size).toBe(2);
  });
});
