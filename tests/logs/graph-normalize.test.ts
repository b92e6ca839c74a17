import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphDefToJson, kerasModelToGraph } from '../../server/logs/graph-normalize.ts';
import { PB } from '../../server/logs/tfevents-schema.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Keras model JSON -> GraphJson', () => {
  it('tfjs Sequential toJSON: layers chained, shapes and trainable params match tfjs', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 16, inputShape: [2], activation: 'relu', name: 'h1' }),
        tfl.layers.batchNormalization({ name: 'bn' }),
        tfl.layers.dropout({ rate: 0.2, name: 'drop' }),
        tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
      ],
    });
    const g = kerasModelToGraph(m.toJSON(null, true) as string, 4);
    expect(g.kind).toBe('keras');
    expect(g.step).toBe(4);
    expect(g.nodes.map((n) => [n.name, n.op, n.inputs])).toEqual([
      ['h1_input', 'InputLayer', []],
      ['h1', 'Dense', ['h1_input']],
      ['bn', 'BatchNormalization', ['h1']],
      ['drop', 'Dropout', ['bn']],
      ['out', 'Dense', ['drop']],
    ]);
    for (const layer of m.layers) {
      const node = g.nodes.find((n) => n.name === layer.name)!;
      expect(node.outputShape).toEqual(layer.outputShape);
      const trainable = layer.trainableWeights.reduce((a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1), 0);
      expect(node.params).toBe(trainable);
    }
    expect(g.nodes[1].attrs.activation).toBe('relu');
    expect(g.nodes[1].attrs.units).toBe('16');
    m.dispose();
  });

  it('tfjs functional model: inputs come from inbound_nodes (incl. a merge)', () => {
    const input = tfl.input({ shape: [4], name: 'x' });
    const a = tfl.layers.dense({ units: 5, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 5, name: 'b' }).apply(input) as tfl.SymbolicTensor;
    const s = tfl.layers.add({ name: 'sum' }).apply([a, b]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 1, name: 'y' }).apply(s) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: input, outputs: out });
    const g = kerasModelToGraph(JSON.stringify(m.toJSON(null, false)), 0);
    const byName = Object.fromEntries(g.nodes.map((n) => [n.name, n]));
    expect(byName.x.op).toBe('InputLayer');
    expect(byName.a.inputs).toEqual(['x']);
    expect(byName.sum.inputs.sort()).toEqual(['a', 'b']);
    expect(byName.y.inputs).toEqual(['sum']);
    expect(byName.y.outputShape).toEqual([null, 1]);
    expect(byName.a.params).toBe(4 * 5 + 5);
    m.dispose();
  });

  it('Keras 3 functional format (keras_history in args) and old list-style Sequential config', () => {
    const k3 = {
      class_name: 'Functional',
      config: {
        name: 'f',
        layers: [
          { class_name: 'InputLayer', config: { name: 'inp', batch_shape: [null, 3], dtype: 'float32' }, inbound_nodes: [] },
          {
            class_name: 'Dense',
            config: { name: 'd', units: 2, dtype: { class_name: 'DTypePolicy', config: { name: 'float32' } } },
            inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 3], keras_history: ['inp', 0, 0] } }], kwargs: {} }],
          },
        ],
      },
    };
    const g = kerasModelToGraph(k3 as never, 1);
    expect(g.nodes[1]).toMatchObject({ name: 'd', inputs: ['inp'], outputShape: [null, 2], params: 8 });
    expect(g.nodes[1].attrs.dtype).toBe('float32');
    const old = { class_name: 'Sequential', config: [{ class_name: 'Dense', config: { name: 'l1', units: 1, batch_input_shape: [null, 7] } }] };
    expect(kerasModelToGraph(JSON.stringify(old), 0).nodes.map((n) => n.name)).toEqual(['l1_input', 'l1']);
    expect(() => kerasModelToGraph('{"foo": 1}', 0)).toThrow(/not a Keras model/);
  });
});

describe('GraphDef -> GraphJson', () => {
  it('keeps names, ops, inputs (incl. control inputs), device, readable attrs and output shapes', () => {
    const bytes = PB.GraphDef.encode({
      node: [
        {
          name: 'x',
          op: 'Placeholder',
          attr: { dtype: { type: 1 }, shape: { shape: { dim: [{ size: -1 }, { size: 784 }] } } },
        },
        {
          name: 'layer/MatMul',
          op: 'MatMul',
          input: ['x', 'layer/W', '^init'],
          device: '/cpu:0',
          attr: { transpose_a: { b: false }, _output_shapes: { list: { shape: [{ dim: [{ size: -1 }, { size: 10 }] }] } } },
        },
      ],
    }).finish();
    const g = graphDefToJson(PB.GraphDef.decode(bytes) as never, 3);
    expect(g).toEqual({
      kind: 'graph_def',
      step: 3,
      nodes: [
        { name: 'x', op: 'Placeholder', inputs: [], attrs: { dtype: 'DT_FLOAT', shape: '(?, 784)' }, outputShape: [null, 784] },
        { name: 'layer/MatMul', op: 'MatMul', inputs: ['x', 'layer/W', '^init'], device: '/cpu:0', attrs: { transpose_a: 'false' }, outputShape: [null, 10] },
      ],
    });
  });
});
