// The graphs plugin against TensorBoard 2.21's recorded answers (info, graph pbtxt, run_metadata), and our
// Keras model config against what the real TensorBoard drew from it.
import { readFileSync } from 'node:fs';
import { mkdtempSync, cpSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, goldenRoutes, loadGolden, startGoldenServer, GOLDEN_DIR, type GoldenServer } from './golden.ts';
import { canonicalPbtxt } from './pbtxt-canon.ts';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { toKeras3Config } from '../../server/training/keras3-config.ts';
import { kerasConfigToGraphDef } from '../../server/logs/keras-graph-def.ts';
import { kerasModelToGraph } from '../../server/logs/graph-normalize.ts';

const g = loadGolden('load_fast_true');
const OURS = path.join(GOLDEN_DIR, '..', 'keras3-ours');
let s: GoldenServer;

beforeAll(async () => {
  s = await startGoldenServer();
}, 90_000);
afterAll(async () => {
  await s?.close();
});

describe('graphs plugin', () => {
  it('info lists each run\'s run graph and tagged graphs as TensorBoard', async () => {
    const [r] = goldenRoutes(g, '/data/plugin/graphs/info');
    expect((await ask(s.base, r)).json).toEqual(r.json);
  });

  it('graph and run_metadata answer TensorBoard\'s protobuf text (map entries in any order)', async () => {
    const routes = [...goldenRoutes(g, '/data/plugin/graphs/graph'), ...goldenRoutes(g, '/data/plugin/graphs/run_metadata')];
    expect(routes.length).toBe(7);
    let exact = 0;
    for (const r of routes) {
      const a = await ask(s.base, r);
      expect(a.status, r.path).toBe(200);
      expect(a.type, r.path).toBe('text/x-protobuf');
      expect(canonicalPbtxt(a.text!), r.path).toBe(canonicalPbtxt(r.text!));
      if (a.text === r.text) exact++;
    }
    // Only graphs whose attr maps TensorBoard happened to print in wire order can match byte for byte.
    expect(exact).toBeGreaterThanOrEqual(5);
  });

  it('limit_attr_size moves large attrs under large_attrs_key; bad queries are 4xx', async () => {
    const a = await ask(s.base, { method: 'GET', path: '/data/plugin/graphs/graph?run=tf1&limit_attr_size=20&large_attrs_key=_too_large' });
    expect(a.status).toBe(200);
    expect(a.text).toContain('key: "_too_large"');
    expect(a.text).toContain('s: "_output_shapes"');
    expect((await ask(s.base, { method: 'GET', path: '/data/plugin/graphs/graph?run=tf1&limit_attr_size=20' })).status).toBe(400);
    expect((await ask(s.base, { method: 'GET', path: '/data/plugin/graphs/graph?run=tf1&tag=nope' })).status).toBe(404);
    expect((await ask(s.base, { method: 'GET', path: '/data/plugin/graphs/run_metadata?run=tf1&tag=nope' })).status).toBe(404);
  });

  it('our normalized graphs moved to /api/graphs', async () => {
    const a = await ask(s.base, { method: 'GET', path: '/api/graphs?run=tf1' });
    expect((a.json as { kind: string }[])[0].kind).toBe('graph_def');
  });
});

describe('our Keras model config in TensorBoard', () => {
  const tfjsFunctional: Parameters<typeof toKeras3Config>[0] = {
    class_name: 'Model',
    config: {
      name: 'mlp',
      layers: [
        { name: 'input', class_name: 'InputLayer', config: { batch_input_shape: [null, 2], dtype: 'float32', sparse: false, name: 'input' }, inbound_nodes: [] },
        { name: 'dense_1', class_name: 'Dense', config: { units: 8, name: 'dense_1' }, inbound_nodes: [[['input', 0, 0, {}]]] },
        { name: 'output', class_name: 'Dense', config: { units: 2, name: 'output' }, inbound_nodes: [[['dense_1', 0, 0, {}]]] },
      ],
      input_layers: [['input', 0, 0]],
      output_layers: [['output', 0, 0]],
    },
  };

  it('is written in Keras 3\'s layout, which gives TensorBoard its edges', () => {
    const k3 = toKeras3Config(tfjsFunctional, new Map([['input', [null, 2]], ['dense_1', [null, 8]]]));
    expect(k3.class_name).toBe('Functional');
    const layers = (k3.config as { layers: Record<string, unknown>[] }).layers;
    expect(layers[1].inbound_nodes).toEqual([
      { args: [{ class_name: '__keras_tensor__', config: { shape: [null, 2], dtype: 'float32', keras_history: ['input', 0, 0] } }], kwargs: {} },
    ]);
    const gd = kerasConfigToGraphDef(k3);
    expect(gd.node.map((n) => [n.name, n.input ?? []])).toEqual([
      ['mlp/input', []],
      ['mlp/dense_1', ['mlp/input']],
      ['mlp/output', ['mlp/dense_1']],
    ]);
    // tfjs' own layout: TensorBoard 2.21 (and this port of it) finds no edges.
    expect(kerasConfigToGraphDef(tfjsFunctional).node.every((n) => n.input === undefined)).toBe(true);
    // Our reader reads both layouts the same.
    expect(kerasModelToGraph(k3, 0).nodes.map((n) => n.inputs)).toEqual(kerasModelToGraph(tfjsFunctional, 0).nodes.map((n) => n.inputs));
  });

  it('Keras 3\'s own Sequential config (golden keras3/train) reads with its edges', async () => {
    const r = goldenRoutes(g, '/data/plugin/graphs/graph').find((x) => x.path.includes('keras3'))!;
    expect(r.text).toContain('input: "sequential/hidden"');
    expect((await ask(s.base, r)).text).toBe(r.text);
  });

  it('a run we logged is drawn exactly as the real TensorBoard drew it (edges included)', async () => {
    const logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-k3-'));
    cpSync(OURS, path.join(logdir, 'ours'), { recursive: true });
    const app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, logger: silentLogger });
    try {
      const base = app.url().replace(/\/$/, '');
      const want = readFileSync(path.join(OURS, 'tensorboard-conceptual.pbtxt'), 'utf8');
      expect(want.match(/input: /g)?.length).toBeGreaterThan(3);
      let text = '';
      for (let i = 0; i < 100 && !text.startsWith('node'); i++) {
        const res = await fetch(`${base}/data/plugin/graphs/graph?run=ours&tag=keras&conceptual=true`);
        text = res.ok ? await res.text() : '';
        if (!text) await new Promise((r) => setTimeout(r, 100));
      }
      expect(text).toBe(want);
    } finally {
      await app.close();
      rmSync(logdir, { recursive: true, force: true });
    }
  });
});
