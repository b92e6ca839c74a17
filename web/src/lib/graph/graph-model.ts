// Pure model of a GraphJson for display: name scopes ("/" in node names) become nested groups that
// can be expanded or collapsed; a collapsed scope stands in for everything inside it, and edges are
// re-routed to the outermost collapsed scope on each side (aggregated, with a count).
import type { GraphJson, GraphNode } from '../../../../shared/types.ts';

/** Visible item ids: ops and scopes live in different namespaces because GraphDefs reuse names
 * (an op "dense/kernel" next to ops "dense/kernel/Assign" that make "dense/kernel" a scope too). */
export const opId = (name: string): string => `op:${name}`;
export const scopeId = (path: string): string => `scope:${path}`;

export interface ScopeInfo {
  path: string;
  /** Parent scope path ('' = top level). */
  parent: string;
  /** Direct child scopes and ops, in first-seen order. */
  scopes: string[];
  ops: string[];
  /** Ops anywhere inside. */
  opCount: number;
}

export interface ModelEdge {
  source: string;
  target: string;
  control: boolean;
}

export interface GraphModel {
  kind: GraphJson['kind'];
  nodes: Map<string, GraphNode>;
  /** '' is the root scope. */
  scopes: Map<string, ScopeInfo>;
  /** Scope that directly holds each op. */
  opParent: Map<string, string>;
  edges: ModelEdge[];
}

/** An input reference "^name" (control) or "name:1" (output 1) -> the producing node's name. */
export function parseInput(ref: string): { name: string; control: boolean } {
  const control = ref.startsWith('^');
  let name = control ? ref.slice(1) : ref;
  const m = /^(.*):\d+$/.exec(name);
  if (m) name = m[1];
  return { name, control };
}

const parentPath = (path: string): string => {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
};

export const leafName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export function buildModel(graph: GraphJson): GraphModel {
  const nodes = new Map<string, GraphNode>();
  for (const n of graph.nodes) if (!nodes.has(n.name)) nodes.set(n.name, n);

  // Every proper prefix of a node name is a scope.
  const scopePaths = new Set<string>();
  for (const name of nodes.keys()) {
    for (let p = parentPath(name); p !== ''; p = parentPath(p)) {
      if (scopePaths.has(p)) break;
      scopePaths.add(p);
    }
  }
  const scopes = new Map<string, ScopeInfo>();
  const ensureScope = (path: string): ScopeInfo => {
    let s = scopes.get(path);
    if (!s) {
      s = { path, parent: path === '' ? '' : parentPath(path), scopes: [], ops: [], opCount: 0 };
      scopes.set(path, s);
      if (path !== '') ensureScope(s.parent).scopes.push(path);
    }
    return s;
  };
  ensureScope('');
  const opParent = new Map<string, string>();
  for (const name of nodes.keys()) {
    // An op whose name is also a scope goes inside that scope (TensorBoard does the same).
    const parent = scopePaths.has(name) ? name : parentPath(name);
    ensureScope(parent).ops.push(name);
    opParent.set(name, parent);
    for (let p: string | null = parent; p !== null; p = p === '' ? null : parentPath(p)) scopes.get(p)!.opCount++;
  }

  const edges: ModelEdge[] = [];
  for (const n of nodes.values()) {
    for (const ref of n.inputs) {
      const { name, control } = parseInput(ref);
      if (nodes.has(name) && name !== n.name) edges.push({ source: name, target: n.name, control });
    }
  }
  return { kind: graph.kind, nodes, scopes, opParent, edges };
}

/** Scope chain of an op, outermost first (excluding the root). */
export function ancestors(model: GraphModel, op: string): string[] {
  const chain: string[] = [];
  for (let p = model.opParent.get(op) ?? ''; p !== ''; p = model.scopes.get(p)!.parent) chain.push(p);
  return chain.reverse();
}

/** The visible item standing for an op: the outermost collapsed scope around it, else the op. */
export function representative(model: GraphModel, op: string, expanded: ReadonlySet<string>): string {
  for (const s of ancestors(model, op)) if (!expanded.has(s)) return scopeId(s);
  return opId(op);
}

export interface VisibleItem {
  id: string;
  kind: 'op' | 'scope';
  /** Op name or scope path. */
  name: string;
  expanded: boolean;
  children: VisibleItem[];
}
export interface VisibleEdge {
  id: string;
  source: string;
  target: string;
  /** How many model edges this one stands for. */
  count: number;
  /** True when every edge it stands for is a control dependency. */
  control: boolean;
}
export interface VisibleGraph {
  items: VisibleItem[];
  edges: VisibleEdge[];
}

export function visibleGraph(model: GraphModel, expanded: ReadonlySet<string>): VisibleGraph {
  const build = (path: string): VisibleItem[] => {
    const s = model.scopes.get(path)!;
    const out: VisibleItem[] = [];
    for (const c of s.scopes) {
      const open = expanded.has(c);
      out.push({ id: scopeId(c), kind: 'scope', name: c, expanded: open, children: open ? build(c) : [] });
    }
    for (const op of s.ops) out.push({ id: opId(op), kind: 'op', name: op, expanded: false, children: [] });
    return out;
  };
  const agg = new Map<string, VisibleEdge>();
  for (const e of model.edges) {
    const source = representative(model, e.source, expanded);
    const target = representative(model, e.target, expanded);
    if (source === target) continue;
    const id = `${source}->${target}`;
    const prev = agg.get(id);
    if (prev) {
      prev.count++;
      prev.control &&= e.control;
    } else agg.set(id, { id, source, target, count: 1, control: e.control });
  }
  return { items: build(''), edges: [...agg.values()] };
}

