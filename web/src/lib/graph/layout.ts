// ELK layered layout (top to bottom) of a graph's visible items. The ELK instance is passed in so
// the browser can run it in a worker while tests use the bundled build in node.
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { GraphJson } from '../../../../shared/types.ts';
import { buildModel, leafName, visibleGraph, type GraphModel, type VisibleItem } from './graph-model.ts';

export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

export const OP_HEIGHT = 34;
const CHAR_W = 6.6;
const MAX_LABEL = 26;
const HEADER = 24;

export function truncate(s: string, max = MAX_LABEL): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The two text lines drawn in a box. */
export function itemLabels(model: GraphModel, item: VisibleItem): { title: string; sub: string } {
  if (item.kind === 'scope') {
    const n = model.scopes.get(item.name)!.opCount;
    return { title: truncate(leafName(item.name)), sub: `${n} node${n === 1 ? '' : 's'}` };
  }
  const node = model.nodes.get(item.name)!;
  if (model.kind === 'keras') {
    const act = node.attrs.activation && node.attrs.activation !== 'linear' ? ` · ${node.attrs.activation}` : '';
    return { title: truncate(leafName(node.name)), sub: truncate(`${node.op}${act}`) };
  }
  return { title: truncate(leafName(node.name)), sub: truncate(node.op) };
}

const boxWidth = (l: { title: string; sub: string }): number =>
  Math.max(64, Math.ceil(Math.max(l.title.length, l.sub.length) * CHAR_W) + 20);

const ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'POLYLINE',
  // Default thoroughness (7) is ~2x slower on GraphDefs with hundreds of ops for little visible gain.
  'elk.layered.thoroughness': '3',
  'elk.layered.spacing.nodeNodeBetweenLayers': '28',
  'elk.spacing.nodeNode': '18',
  'elk.spacing.componentComponent': '28',
  'elk.padding': '[top=12,left=12,bottom=12,right=12]',
  // Global coordinates for every shape and edge, so drawing needs no offsets.
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
};
const SCOPE_OPTIONS: Record<string, string> = {
  'elk.padding': `[top=${HEADER + 8},left=10,bottom=10,right=10]`,
};

/** Header text of an expanded scope that fits `width` px: title always (truncated), count if room. */
export function scopeHeader(title: string, sub: string, width: number): { title: string; sub: string } {
  const chars = Math.max(4, Math.floor((width - 16) / CHAR_W));
  const t = truncate(`− ${title}`, chars);
  return { title: t, sub: t.length + sub.length + 3 <= chars ? sub : '' };
}

/** ELK input for the items visible with `expanded` scopes open (a model may be passed to avoid rebuilding). */
export function buildElkGraph(graph: GraphJson | GraphModel, expanded: ReadonlySet<string>): ElkNode {
  const model = graph.nodes instanceof Map ? (graph as GraphModel) : buildModel(graph as GraphJson);
  const vis = visibleGraph(model, expanded);
  const toElk = (item: VisibleItem): ElkNode => {
    const labels = itemLabels(model, item);
    if (item.kind === 'scope' && item.expanded) {
      // ELK sizes compound nodes to their children (nodeSize.minimum and labels are not honoured
      // for them with direction DOWN in elkjs 0.12); the view fits the header text to the width.
      return {
        id: item.id,
        layoutOptions: { ...SCOPE_OPTIONS },
        children: item.children.map(toElk),
      };
    }
    return { id: item.id, width: boxWidth(labels), height: OP_HEIGHT };
  };
  const edges: ElkExtendedEdge[] = vis.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  return { id: 'root', layoutOptions: { ...ROOT_OPTIONS }, children: vis.items.map(toElk), edges };
}

export interface LaidOutNode {
  id: string;
  kind: 'op' | 'scope';
  expanded: boolean;
  name: string;
  title: string;
  sub: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Nesting depth (0 = top level), for drawing order and shading. */
  depth: number;
}
export interface LaidOutEdge {
  id: string;
  source: string;
  target: string;
  count: number;
  control: boolean;
  points: { x: number; y: number }[];
}
export interface GraphLayout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

/** Lays out the visible graph; every coordinate in the result is global. */
export async function layoutGraph(elk: ElkLike, graph: GraphJson | GraphModel, expanded: ReadonlySet<string>): Promise<GraphLayout> {
  const model = graph.nodes instanceof Map ? (graph as GraphModel) : buildModel(graph as GraphJson);
  const vis = visibleGraph(model, expanded);
  const out = await elk.layout(buildElkGraph(model, expanded));

  const byId = new Map<string, VisibleItem>();
  const index = (items: VisibleItem[]): void => {
    for (const it of items) {
      byId.set(it.id, it);
      index(it.children);
    }
  };
  index(vis.items);

  const nodes: LaidOutNode[] = [];
  const walk = (elkNodes: ElkNode[] | undefined, depth: number): void => {
    for (const n of elkNodes ?? []) {
      const item = byId.get(n.id);
      if (!item) continue;
      const labels = itemLabels(model, item);
      nodes.push({
        id: n.id,
        kind: item.kind,
        expanded: item.expanded,
        name: item.name,
        ...labels,
        x: n.x ?? 0,
        y: n.y ?? 0,
        width: n.width ?? 0,
        height: n.height ?? 0,
        depth,
      });
      walk(n.children, depth + 1);
    }
  };
  walk(out.children, 0);

  // With INCLUDE_CHILDREN, ELK may move edges into the compound node that contains both ends.
  const elkEdges = new Map<string, ElkExtendedEdge>();
  const collect = (n: ElkNode): void => {
    for (const e of n.edges ?? []) elkEdges.set(e.id, e);
    for (const c of n.children ?? []) collect(c);
  };
  collect(out);
  const edges: LaidOutEdge[] = vis.edges.map((e) => {
    const laid = elkEdges.get(e.id);
    const points: { x: number; y: number }[] = [];
    for (const s of laid?.sections ?? []) points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    return { ...e, points };
  });
  return { nodes, edges, width: out.width ?? 0, height: out.height ?? 0 };
}
