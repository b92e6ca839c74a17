// Real graphs from the shared corpus (read with the project's own reader) lay out without errors.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import ELK from 'elkjs/lib/elk.bundled.js';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import type { GraphRecord } from '../../server/logs/records.ts';
import { allScopes, buildModel, defaultExpanded, nodeDetails, opId, searchNodes, expandToShow } from '../../web/src/lib/graph/graph-model.ts';
import { layoutGraph } from '../../web/src/lib/graph/layout.ts';
import { checkLayout } from './graph-fixtures.ts';

const corpus = fileURLToPath(new URL('../../../shared/corpus/tfevents/', import.meta.url));
const TF1_MNIST = `${corpus}tensorflow__tensorboard/log_tayo/train/events.out.tfevents.1515280092.tayo-glaptop`;
const KERAS_TF2 = `${corpus}Alwaysproblem__tensorboard-review/log/text_hp/hparam_tuning/run-0/train/events.out.tfevents.1585754872.ezio-virtual-machine.111180.265.v2`;
const KERAS_TF1 = `${corpus}guildai__guildai/guild/tests/samples/projects/model-proxies/logs/events.out.tfevents.1548797801.omaha`;

async function graphsOf(path: string): Promise<GraphRecord['graph'][]> {
  const r = await readEventFile(path);
  return r.records.filter((x): x is GraphRecord => x.kind === 'graph').map((g) => g.graph);
}
const elk = new ELK();

describe('graph layout of real corpus graphs', () => {
  it('TF1 mnist_with_summaries GraphDef: collapsed top level, then a searched op expanded', async () => {
    const [g] = await graphsOf(TF1_MNIST);
    expect(g.kind).toBe('graph_def');
    expect(g.nodes.length).toBeGreaterThan(200);
    const model = buildModel(g);
    const collapsed = defaultExpanded(model);
    expect(collapsed.size).toBe(0);
    const top = await layoutGraph(elk, model, collapsed);
    expect(top.nodes.length).toBeLessThan(40);
    checkLayout(top, model);

    const hits = searchNodes(model, 'MatMul');
    expect(hits.length).toBeGreaterThan(0);
    const expanded = expandToShow(model, hits.slice(0, 1), collapsed);
    const opened = await layoutGraph(elk, model, expanded);
    expect(opened.nodes.some((n) => n.id === opId(hits[0]))).toBe(true);
    checkLayout(opened, model);
    expect(nodeDetails(model, opId(hits[0]))!.op).toBe('MatMul');
  });

  it('Keras model JSON (TF 2.1 text classifier): layers top to bottom, Dense details', async () => {
    const keras = (await graphsOf(KERAS_TF2)).find((g) => g.kind === 'keras')!;
    const model = buildModel(keras);
    const layout = await layoutGraph(elk, model, allScopes(model));
    expect(layout.nodes.map((n) => n.name).sort()).toEqual(keras.nodes.map((n) => n.name).sort());
    checkLayout(layout, model);
    const y = (name: string): number => layout.nodes.find((n) => n.name === name)!.y;
    expect(y('embed')).toBeLessThan(y('pool'));
    expect(y('relu_layer')).toBeLessThan(y('output_layer'));
    expect(nodeDetails(model, opId('relu_layer'))).toMatchObject({
      op: 'Dense',
      activation: 'relu',
      outputShape: '(None, 16)',
      params: 272,
      inputs: [{ name: 'pool', control: false }],
      outputs: [{ name: 'output_layer', control: false }],
    });
    expect(nodeDetails(model, opId('embed'))!.outputShape).toBe('(None, None, 16)');
  });

  it('standalone Keras (TF1 backend) GraphDef with hundreds of ops lays out collapsed', async () => {
    const [g] = await graphsOf(KERAS_TF1);
    const model = buildModel(g);
    const layout = await layoutGraph(elk, model, defaultExpanded(model));
    checkLayout(layout, model);
    expect(layout.edges.length).toBeGreaterThan(0);
  });
});
