// The GRAPHS tab's view rules (GraphsTab.svelte draws): when a different graph is shown, which scopes a
// search or a jump opens and which node it focuses, and the names it gives things.
import type { GraphJson } from '../../../../shared/types.ts';
import { expandToShow, opId, searchNodes, type GraphModel } from './graph-model.ts';

/** Scopes a search opens at most (its first matches; the others are highlighted on their collapsed scopes). */
export const MAX_SEARCH_EXPAND = 30;

/** Identity of the graph shown: it changes when a different graph is, not when the same one is handed out anew. */
export function graphViewKey(run: string | null, index: number, graph: GraphJson | undefined): string {
  return graph ? `${run}|${index}|${graph.kind}|${graph.step}|${graph.nodes.length}` : '';
}

/** The scope opened if it was closed, closed if it was open. */
export function toggleScope(expanded: ReadonlySet<string>, path: string): Set<string> {
  const next = new Set(expanded);
  if (!next.delete(path)) next.add(path);
  return next;
}

/** Open the scopes holding these ops; the first one is selected and brought into view. */
export function reveal(model: GraphModel, ops: readonly string[], expanded: ReadonlySet<string>): { expanded: Set<string>; focus: string } {
  return { expanded: expandToShow(model, ops, expanded), focus: opId(ops[0]) };
}

/** A search's matches and, when there are any, the view showing them (see reveal). */
export function searchGraph(
  model: GraphModel,
  query: string,
  expanded: ReadonlySet<string>,
): { matches: string[]; shown?: { expanded: Set<string>; focus: string } } {
  const matches = searchNodes(model, query);
  if (!matches.length) return { matches };
  return { matches, shown: reveal(model, matches.slice(0, MAX_SEARCH_EXPAND), expanded) };
}

/** "12 matches", "1 match", "200+ matches" (searchNodes stops at 200). */
export function matchCountText(n: number): string {
  return `${n}${n >= 200 ? '+' : ''} match${n === 1 ? '' : 'es'}`;
}

/** Download name of the run's graph image. */
export function graphFileName(run: string | null, kind: 'svg' | 'png'): string {
  return `graph-${(run ?? 'run').replace(/[^\w.-]+/g, '_')}.${kind}`;
}
