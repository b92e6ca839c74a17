// What TensorBoard's graphs plugin answers, from a run's graph data as logged (GraphSources): the info
// listing, and graphs / run metadata as protobuf text. Pure.
import type protobuf from 'protobufjs';
import { PB } from './tfevents-schema.ts';
import { toPbtxt } from './pbtxt.ts';
import { kerasConfigToGraphDef } from './keras-graph-def.ts';
import type { GraphSources } from '../store/series-store.ts';

type Msg = Record<string, any>;

export interface GraphTagInfo {
  conceptual_graph: boolean;
  op_graph: boolean;
  profile: boolean;
  tag: string;
}
export interface GraphRunInfo {
  run: string;
  run_graph: boolean;
  tags: Record<string, GraphTagInfo>;
}

/** One run's row of /data/plugin/graphs/info, or undefined when it has no graph data. */
export function graphRunInfo(run: string, g: GraphSources | undefined): GraphRunInfo | undefined {
  if (!g || (g.graphDef === undefined && g.keras.size === 0 && g.runMetadata.size === 0)) return undefined;
  const tags: Record<string, GraphTagInfo> = {};
  const row = (tag: string) => (tags[tag] ??= { conceptual_graph: false, op_graph: false, profile: false, tag });
  for (const [tag, m] of g.runMetadata) {
    if (m.kind === 'profile') row(tag).profile = true;
    else row(tag).op_graph = true;
  }
  for (const tag of g.keras.keys()) row(tag).conceptual_graph = true;
  const sorted = Object.fromEntries(Object.keys(tags).sort().map((k) => [k, tags[k]]));
  return { run, run_graph: g.graphDef !== undefined, tags: sorted };
}

/** GraphDefs of several function graphs as one, each scoped "graph_<i>" (as TensorBoard merges a trace). */
export function mergeGraphDefs(graphs: Msg[]): Msg {
  if (graphs.length === 1) return graphs[0];
  const out: Msg = { node: [] };
  if (graphs.length === 0) return out;
  if (graphs[0].versions?.producer) out.versions = graphs[0].versions;
  graphs.forEach((gd, i) => {
    const prefix = `graph_${i + 1}`;
    for (const n of (gd.node ?? []) as Msg[]) {
      const copy: Msg = { ...n, name: `${prefix}/${n.name}` };
      if (Array.isArray(n.input) && n.input.length > 0) copy.input = n.input.map((x: string) => `${prefix}/${x}`);
      if (n.op === 'PartitionedCall' && n.attr?.f?.func) {
        copy.attr = { ...n.attr, f: { ...n.attr.f, func: { ...n.attr.f.func, name: `${prefix}_${n.attr.f.func.name}` } } };
      }
      out.node.push(copy);
    }
  });
  return out;
}

let attrType: protobuf.Type | null = null;
/** AttrValue, looked up on first use: the schema is parsed only when something needs it. */
const attrValue = (): protobuf.Type => (attrType ??= PB.root.lookupType('ts.AttrValue'));

/** TensorBoard's limit_attr_size: attrs larger than `limit` bytes are dropped and named under `key`. */
export function limitAttrs(graph: Msg, limit: number, key: string): void {
  for (const node of (graph.node ?? []) as Msg[]) {
    if (!node.attr) continue;
    const attr: Msg = { ...node.attr };
    for (const k of Object.keys(attr)) {
      if (attrValue().encode(attr[k]).finish().length > limit) {
        delete attr[k];
        const big = (attr[key] ??= { list: { s: [] } });
        big.list.s = [...(big.list?.s ?? []), Buffer.from(k, 'utf8')];
      }
    }
    node.attr = attr;
  }
}

export type GraphQuery = { tag?: string; conceptual: boolean; limitAttrSize?: number; largeAttrsKey?: string };

/** The graph TensorBoard would serve for the query, as a GraphDef-shaped object; a reason string if none. */
export function graphFor(g: GraphSources | undefined, q: GraphQuery): Msg | string {
  if (!g) return 'no graph data';
  let graph: Msg;
  if (q.conceptual) {
    const json = q.tag !== undefined ? g.keras.get(q.tag) : undefined;
    if (json === undefined) return `no Keras model with tag "${q.tag ?? ''}"`;
    let model: unknown;
    try {
      model = JSON.parse(json);
    } catch (e) {
      return `the Keras model JSON does not parse (${(e as Error).message})`;
    }
    if (typeof model !== 'object' || model === null || Array.isArray(model)) return 'the Keras model JSON is not an object';
    graph = kerasConfigToGraphDef(model as Record<string, never>);
  } else if (q.tag === undefined) {
    if (!g.graphDef) return 'no run graph (graph_def)';
    graph = PB.GraphDef.decode(g.graphDef) as unknown as Msg;
  } else {
    const m = g.runMetadata.get(q.tag);
    if (!m) return `no run metadata with tag "${q.tag}"`;
    const rm = PB.RunMetadata.decode(m.data) as unknown as Msg;
    graph = mergeGraphDefs(((rm.function_graphs ?? []) as Msg[]).map((f) => f.pre_optimization_graph ?? {}));
  }
  if (q.limitAttrSize !== undefined) limitAttrs(graph, q.limitAttrSize, q.largeAttrsKey ?? '_too_large_attrs');
  return graph;
}

export function graphText(graph: Msg): string {
  return toPbtxt(PB.GraphDef, graph);
}

/** A tag's RunMetadata as text, or undefined. */
export function runMetadataText(g: GraphSources | undefined, tag: string): string | undefined {
  const m = g?.runMetadata.get(tag);
  return m ? toPbtxt(PB.RunMetadata, PB.RunMetadata.decode(m.data)) : undefined;
}
