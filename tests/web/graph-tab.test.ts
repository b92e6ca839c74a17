import { describe, expect, it } from 'vitest';
import { buildModel, opId } from '../../web/src/lib/graph/graph-model.ts';
import { graphFileName, graphViewKey, MAX_SEARCH_EXPAND, matchCountText, reveal, searchGraph, toggleScope } from '../../web/src/lib/graph/graph-tab.ts';
import { chainGraph, kerasMlp, scopedGraphDef } from './graph-fixtures.ts';

describe('GRAPHS tab view rules', () => {
  it('keys the shown graph by run, index and the graph, not by the array holding it', () => {
    const k = graphViewKey('a', 0, scopedGraphDef);
    expect(graphViewKey('a', 0, { ...scopedGraphDef })).toBe(k);
    expect(graphViewKey('b', 0, scopedGraphDef)).not.toBe(k);
    expect(graphViewKey('a', 1, scopedGraphDef)).not.toBe(k);
    expect(graphViewKey('a', 0, kerasMlp)).not.toBe(k);
    expect(graphViewKey('a', 0, undefined)).toBe('');
  });

  it('toggles a scope without changing the set it was given', () => {
    const open = new Set(['layer1']);
    expect(toggleScope(open, 'layer2')).toEqual(new Set(['layer1', 'layer2']));
    expect(toggleScope(open, 'layer1')).toEqual(new Set());
    expect(open).toEqual(new Set(['layer1']));
  });

  it('a search opens the scopes of its first matches and focuses the first; no match changes nothing', () => {
    const m = buildModel(scopedGraphDef);
    const found = searchGraph(m, 'read', new Set(['loss']));
    expect(found.matches).toEqual(['layer1/weights/read']);
    expect(found.shown).toEqual({ expanded: new Set(['loss', 'layer1', 'layer1/weights']), focus: opId('layer1/weights/read') });
    expect(searchGraph(m, 'nothing-like-it', new Set())).toEqual({ matches: [] });
    expect(reveal(m, ['layer2/MatMul'], new Set())).toEqual({ expanded: new Set(['layer2']), focus: opId('layer2/MatMul') });
  });

  it('opens at most MAX_SEARCH_EXPAND matches\' scopes', () => {
    const m = buildModel(chainGraph(MAX_SEARCH_EXPAND + 10, 2));
    const found = searchGraph(m, 'op0', new Set());
    expect(found.matches.length).toBe(MAX_SEARCH_EXPAND + 10);
    expect(found.shown!.expanded.size).toBe(MAX_SEARCH_EXPAND);
    expect(found.shown!.focus).toBe(opId('block0/op0'));
  });

  it('names match counts and download files', () => {
    expect(matchCountText(1)).toBe('1 match');
    expect(matchCountText(12)).toBe('12 matches');
    expect(matchCountText(200)).toBe('200+ matches');
    expect(graphFileName('mnist/run 1', 'svg')).toBe('graph-mnist_run_1.svg');
    expect(graphFileName(null, 'png')).toBe('graph-run.png');
  });
});
