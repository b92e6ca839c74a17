// Run lists and server status: GET /data/runs (TensorBoard), /api/runs (RunInfo[]), /api/status.
import { Router } from 'express';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { revealLogdir } from '../security/token.ts';

export function runsRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/runs', (_req, res) => sendJson(res, d.runs.list().map((i) => i.name)));
  r.get('/api/runs', (_req, res) => sendJson(res, d.runs.list()));
  r.get('/api/status', (req, res) => {
    // The absolute path is for the local user (or anyone holding the token), not the whole network.
    const logdir = revealLogdir(req.socket.remoteAddress, Boolean(d.config.authToken)) ? d.config.logdir : '';
    sendJson(res, { version: d.version, logdir, backend: d.backend() });
  });
  return r;
}
