import { describe, expect, it, vi } from 'vitest';
import { ProjectorRunsWatch } from '../../web/src/lib/projector/projector-runs.ts';

describe('ProjectorRunsWatch', () => {
  it('asks at once, then at most once per interval however often it is poked', async () => {
    vi.useFakeTimers();
    try {
      const fetchRuns = vi.fn(async () => ['mnist-relu']);
      const seen: string[][] = [];
      const w = new ProjectorRunsWatch((r) => seen.push(r), 5000, fetchRuns);
      w.poke();
      await vi.advanceTimersByTimeAsync(0);
      expect(fetchRuns).toHaveBeenCalledTimes(1);
      expect(seen).toEqual([['mnist-relu']]);
      for (let i = 0; i < 10; i++) w.poke();
      await vi.advanceTimersByTimeAsync(4000);
      expect(fetchRuns).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1000);
      expect(fetchRuns).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failing route answers with no runs and does not throw', async () => {
    vi.useFakeTimers();
    try {
      const seen: string[][] = [];
      const w = new ProjectorRunsWatch((r) => seen.push(r), 10, async () => { throw new Error('404'); });
      w.poke();
      await vi.advanceTimersByTimeAsync(0);
      expect(seen).toEqual([[]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
