// GraphDef (decoded protobuf) and Keras model JSON -> GraphJson, the one graph shape the web draws.
// Keras: tf.keras / Keras 3 / tfjs model.toJSON(), Sequential and Functional; nodes are layers.
import type { GraphJson, GraphNode } from '../../shared/types.ts';
import { dtypeName } from './tfevents-schema.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const MAX_ATTR_CHARS = 200;

function clip(s: string): string {
  return s.length > MAX_ATTR_CHARS ? `${s.slice(0, MAX_ATTR_CHARS)}…` : s;
}

// ---------- GraphDef ----------

interface PbShape {
  dim?: { size?: unknown }[];
  unknown_rank?: boolean;
}

function shapeDims(s: PbShape | undefined): (number | null)[] | undefined {
  if (!s || s.unknown_rank) return undefined;
  return (s.dim ?? []).map((d) => {
    const n = toNum(d.size ?? 0);
    return n < 0 ? null : n;
  });
}

function shapeText(s: PbShape | undefined): string {
  const d = shapeDims(s);
  return d ? `(${d.map((x) => (x === null ? '?' : String(x))).join(', ')})` : '<unknown>';
}

/** A readable rendering of one AttrValue (decoded protobufjs message). */
function attrText(a: Record<string, any>): string {
  switch (a.value as string | undefined) {
    case 's':
      return clip(utf8.decode(a.s));
    case 'i':
      return String(toNum(a.i));
    case 'f':
      return String(a.f);
    case 'b':
      return String(a.b);
    case 'type':
      return dtypeName(a.type);
    case 'shape':
      return shapeText(a.shape);
    case 'tensor': {
      const t = a.tensor;
      return `${dtypeName(t.dtype)} ${shapeText(t.tensor_shape)}`;
    }
    case 'func':
      return a.func?.name ?? '';
    case 'placeholder':
      return `$${a.placeholder}`;
    case 'list': {
      const l = a.list;
      const parts: string[] = [];
      for (const x of l.s ?? []) parts.push(utf8.decode(x));
      for (const x of l.i ?? []) parts.push(String(toNum(x)));
      for (const x of l.f ?? []) parts.push(String(x));
      for (const x of l.b ?? []) parts.push(String(x));
      for (const x of l.type ?? []) parts.push(dtypeName(x));
      for (const x of l.shape ?? []) parts.push(shapeText(x));
      for (const x of l.tensor ?? []) parts.push(`${dtypeName(x.dtype)} ${shapeText(x.tensor_shape)}`);
      for (const x of l.func ?? []) parts.push(x.name);
      return clip(`[${parts.join(', ')}]`);
    }
    default:
      return '';
  }
}

/** GraphDef (as decoded by protobufjs from our schema) -> GraphJson. */
export function graphDefToJson(g: { node?: Record<string, any>[] }, step: number): GraphJson {
  const nodes: GraphNode[] = [];
  for (const n of g.node ?? []) {
    const attrs: Record<string, string> = {};
    let outputShape: (number | null)[] | undefined;
    for (const [k, v] of Object.entries((n.attr ?? {}) as Record<string, Record<string, any>>)) {
      if (k === '_output_shapes') {
        outputShape = shapeDims(v.list?.shape?.[0]);
        continue;
      }
      attrs[k] = attrText(v);
    }
    if (!outputShape && n.attr?.shape?.value === 'shape') outputShape = shapeDims(n.attr.shape.shape);
    const node: GraphNode = { name: n.name ?? '', op: n.op ?? '', inputs: [...(n.input ?? [])], attrs };
    if (n.device) node.device = n.device;
    if (outputShape) node.outputShape = outputShape;
    nodes.push(node);
  }
  return { kind: 'graph_def', step, nodes };
}

// ---------- Keras ----------

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kerasAttrText(v: Json): string | undefined {
  if (v === null) return undefined;
  if (typeof v !== 'object') return clip(String(v));
  if (Array.isArray(v)) return clip(JSON.stringify(v));
  // {class_name, config}: initializers, regularizers, Keras 3 dtype policies ({config: {name}})
  if (typeof v.class_name === 'string') {
    if (v.class_name === 'DTypePolicy' && isObj(v.config) && typeof v.config.name === 'string') return v.config.name;
    return v.class_name;
  }
  return undefined;
}

function shapeFrom(v: Json | undefined): (number | null)[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((x) => (typeof x === 'number' && x >= 0 ? x : null));
}

const SAME_SHAPE = new Set([
  'Dropout', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'Softmax', 'GaussianNoise',
  'GaussianDropout', 'AlphaDropout', 'SpatialDropout1D', 'SpatialDropout2D', 'ActivityRegularization', 'Masking',
  'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'BatchNormalization', 'LayerNormalization',
  'PReLU', 'Identity',
]);

function prod(xs: (number | null)[]): number | null {
  let p = 1;
  for (const x of xs) {
    if (x === null) return null;
    p *= x;
  }
  return p;
}