/** Graphs this small are shown fully expanded; bigger ones start with top-level scopes collapsed. */
export const EXPAND_ALL_BELOW = 60;

export function allScopes(model: GraphModel): Set<string> {
  return new Set([...model.scopes.keys()].filter((s) => s !== ''));
}

export function defaultExpanded(model: GraphModel): Set<string> {
  return model.nodes.size <= EXPAND_ALL_BELOW ? allScopes(model) : new Set();
}

/** Ops whose name or op type contains the query (case-insensitive), at most `limit`. */
export function searchNodes(model: GraphModel, query: string, limit = 200): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out: string[] = [];
  for (const n of model.nodes.values()) {
    if (n.name.toLowerCase().includes(q) || n.op.toLowerCase().includes(q)) {
      out.push(n.name);
      if (out.length >= limit) break;
    }
  }
  return out;
}

/** `expanded` plus every scope around the given ops, so that they become visible. */
export function expandToShow(model: GraphModel, ops: Iterable<string>, expanded: ReadonlySet<string>): Set<string> {
  const next = new Set(expanded);
  for (const op of ops) for (const s of ancestors(model, op)) next.add(s);
  return next;
}

/** Visible ids to highlight for search matches: the ops themselves or the collapsed scopes hiding them. */
export function highlightIds(model: GraphModel, ops: Iterable<string>, expanded: ReadonlySet<string>): Set<string> {
  const ids = new Set<string>();
  for (const op of ops) ids.add(representative(model, op, expanded));
  return ids;
}

export function formatShape(shape: (number | null)[] | undefined): string | undefined {
  if (!shape) return undefined;
  return `(${shape.map((d) => (d === null || d < 0 ? 'None' : String(d))).join(', ')})`;
}

export interface NodeDetails {
  id: string;
  kind: 'op' | 'scope';
  name: string;
  /** Layer class or op type; for scopes the most common op types inside. */
  op: string;
  activation?: string;
  outputShape?: string;
  params?: number;
  device?: string;
  /** Other attributes, sorted by key. */
  attrs: [string, string][];
  inputs: { name: string; control: boolean }[];
  outputs: { name: string; control: boolean }[];
  /** Scopes only. */
  opCount?: number;
}

const SHOWN_SEPARATELY = new Set(['activation', 'output_shape', 'outputShape']);

function edgeEnds(list: ModelEdge[], pick: (e: ModelEdge) => string): { name: string; control: boolean }[] {
  const seen = new Map<string, boolean>();
  for (const e of list) {
    const n = pick(e);
    seen.set(n, (seen.get(n) ?? true) && e.control);
  }
  return [...seen].map(([name, control]) => ({ name, control }));
}

/** Details for a visible item id (opId / scopeId); undefined if it is not in the model. */
export function nodeDetails(model: GraphModel, id: string): NodeDetails | undefined {
  if (id.startsWith('op:')) {
    const n = model.nodes.get(id.slice(3));
    if (!n) return undefined;
    const attrs = Object.entries(n.attrs)
      .filter(([k]) => !SHOWN_SEPARATELY.has(k))
      .sort(([a], [b]) => a.localeCompare(b));
    return {
      id,
      kind: 'op',
      name: n.name,
      op: n.op,
      activation: n.attrs.activation,
      outputShape: formatShape(n.outputShape) ?? n.attrs.output_shape ?? n.attrs.outputShape,
      params: n.params,
      device: n.device,
      attrs,
      inputs: edgeEnds(model.edges.filter((e) => e.target === n.name), (e) => e.source),
      outputs: edgeEnds(model.edges.filter((e) => e.source === n.name), (e) => e.target),
    };
  }
  if (!id.startsWith('scope:')) return undefined;
  const path = id.slice(6);
  const scope = model.scopes.get(path);
  if (!scope || path === '') return undefined;
  const inside = (op: string): boolean => op === path || op.startsWith(`${path}/`) || model.opParent.get(op) === path;
  const types = new Map<string, number>();
  let params: number | undefined;
  for (const n of model.nodes.values()) {
    if (!inside(n.name)) continue;
    types.set(n.op, (types.get(n.op) ?? 0) + 1);
    if (n.params !== undefined) params = (params ?? 0) + n.params;
  }
  const top = [...types].sort((a, b) => b[1] - a[1]).slice(0, 4);
  return {
    id,
    kind: 'scope',
    name: path,
    op: top.map(([op, c]) => `${op} ×${c}`).join(', '),
    params,
    attrs: [],
    inputs: edgeEnds(model.edges.filter((e) => inside(e.target) && !inside(e.source)), (e) => e.source),
    outputs: edgeEnds(model.edges.filter((e) => inside(e.source) && !inside(e.target)), (e) => e.target),
    opCount: scope.opCount,
  };
}
