// A Keras model config (JSON) as the GraphDef TensorBoard's graphs plugin draws for a "conceptual graph": one
// node per layer named by its model scopes ("sequential/dense"), attrs keras_class and dtype, and inputs from
// Keras 3 inbound nodes (keras_history) or, for Sequential models, the previous layer. Nested models are
// scopes whose inputs/outputs are wired through. Pure; the result prints with toPbtxt(PB.GraphDef, ...).
import { PB } from './tfevents-schema.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface GraphDefNode {
  name: string;
  input?: string[];
  attr?: Record<string, { s?: Uint8Array; type?: number }>;
}

const scoped = (scope: string, name: string) => (scope ? `${scope}/${name}` : name);
const cfgOf = (layer: Obj): Obj => (isObj(layer.config) ? layer.config : {});
const isModel = (layer: Obj) => Array.isArray(cfgOf(layer).layers);

/** Every layer with its name scope, depth first, models included (as TensorBoard walks them). */
function* walk(layer: Obj, depth = 0): Generator<[string, Obj]> {
  yield ['', layer];
  const cfg = cfgOf(layer);
  if (depth > 32 || !Array.isArray(cfg.layers) || cfg.layers.length === 0) return;
  const scope = String(cfg.name ?? '');
  for (const sub of cfg.layers) {
    if (!isObj(sub)) continue;
    for (const [subScope, l] of walk(sub, depth + 1)) yield [subScope ? `${scope}/${subScope}` : scope, l];
  }
}

/** [name, node_index, tensor_index] of each Keras 3 inbound tensor (dict nodes only, as TensorBoard 2.21). */
function inboundHistories(layer: Obj): [string, number, number][] {
  const out: [string, number, number][] = [];
  if (!Array.isArray(layer.inbound_nodes)) return out;
  for (const node of layer.inbound_nodes) {
    if (!isObj(node) || !Array.isArray(node.args)) continue;
    for (const arg of node.args) {
      for (const a of Array.isArray(arg) ? arg : [arg]) {
        const h = isObj(a) && isObj(a.config) ? a.config.keras_history : undefined;
        if (Array.isArray(h) && h.length >= 3) out.push([String(h[0]), Number(h[1]), Number(h[2])]);
      }
    }
  }
  return out;
}

const asList = (v: Json): Json[][] => (Array.isArray(v) && v.length > 0 ? (Array.isArray(v[0]) ? (v as Json[][]) : [v]) : []);

const DTYPE_NAMES: Record<string, string> = { float32: 'DT_FLOAT', float64: 'DT_DOUBLE', float16: 'DT_HALF', half: 'DT_HALF', float: 'DT_FLOAT', double: 'DT_DOUBLE' };
function dtypeEnum(name: string): number | undefined {
  const n = DTYPE_NAMES[name] ?? `DT_${name.toUpperCase()}`;
  return PB.DataType.values[n];
}

export function kerasConfigToGraphDef(model: Obj): { node: GraphDefNode[] } {
  const inputToLayer = new Map<string, string>();
  const modelOutputs = new Map<string, string[]>();
  const nodes: GraphDefNode[] = [];
  let prev: string | undefined;
  for (const [scope, layer] of walk(model)) {
    const cfg = cfgOf(layer);
    if (isModel(layer)) {
      const name = scoped(scope, String(cfg.name ?? ''));
      const inputs = asList(cfg.input_layers ?? []);
      const outputs = asList(cfg.output_layers ?? []);
      const inbound = inboundHistories(layer);
      const functional = inputs.length > 0 && outputs.length > 0;
      if (inbound.length > 0 && functional) {
        inputs.forEach((il, i) => {
          if (inbound[i]) inputToLayer.set(scoped(name, String(il[0])), scoped(scope, inbound[i][0]));
        });
      } else if (inbound.length > 0) prev = scoped(scope, inbound[0][0]);
      else if (prev && functional && inputs.length === 1) inputToLayer.set(scoped(name, String(inputs[0][0])), prev);
      if (functional) modelOutputs.set(name, outputs.map((o) => scoped(name, String(o[0]))));
      else {
        const layers = cfg.layers as Json[];
        const last = layers[layers.length - 1];
        modelOutputs.set(name, [scoped(name, String(isObj(last) ? cfgOf(last).name : ''))]);
      }
      continue;
    }
    const name = scoped(scope, String(cfg.name ?? ''));
    const node: GraphDefNode = { name };
    const attr: Record<string, { s?: Uint8Array; type?: number }> = {};
    if (typeof layer.class_name === 'string') attr.keras_class = { s: Buffer.from(layer.class_name, 'utf8') };
    const d = cfg.dtype;
    const dname = isObj(d) && isObj(d.config) ? d.config.name : d;
    if (typeof dname === 'string') {
      const t = dtypeEnum(dname);
      if (t !== undefined) attr.dtype = { type: t };
    }
    if (Object.keys(attr).length > 0) node.attr = attr;
    const input: string[] = [];
    if (Array.isArray(layer.inbound_nodes)) {
      for (const [n, , index] of inboundHistories(layer)) {
        const from = scoped(scope, n);
        const outs = modelOutputs.get(from) ?? [from];
        input.push(index < outs.length ? outs[index] : outs[outs.length - 1]);
      }
    } else if (prev !== undefined) input.push(prev);
    const wired = inputToLayer.get(name);
    if (wired !== undefined) input.push(wired);
    if (input.length > 0) node.input = input;
    nodes.push(node);
    prev = name;
  }
  return { node: nodes };
}
