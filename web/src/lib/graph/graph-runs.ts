// Which run the GRAPHS tab shows. Graphs load per run on demand, so until the user picks one we walk
// the runs: the first run known to have a graph, else the first not loaded yet (loading it next).
import type { GraphJson } from '../../../../shared/types.ts';

export function pickGraphRun(
  runs: readonly string[],
  graphsOf: (run: string) => readonly GraphJson[] | undefined,
  userPick: string | null,
): string | null {
  if (userPick !== null && runs.includes(userPick)) return userPick;
  const withGraph = runs.find((r) => (graphsOf(r)?.length ?? 0) > 0);
  if (withGraph !== undefined) return withGraph;
  const unknown = runs.find((r) => graphsOf(r) === undefined);
  return unknown ?? runs[0] ?? null;
}

export function graphLabel(g: GraphJson): string {
  return `${g.kind === 'keras' ? 'Keras model' : 'GraphDef'} · step ${g.step} · ${g.nodes.length} nodes`;
}
