import { describe, expect, it } from 'vitest';
import ELK from 'elkjs/lib/elk.bundled.js';
import { allScopes, buildModel, defaultExpanded, scopeId } from '../../web/src/lib/graph/graph-model.ts';
import { buildElkGraph, layoutGraph, scopeHeader } from '../../web/src/lib/graph/layout.ts';
import { chainGraph, checkLayout, contains, kerasMlp, scopedGraphDef } from './graph-fixtures.ts';

const elk = new ELK();

describe('graph layout (elkjs)', () => {
  it('builds an ELK graph of the visible items with global coordinates requested', () => {
    const g = buildElkGraph(scopedGraphDef, new Set(['layer1']));
    expect(g.layoutOptions?.['elk.direction']).toBe('DOWN');
    expect(g.layoutOptions?.['elk.json.shapeCoords']).toBe('ROOT');
    const layer1 = g.children!.find((c) => c.id === scopeId('layer1'))!;
    expect(layer1.children!.map((c) => c.id)).toContain('op:layer1/MatMul');
    expect(g.children!.find((c) => c.id === scopeId('layer2'))!.children).toBeUndefined();
    expect(g.edges!.map((e) => e.id)).toContain('scope:input->op:layer1/MatMul');
  });

  it('lays out a Keras model top to bottom without overlaps', async () => {
    const layout = await layoutGraph(elk, kerasMlp, new Set());
    checkLayout(layout, buildModel(kerasMlp));
    const y = (name: string): number => layout.nodes.find((n) => n.name === name)!.y;
    expect(y('input_1')).toBeLessThan(y('dense'));
    expect(y('dense')).toBeLessThan(y('dropout'));
    expect(y('dropout')).toBeLessThan(y('dense_1'));
    expect(layout.edges).toHaveLength(3);
  });

  it('lays out nested expanded scopes with children inside their scope boxes', async () => {
    const model = buildModel(scopedGraphDef);
    const layout = await layoutGraph(elk, model, allScopes(model));
    expect(layout.nodes).toHaveLength(scopedGraphDef.nodes.length + 5);
    checkLayout(layout, model);
    const w = layout.nodes.find((n) => n.id === scopeId('layer1/weights'))!;
    const l1 = layout.nodes.find((n) => n.id === scopeId('layer1'))!;
    expect(w.depth).toBe(1);
    expect(contains(l1, w)).toBe(true);
    expect(contains(w, layout.nodes.find((n) => n.name === 'layer1/weights/read')!)).toBe(true);
  });

  it('collapsed big graphs lay out one box per top-level scope', async () => {
    const model = buildModel(chainGraph(10, 30));
    const layout = await layoutGraph(elk, model, defaultExpanded(model));
    expect(layout.nodes).toHaveLength(10);
    expect(layout.nodes.every((n) => n.kind === 'scope' && !n.expanded)).toBe(true);
    checkLayout(layout, model);
  });

  it('fits an expanded scope header to the box width', () => {
    expect(scopeHeader('layer1', '80 nodes', 300)).toEqual({ title: '− layer1', sub: '80 nodes' });
    const narrow = scopeHeader('input_reshape', '4 nodes', 88);
    expect(narrow.sub).toBe('');
    expect(narrow.title.length).toBeLessThanOrEqual(Math.floor((88 - 16) / 6.6));
    expect(narrow.title.endsWith('…')).toBe(true);
  });
});
