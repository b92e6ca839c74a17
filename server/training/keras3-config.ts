// tfjs writes its model config in the Keras 2 layout: `inbound_nodes: [[["dense_1", 0, 0, {}]]]`. TensorBoard
// 2.21 only reads Keras 3's layout, where each inbound node is {args: [KerasTensor...], kwargs} and a tensor
// names its producer in `keras_history`; given tfjs' layout it draws the layers with no edges. This turns the
// tfjs config into the layout Keras 3 writes (the same keys as Keras 3's own model.to_json()). Pure.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
type Shape = (number | null)[];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const DTYPE_POLICY = (name: string): Obj => ({ module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null });

function kerasTensor(history: [string, number, number], shape: Shape | undefined, dtype: string): Obj {
  return { class_name: '__keras_tensor__', config: { shape: shape ?? null, dtype, keras_history: history } };
}

/** One tfjs inbound node ([[name, node, tensor, kwargs], ...]) as Keras 3's {args, kwargs}. */
function inboundNode(node: Json, shapes: ReadonlyMap<string, Shape>, dtype: string): Obj | undefined {
  if (!Array.isArray(node)) return undefined;
  const tensors: Obj[] = [];
  let kwargs: Obj = {};
  for (const entry of node) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
    const [name, nodeIndex, tensorIndex, kw] = entry;
    tensors.push(kerasTensor([name, Number(nodeIndex) || 0, Number(tensorIndex) || 0], shapes.get(name), dtype));
    if (isObj(kw)) kwargs = kw;
  }
  if (tensors.length === 0) return undefined;
  // One input is passed as itself; several (Concatenate, Add...) as one list argument, as Keras 3 writes.
  return { args: tensors.length === 1 ? [tensors[0]] : [tensors], kwargs };
}

/**
 * tfjs model config (model.toJSON(null, false)) -> Keras 3 layout. `outputShapes` (layer name -> output shape)
 * fills the KerasTensor shapes and build_config; missing shapes are written as null.
 */
export function toKeras3Config(tfjs: Obj, outputShapes: ReadonlyMap<string, Shape> = new Map()): Obj {
  const cfg = isObj(tfjs.config) ? tfjs.config : {};
  const layersIn = Array.isArray(cfg.layers) ? cfg.layers : [];
  const sequential = tfjs.class_name === 'Sequential';
  const layers: Obj[] = [];
  for (const l of layersIn) {
    if (!isObj(l)) continue;
    const lc: Obj = { ...(isObj(l.config) ? l.config : {}) };
    const cls = typeof l.class_name === 'string' ? l.class_name : 'Layer';
    const name = typeof lc.name === 'string' ? lc.name : typeof l.name === 'string' ? l.name : cls;
    const dtype = typeof lc.dtype === 'string' ? lc.dtype : 'float32';
    if (cls === 'InputLayer') {
      if (lc.batch_input_shape !== undefined && lc.batch_shape === undefined) lc.batch_shape = lc.batch_input_shape;
      delete lc.batch_input_shape;
      lc.dtype = dtype;
    } else if (lc.dtype === undefined || typeof lc.dtype === 'string') {
      lc.dtype = DTYPE_POLICY(dtype);
    }
    const out: Obj = { module: 'keras.layers', class_name: cls, config: lc, registered_name: null };
    const inbound = Array.isArray(l.inbound_nodes) ? l.inbound_nodes : [];
    const firstIn = inbound.flatMap((n) => (Array.isArray(n) ? n : [])).find((e) => Array.isArray(e) && typeof e[0] === 'string');
    const inShape = Array.isArray(firstIn) && typeof firstIn[0] === 'string' ? outputShapes.get(firstIn[0]) : undefined;
    if (inShape) out.build_config = { input_shape: inShape };
    if (!sequential) {
      out.name = name;
      out.inbound_nodes = inbound.map((n) => inboundNode(n, outputShapes, dtype)).filter((n): n is Obj => n !== undefined);
    }
    layers.push(out);
  }
  const config: Obj = { name: typeof cfg.name === 'string' ? cfg.name : 'model', trainable: true, layers };
  if (!sequential) {
    config.input_layers = (Array.isArray(cfg.input_layers) ? cfg.input_layers : []) as Json;
    config.output_layers = (Array.isArray(cfg.output_layers) ? cfg.output_layers : []) as Json;
  }
  const className = sequential ? 'Sequential' : 'Functional';
  return {
    module: sequential ? 'keras' : 'keras.src.models.functional',
    class_name: className,
    config,
    registered_name: sequential ? null : 'Functional',
  };
}

/** The Keras 3 model JSON of a tfjs LayersModel (what we write as the `keras` graph summary). */
export function keras3ModelJson(model: { toJSON(u: null, s: boolean): unknown; layers: { name: string; outputShape: unknown }[] }): string {
  const shapes = new Map<string, Shape>();
  for (const l of model.layers) {
    const s = l.outputShape;
    // Multi-output layers have an array of shapes; only single-output shapes are recorded.
    if (Array.isArray(s) && s.every((d) => d === null || typeof d === 'number')) shapes.set(l.name, s as Shape);
  }
  return JSON.stringify(toKeras3Config(model.toJSON(null, false) as Obj, shapes));
}
