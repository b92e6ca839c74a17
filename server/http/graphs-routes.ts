// Graphs: which runs have one, and a run's graphs (normalized GraphJson, Keras or GraphDef).
import { Router } from 'express';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { parseQuery, requireRun, RunQuery } from './params.ts';

export function graphsRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/graphs/runs', (_req, res) => {
    sendJson(res, d.store.runs().filter((run) => d.store.graphs(run).length > 0));
  });
  r.get('/data/plugin/graphs/graph', (req, res) => {
    const { run } = parseQuery(RunQuery, req);
    requireRun(d.store, run);
    sendJson(res, d.store.graphs(run));
  });
  return r;
}
