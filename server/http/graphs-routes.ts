// Graphs as TensorBoard serves them: /data/plugin/graphs/info (what each run has), graph (protobuf text of
// the run's GraphDef, a Keras model's conceptual graph or a traced op graph) and run_metadata. Our own
// normalized form (GraphJson[], used by the dashboard) is GET /api/graphs?run=.
import { Router } from 'express';
import { z } from 'zod';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { parseQuery, requireRun, RunQuery, runParam, tagParam } from './params.ts';
import { HttpError } from './errors.ts';
import { graphFor, graphRunInfo, graphText, runMetadataText, type GraphRunInfo } from '../logs/graph-text.ts';

const GraphQuery = z
  .object({
    run: runParam,
    tag: tagParam.optional(),
    conceptual: z.enum(['true', 'false']).default('false'),
    limit_attr_size: z.coerce.number({ error: 'limit_attr_size must be an integer' }).int().min(1).max(1e9).optional(),
    large_attrs_key: z.string().min(1).max(256).optional(),
  })
  .refine((q) => q.limit_attr_size === undefined || q.large_attrs_key !== undefined, {
    message: 'large_attrs_key is required with limit_attr_size',
  });
const RunTagQuery = z.object({ run: runParam, tag: tagParam });

export function graphsRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/graphs/info', (_req, res) => {
    const out: Record<string, GraphRunInfo> = {};
    for (const run of d.store.runs().sort()) {
      const row = graphRunInfo(run, d.store.graphSources(run));
      if (row) out[run] = row;
    }
    sendJson(res, out);
  });
  r.get('/data/plugin/graphs/graph', (req, res) => {
    const q = parseQuery(GraphQuery, req);
    requireRun(d.store, q.run);
    const graph = graphFor(d.store.graphSources(q.run), {
      tag: q.tag,
      conceptual: q.conceptual === 'true',
      limitAttrSize: q.limit_attr_size,
      largeAttrsKey: q.large_attrs_key,
    });
    if (typeof graph === 'string') throw new HttpError(404, `run "${q.run}": ${graph}`);
    res.type('text/x-protobuf').send(graphText(graph));
  });
  r.get('/data/plugin/graphs/run_metadata', (req, res) => {
    const { run, tag } = parseQuery(RunTagQuery, req);
    requireRun(d.store, run);
    const text = runMetadataText(d.store.graphSources(run), tag);
    if (text === undefined) throw new HttpError(404, `run "${run}" has no run metadata with tag "${tag}"`);
    res.type('text/x-protobuf').send(text);
  });
  r.get('/api/graphs/runs', (_req, res) => {
    sendJson(res, d.store.runs().filter((run) => d.store.graphs(run).length > 0));
  });
  r.get('/api/graphs', (req, res) => {
    const { run } = parseQuery(RunQuery, req);
    requireRun(d.store, run);
    sendJson(res, d.store.graphs(run));
  });
  return r;
}
