// Run lists and server status: GET /data/runs (TensorBoard), /api/runs (RunInfo[]), /api/status.
import { Router } from 'express';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';

export function runsRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/runs', (_req, res) => sendJson(res, d.runs.list().map((i) => i.name)));
  r.get('/api/runs', (_req, res) => sendJson(res, d.runs.list()));
  r.get('/api/status', (_req, res) =>
    sendJson(res, { version: d.version, logdir: d.config.logdir, backend: d.backend() }),
  );
  return r;
}
