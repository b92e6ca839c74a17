import { describe, expect, it } from 'vitest';
import type { GraphJson } from '../../shared/types.ts';
import { graphLabel, pickGraphRun } from '../../web/src/lib/graph/graph-runs.ts';
import { kerasMlp } from './graph-fixtures.ts';

describe('graph run picker', () => {
  const runs = ['a', 'b', 'c'];
  it('walks runs until one has a graph, unless the user picked one', () => {
    const known: Record<string, GraphJson[] | undefined> = {};
    const of = (r: string): GraphJson[] | undefined => known[r];
    expect(pickGraphRun(runs, of, null)).toBe('a'); // not loaded yet: load a
    known.a = [];
    expect(pickGraphRun(runs, of, null)).toBe('b');
    known.b = [];
    known.c = [kerasMlp];
    expect(pickGraphRun(runs, of, null)).toBe('c');
    expect(pickGraphRun(runs, of, 'a')).toBe('a');
    expect(pickGraphRun(runs, of, 'gone')).toBe('c');
    expect(pickGraphRun([], of, null)).toBeNull();
    known.c = [];
    expect(pickGraphRun(runs, of, null)).toBe('a');
  });
  it('labels graphs by kind, step and size', () => {
    expect(graphLabel(kerasMlp)).toBe('Keras model · step 0 · 4 nodes');
  });
});