/** Output shape and trainable parameter count for the common layer types; undefined when unknown. */
function inferLayer(
  cls: string,
  cfg: Obj,
  inShapes: ((number | null)[] | undefined)[],
): { shape?: (number | null)[]; params?: number } {
  const inp = inShapes[0];
  const trainable = cfg.trainable !== false;
  const last = inp && inp.length ? inp[inp.length - 1] : null;
  const pick = (params: number | undefined, shape?: (number | null)[]) => ({ shape, params: trainable ? params : 0 });
  switch (cls) {
    case 'InputLayer':
      return { shape: shapeFrom(cfg.batch_input_shape ?? cfg.batch_shape ?? cfg.batchInputShape), params: 0 };
    case 'Dense': {
      const units = typeof cfg.units === 'number' ? cfg.units : undefined;
      if (!inp || units === undefined) return {};
      const bias = cfg.use_bias === false ? 0 : units;
      return pick(last === null ? undefined : last * units + bias, [...inp.slice(0, -1), units]);
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return inp ? pick(0, [inp[0] ?? null, last]) : {}; // channels_last
    case 'Flatten':
      return inp ? pick(0, [inp[0] ?? null, prod(inp.slice(1))]) : {};
    case 'Reshape': {
      const t = shapeFrom(cfg.target_shape);
      return inp && t ? pick(0, [inp[0] ?? null, ...t]) : {};
    }
    case 'Embedding': {
      const dims = typeof cfg.input_dim === 'number' && typeof cfg.output_dim === 'number';
      return pick(dims ? (cfg.input_dim as number) * (cfg.output_dim as number) : undefined,
        inp && dims ? [...inp, cfg.output_dim as number] : undefined);
    }
    case 'BatchNormalization':
    case 'LayerNormalization': {
      if (!inp || last === null) return inp ? { shape: inp } : {};
      const n = (cfg.center === false ? 0 : last) + (cfg.scale === false ? 0 : last);
      return pick(n, inp);
    }
    case 'PReLU': {
      if (!inp) return {};
      const shared = Array.isArray(cfg.shared_axes) ? (cfg.shared_axes as number[]) : [];
      const dims = inp.slice(1).map((d, i) => (shared.includes(i + 1) ? 1 : d));
      return pick(prod(dims) ?? undefined, inp);
    }
    case 'Concatenate': {
      if (inShapes.some((s) => !s) || !inp) return {};
      const axis = typeof cfg.axis === 'number' ? cfg.axis : -1;
      const ax = axis < 0 ? inp.length + axis : axis;
      const out = [...inp];
      out[ax] = prod(inShapes.map((s) => s![ax])) === null ? null : inShapes.reduce((a, s) => a + (s![ax] as number), 0);
      return pick(0, out);
    }
    default:
      return SAME_SHAPE.has(cls) && inp ? pick(0, inp) : {};
  }
}

/** Names of layers feeding a Functional layer: Keras 2 / tfjs lists, or Keras 3 keras_history entries. */
function inboundNames(inbound: Json | undefined): string[] {
  const names: string[] = [];
  const visit = (v: Json | undefined, depth: number): void => {
    if (depth > 8 || v === undefined || v === null) return;
    if (Array.isArray(v)) {
      // Keras 2 / tfjs entry: [layer_name, node_index, tensor_index, kwargs?]
      if (typeof v[0] === 'string' && typeof v[1] === 'number') {
        names.push(v[0]);
        return;
      }
      for (const x of v) visit(x, depth + 1);
      return;
    }
    if (isObj(v)) {
      if (Array.isArray(v.keras_history) && typeof v.keras_history[0] === 'string') {
        names.push(v.keras_history[0]);
        return;
      }
      for (const x of Object.values(v)) visit(x, depth + 1);
    }
  };
  visit(inbound, 0);
  return [...new Set(names)];
}

/**
 * Keras model JSON (string or parsed) -> GraphJson with one node per layer. Throws on JSON that is not a
 * Keras model (the codec turns that into a warning with file context).
 */
export function kerasModelToGraph(model: string | Obj, step: number): GraphJson {
  const m = (typeof model === 'string' ? JSON.parse(model) : model) as Json;
  if (!isObj(m) || typeof m.class_name !== 'string') throw new Error('not a Keras model JSON (no class_name)');
  const cfg = m.config;
  const layers: Json[] = Array.isArray(cfg) ? cfg : isObj(cfg) && Array.isArray(cfg.layers) ? cfg.layers : [];
  const sequential = m.class_name === 'Sequential';
  const nodes: GraphNode[] = [];
  const shapes = new Map<string, (number | null)[] | undefined>();
  let prev: string | undefined;

  layers.forEach((layer, i) => {
    if (!isObj(layer)) return;
    const lcfg = isObj(layer.config) ? layer.config : {};
    const cls = typeof layer.class_name === 'string' ? layer.class_name : 'Layer';
    const name = typeof lcfg.name === 'string' ? lcfg.name : typeof layer.name === 'string' ? layer.name : `layer_${i}`;
    let inputs: string[];
    if (sequential) {
      // Keras' Sequential with an input shape on its first layer gets an implicit InputLayer node.
      const bis = lcfg.batch_input_shape ?? lcfg.batch_shape ?? lcfg.batchInputShape;
      if (i === 0 && cls !== 'InputLayer' && Array.isArray(bis)) {
        const inName = `${name}_input`;
        nodes.push({ name: inName, op: 'InputLayer', inputs: [], attrs: {}, outputShape: shapeFrom(bis), params: 0 });
        shapes.set(inName, shapeFrom(bis));
        prev = inName;
      }
      inputs = prev ? [prev] : [];
    } else {
      inputs = inboundNames(layer.inbound_nodes);
    }
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(lcfg)) {
      if (k === 'name' || k === 'layers') continue;
      const t = kerasAttrText(v);
      if (t !== undefined) attrs[k] = t;
    }
    const inf = inferLayer(cls, lcfg, inputs.map((n) => shapes.get(n)));
    const node: GraphNode = { name, op: cls, inputs, attrs };
    if (inf.shape) node.outputShape = inf.shape;
    if (inf.params !== undefined) node.params = inf.params;
    shapes.set(name, inf.shape);
    nodes.push(node);
    prev = name;
  });
  return { kind: 'keras', step, nodes };
}
