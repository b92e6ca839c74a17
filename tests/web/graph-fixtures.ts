// Hand-built GraphJson fixtures shaped like what the readers produce, and a layout sanity check.
import { expect } from 'vitest';
import type { GraphJson, GraphNode } from '../../shared/types.ts';
import { scopeId, type GraphModel } from '../../web/src/lib/graph/graph-model.ts';
import type { GraphLayout, LaidOutNode } from '../../web/src/lib/graph/layout.ts';

const op = (name: string, opType: string, inputs: string[] = [], attrs: Record<string, string> = {}): GraphNode => ({
  name,
  op: opType,
  inputs,
  attrs,
});

/** A Keras Sequential MLP: 784 -> Dense(64, relu) -> Dropout -> Dense(10, softmax). */
export const kerasMlp: GraphJson = {
  kind: 'keras',
  step: 0,
  nodes: [
    { name: 'input_1', op: 'InputLayer', inputs: [], attrs: { dtype: 'float32' }, outputShape: [null, 784], params: 0 },
    {
      name: 'dense',
      op: 'Dense',
      inputs: ['input_1'],
      attrs: { activation: 'relu', units: '64', use_bias: 'true' },
      outputShape: [null, 64],
      params: 784 * 64 + 64,
    },
    { name: 'dropout', op: 'Dropout', inputs: ['dense'], attrs: { rate: '0.2' }, outputShape: [null, 64], params: 0 },
    {
      name: 'dense_1',
      op: 'Dense',
      inputs: ['dropout'],
      attrs: { activation: 'softmax', units: '10' },
      outputShape: [null, 10],
      params: 64 * 10 + 10,
    },
  ],
};

/** A TF1-style GraphDef: two layers in name scopes, a variable that is also a scope, control deps. */
export const scopedGraphDef: GraphJson = {
  kind: 'graph_def',
  step: 0,
  nodes: [
    op('input/x', 'Placeholder'),
    op('layer1/weights', 'VariableV2'),
    op('layer1/weights/Assign', 'Assign', ['layer1/weights', 'layer1/weights/init']),
    op('layer1/weights/init', 'TruncatedNormal'),
    op('layer1/bias', 'VariableV2'),
    op('layer1/MatMul', 'MatMul', ['input/x', 'layer1/weights/read:0']),
    op('layer1/weights/read', 'Identity', ['layer1/weights']),
    op('layer1/add', 'Add', ['layer1/MatMul', 'layer1/bias']),
    op('layer1/Relu', 'Relu', ['layer1/add']),
    op('layer2/weights', 'VariableV2'),
    op('layer2/MatMul', 'MatMul', ['layer1/Relu:0', 'layer2/weights']),
    op('loss/Mean', 'Mean', ['layer2/MatMul', '^layer1/weights/Assign']),
    op('init', 'NoOp', ['^layer1/weights/Assign']),
  ],
};

/** A bigger GraphDef: `scopes` scopes of `perScope` chained ops each, chained across scopes. */
export function chainGraph(scopes: number, perScope: number): GraphJson {
  const nodes: GraphNode[] = [];
  let prev: string | null = null;
  for (let s = 0; s < scopes; s++) {
    for (let i = 0; i < perScope; i++) {
      const name = `block${s}/op${i}`;
      nodes.push(op(name, i % 2 ? 'Relu' : 'MatMul', prev ? [prev] : []));
      prev = name;
    }
  }
  return { kind: 'graph_def', step: 0, nodes };
}

const overlaps = (a: LaidOutNode, b: LaidOutNode): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
export const contains = (outer: LaidOutNode, inner: LaidOutNode): boolean =>
  inner.x >= outer.x - 0.5 &&
  inner.y >= outer.y - 0.5 &&
  inner.x + inner.width <= outer.x + outer.width + 0.5 &&
  inner.y + inner.height <= outer.y + outer.height + 0.5;

/** Checks finite coordinates, no overlap between boxes that are not nested, children inside parents. */
export function checkLayout(layout: GraphLayout, model: GraphModel): void {
  for (const n of layout.nodes) {
    for (const v of [n.x, n.y, n.width, n.height]) expect(Number.isFinite(v)).toBe(true);
    expect(n.width).toBeGreaterThan(0);
  }
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  const parentOf = (n: LaidOutNode): LaidOutNode | undefined => {
    const path = n.kind === 'scope' ? model.scopes.get(n.name)!.parent : model.opParent.get(n.name)!;
    const p = path ? byId.get(scopeId(path)) : undefined;
    expect(p === undefined).toBe(n.depth === 0);
    return p;
  };
  for (const n of layout.nodes) {
    const p = parentOf(n);
    if (p) expect(contains(p, n), `${n.id} inside ${p.id}`).toBe(true);
  }
  for (let i = 0; i < layout.nodes.length; i++) {
    for (let j = i + 1; j < layout.nodes.length; j++) {
      const a = layout.nodes[i];
      const b = layout.nodes[j];
      if (contains(a, b) || contains(b, a)) continue; // nesting
      expect(overlaps(a, b), `${a.id} overlaps ${b.id}`).toBe(false);
    }
  }
  for (const e of layout.edges) {
    expect(e.points.length).toBeGreaterThanOrEqual(2);
    for (const p of e.points) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  }
}

