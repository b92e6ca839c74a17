// Memory is given back once clients have left: one collection after a quiet period, none while clients
// keep coming and going, none after close.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QuietCollector } from '../../server/live/quiet-collector.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('QuietCollector', () => {
  it('collects quietMs after the last client came or went, once more quietMs later, then stops', () => {
    const collect = vi.fn();
    const q = new QuietCollector({ quietMs: 10_000, collect });
    q.activity();
    vi.advanceTimersByTime(6000);
    q.activity(); // another client leaves: the quiet period starts over
    vi.advanceTimersByTime(9000);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(9999);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(600_000);
    expect(collect).toHaveBeenCalledTimes(2);
    expect(q.collections).toBe(2);
  });

  it('a client between the two passes cancels the second; the next quiet period has both again', () => {
    const collect = vi.fn();
    const q = new QuietCollector({ quietMs: 10_000, collect });
    q.activity();
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(1);
    q.activity(); // someone connects 5 s before the second pass would have run
    vi.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(2); // the new quiet period's first pass
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(60_000);
    expect(collect).toHaveBeenCalledTimes(3);
  });

  it('never collects while clients keep churning, and not after close', () => {
    const collect = vi.fn();
    const q = new QuietCollector({ quietMs: 10_000, collect });
    for (let i = 0; i < 100; i++) {
      q.activity();
      vi.advanceTimersByTime(2000);
    }
    expect(collect).not.toHaveBeenCalled();
    q.close();
    vi.advanceTimersByTime(60_000);
    q.activity();
    vi.advanceTimersByTime(60_000);
    expect(collect).not.toHaveBeenCalled();
  });

  it('survives a collection that throws', () => {
    const q = new QuietCollector({
      quietMs: 10,
      collect: () => {
        throw new Error('no');
      },
    });
    q.activity();
    expect(() => vi.advanceTimersByTime(10)).not.toThrow();
    expect(q.collections).toBe(1);
    expect(() => vi.advanceTimersByTime(10)).not.toThrow();
    expect(q.collections).toBe(2);
  });
});
