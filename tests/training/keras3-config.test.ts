// The Keras model config we log (for TensorBoard's conceptual graph) is in Keras 3's layout, so TensorBoard
// 2.21 connects every layer to the one feeding it; tests/tb/graphs.test.ts checks the text against what the
// real TensorBoard drew.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../server/training/backend.ts';
import { buildMlp } from '../../server/training/model.ts';
import { keras3ModelJson } from '../../server/training/keras3-config.ts';
import { kerasConfigToGraphDef } from '../../server/logs/keras-graph-def.ts';
import { kerasModelToGraph } from '../../server/logs/graph-normalize.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('keras3ModelJson', () => {
  it('writes our MLP so that every layer but the input has its inbound edge', () => {
    const mlp = buildMlp({ activation: 'relu', layers: [8, 4], dropout: 0.1, batchNorm: true, seed: 1 }, [2], 3);
    const json = JSON.parse(keras3ModelJson(mlp.model));
    expect(json).toMatchObject({ class_name: 'Functional', config: { name: expect.any(String), input_layers: expect.any(Array), output_layers: expect.any(Array) } });
    const layers = json.config.layers as { name: string; inbound_nodes: { args: { config: { keras_history: unknown[]; shape: unknown } }[] }[] }[];
    for (const l of layers.slice(1)) {
      expect(l.inbound_nodes, l.name).toHaveLength(1);
      expect(l.inbound_nodes[0].args[0].config.keras_history).toHaveLength(3);
      expect(Array.isArray(l.inbound_nodes[0].args[0].config.shape)).toBe(true);
    }
    const gd = kerasConfigToGraphDef(json);
    expect(gd.node).toHaveLength(layers.length);
    const scope = json.config.name as string;
    gd.node.slice(1).forEach((n, i) => expect(n.input).toEqual([`${scope}/${layers[i].name}`]));
    // Our own reader sees the same chain.
    const ours = kerasModelToGraph(json, 0).nodes;
    ours.slice(1).forEach((n, i) => expect(n.inputs).toEqual([ours[i].name]));
  });
});
