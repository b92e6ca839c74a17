// A run's graph data kept the way TensorBoard's graphs plugin serves it (bytes/JSON as logged): the run's
// GraphDef, Keras model JSON by tag, serialized RunMetadata by tag. Latest of each; bounded tags per run.
import type { LogRecord } from '../logs/records.ts';

export interface GraphSources {
  /** The run's GraphDef (Event.graph_def). */
  graphDef?: Uint8Array;
  /** Keras model JSON by summary tag (conceptual graphs). */
  keras: Map<string, string>;
  /** Serialized RunMetadata by tag: 'profile' (TF1 tagged_run_metadata, graph_run_metadata) or 'op_graph'. */
  runMetadata: Map<string, { kind: 'profile' | 'op_graph'; data: Uint8Array }>;
}

/** Graph tags (Keras models, run metadata) kept per run; records of further tags are not kept. */
export const GRAPH_TAGS_PER_RUN = 100;

export function emptyGraphSources(): GraphSources {
  return { keras: new Map(), runMetadata: new Map() };
}

function roomFor(g: GraphSources, tag: string): boolean {
  return g.keras.has(tag) || g.runMetadata.has(tag) || g.keras.size + g.runMetadata.size < GRAPH_TAGS_PER_RUN;
}

/** Notes what a record holds for the graphs plugin, if anything. */
export function noteGraphData(g: GraphSources, rec: LogRecord): void {
  if (rec.kind === 'graph') {
    if (rec.source?.kind === 'graph_def') g.graphDef = rec.source.data;
    else if (rec.source?.kind === 'keras' && roomFor(g, rec.source.tag)) g.keras.set(rec.source.tag, rec.source.json);
  } else if (rec.kind === 'tensor' && rec.blob && (rec.plugin === 'graph_run_metadata' || rec.plugin === 'graph_run_metadata_graph')) {
    if (roomFor(g, rec.tag)) g.runMetadata.set(rec.tag, { kind: rec.plugin === 'graph_run_metadata' ? 'profile' : 'op_graph', data: rec.blob });
  } else if (rec.kind === 'meta' && rec.what === 'tagged_run_metadata' && rec.blob && rec.detail) {
    if (roomFor(g, rec.detail)) g.runMetadata.set(rec.detail, { kind: 'profile', data: rec.blob });
  }
}
