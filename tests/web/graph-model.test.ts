import { describe, expect, it } from 'vitest';
import {
  allScopes,
  buildModel,
  defaultExpanded,
  expandToShow,
  highlightIds,
  nodeDetails,
  opId,
  parseInput,
  representative,
  scopeId,
  searchNodes,
  visibleGraph,
} from '../../web/src/lib/graph/graph-model.ts';
import { chainGraph, kerasMlp, scopedGraphDef } from './graph-fixtures.ts';

describe('graph model: scopes', () => {
  it('parses input references', () => {
    expect(parseInput('^a/b')).toEqual({ name: 'a/b', control: true });
    expect(parseInput('a/b:1')).toEqual({ name: 'a/b', control: false });
    expect(parseInput('dense_1')).toEqual({ name: 'dense_1', control: false });
  });

  it('groups ops by name scope, putting an op that is also a scope inside it', () => {
    const m = buildModel(scopedGraphDef);
    expect([...m.scopes.keys()].sort()).toEqual(['', 'input', 'layer1', 'layer1/weights', 'layer2', 'loss']);
    expect(m.scopes.get('')!.scopes).toEqual(['input', 'layer1', 'layer2', 'loss']);
    expect(m.scopes.get('')!.ops).toEqual(['init']);
    expect(m.opParent.get('layer1/weights')).toBe('layer1/weights');
    expect(m.scopes.get('layer1/weights')!.ops.sort()).toEqual([
      'layer1/weights',
      'layer1/weights/Assign',
      'layer1/weights/init',
      'layer1/weights/read',
    ]);
    expect(m.scopes.get('layer1')!.opCount).toBe(8);
    expect(m.scopes.get('')!.opCount).toBe(scopedGraphDef.nodes.length);
  });

  it('collapsed scopes aggregate edges between them and drop edges inside', () => {
    const m = buildModel(scopedGraphDef);
    const vis = visibleGraph(m, new Set());
    expect(vis.items.map((i) => i.id)).toEqual([
      scopeId('input'),
      scopeId('layer1'),
      scopeId('layer2'),
      scopeId('loss'),
      opId('init'),
    ]);
    const byId = new Map(vis.edges.map((e) => [e.id, e]));
    expect(byId.get('scope:input->scope:layer1')).toMatchObject({ count: 1, control: false });
    // layer1/Relu -> layer2/MatMul only; layer2/MatMul -> loss/Mean
    expect(byId.get('scope:layer1->scope:layer2')!.count).toBe(1);
    // ^layer1/weights/Assign into loss/Mean and init: control-only edges stay marked as control
    expect(byId.get('scope:layer1->scope:loss')).toMatchObject({ count: 1, control: true });
    expect(byId.get('scope:layer1->op:init')).toMatchObject({ count: 1, control: true });
    expect(vis.edges.every((e) => e.source !== e.target)).toBe(true);
    expect(vis.edges).toHaveLength(5);
  });

  it('expanding a scope shows its children and re-routes edges to them', () => {
    const m = buildModel(scopedGraphDef);
    const vis = visibleGraph(m, new Set(['layer1']));
    const layer1 = vis.items.find((i) => i.id === scopeId('layer1'))!;
    expect(layer1.expanded).toBe(true);
    expect(layer1.children.map((c) => c.id)).toEqual([
      scopeId('layer1/weights'),
      opId('layer1/bias'),
      opId('layer1/MatMul'),
      opId('layer1/add'),
      opId('layer1/Relu'),
    ]);
    const ids = new Set(vis.edges.map((e) => e.id));
    expect(ids.has('scope:input->op:layer1/MatMul')).toBe(true);
    expect(ids.has('scope:layer1/weights->op:layer1/MatMul')).toBe(true);
    expect(ids.has('op:layer1/Relu->scope:layer2')).toBe(true);
    expect(representative(m, 'layer1/weights/read', new Set(['layer1']))).toBe(scopeId('layer1/weights'));
    expect(representative(m, 'layer1/weights/read', new Set(['layer1', 'layer1/weights']))).toBe(
      opId('layer1/weights/read'),
    );
  });

  it('keeps every edge when all scopes are expanded', () => {
    const m = buildModel(scopedGraphDef);
    const vis = visibleGraph(m, allScopes(m));
    expect(vis.edges.reduce((s, e) => s + e.count, 0)).toBe(m.edges.length);
    expect(vis.edges.every((e) => e.count === 1)).toBe(true);
  });

  it('starts small graphs expanded and big graphs collapsed at the top level', () => {
    expect(defaultExpanded(buildModel(scopedGraphDef)).size).toBe(5);
    const big = buildModel(chainGraph(12, 20));
    expect(defaultExpanded(big).size).toBe(0);
    expect(visibleGraph(big, defaultExpanded(big)).items).toHaveLength(12);
  });
});

describe('graph model: search and details', () => {
  it('search matches names and op types, and expanding shows the matches', () => {
    const m = buildModel(scopedGraphDef);
    const hits = searchNodes(m, 'matmul');
    expect(hits.sort()).toEqual(['layer1/MatMul', 'layer2/MatMul']);
    expect(highlightIds(m, hits, new Set())).toEqual(new Set([scopeId('layer1'), scopeId('layer2')]));
    const expanded = expandToShow(m, searchNodes(m, 'read'), new Set());
    expect([...expanded].sort()).toEqual(['layer1', 'layer1/weights']);
    expect(highlightIds(m, ['layer1/weights/read'], expanded)).toEqual(new Set([opId('layer1/weights/read')]));
    expect(searchNodes(m, '   ')).toEqual([]);
  });

  it('gives a Keras Dense layer its activation, units, output shape, params and neighbours', () => {
    const m = buildModel(kerasMlp);
    const d = nodeDetails(m, opId('dense'))!;
    expect(d).toMatchObject({ kind: 'op', name: 'dense', op: 'Dense', activation: 'relu', outputShape: '(None, 64)' });
    expect(d.params).toBe(50240);
    expect(d.attrs).toContainEqual(['units', '64']);
    expect(d.attrs.find(([k]) => k === 'activation')).toBeUndefined();
    expect(d.inputs).toEqual([{ name: 'input_1', control: false }]);
    expect(d.outputs).toEqual([{ name: 'dropout', control: false }]);
    expect(nodeDetails(m, opId('dense_1'))!.activation).toBe('softmax');
    expect(nodeDetails(m, opId('nope'))).toBeUndefined();
  });

  it('summarizes a scope: op count, op types, external inputs and outputs', () => {
    const m = buildModel(scopedGraphDef);
    const d = nodeDetails(m, scopeId('layer1'))!;
    expect(d.kind).toBe('scope');
    expect(d.opCount).toBe(8);
    expect(d.op).toContain('VariableV2 ×2');
    expect(d.inputs).toEqual([{ name: 'input/x', control: false }]);
    expect(d.outputs.map((o) => o.name).sort()).toEqual(['init', 'layer2/MatMul', 'loss/Mean']);
    expect(d.outputs.find((o) => o.name === 'init')!.control).toBe(true);
  });
});
