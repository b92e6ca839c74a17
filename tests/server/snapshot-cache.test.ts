// The backlog snapshot cache is bounded by the memory its snapshots hold (objects and encoded frames),
// not by their wire size: with histograms the two differ about fourfold.
import { describe, expect, it } from 'vitest';
import { SnapshotCache, type BacklogSnapshot } from '../../server/live/backlog-snapshot.ts';
import { deltaBytes, deltaObjectBytes } from '../../server/live/client-buffer.ts';
import type { SeriesDelta } from '../../shared/protocol.ts';

function histDelta(points: number, buckets: number): SeriesDelta {
  const b: [number, number, number][] = Array.from({ length: buckets }, (_, k) => [k, k + 1, k % 5]);
  return { kind: 'histograms', run: 'r', tag: 'w', points: Array.from({ length: points }, (_, i) => [1.7e9 + i, i, b]) } as SeriesDelta;
}

function snapshot(key: string, bytes: number, heldBytes: number): BacklogSnapshot {
  return { key, chunks: [], marks: new Map(), runs: [], resetMarks: new Map(), bytes, chunkBytes: [bytes], heldBytes, builtAt: 0, shareable: true };
}

describe('backlog snapshot memory', () => {
  it('counts a histogram bucket at what its objects hold, beyond its wire bytes', () => {
    const d = histDelta(10, 549);
    const held = deltaBytes(d) + deltaObjectBytes(d);
    expect(held).toBeGreaterThanOrEqual(deltaBytes(d) + 80 * 549 * 10);
    expect(held / deltaBytes(d)).toBeGreaterThan(3);
  });

  it('bounds the cache by held bytes: a snapshot small on the wire but big in memory is not kept', () => {
    const cache = new SnapshotCache(10_000, 1000);
    cache.put(snapshot('a', 100, 5000), 0);
    expect(cache.bytes).toBe(0);
    cache.put(snapshot('b', 100, 600), 0);
    cache.put(snapshot('c', 100, 600), 0); // evicts b: 1,200 held bytes would pass the bound
    expect(cache.bytes).toBe(600);
  });
});
