// Run lists and server status: GET /data/runs (TensorBoard's names, in its order), /api/runs (RunInfo[]), /api/status.
import { Router } from 'express';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { revealLogdir } from '../security/token.ts';

/** TensorBoard's order: by the wall time of the run's first event, then by name; runs with no event yet last. */
export function tensorBoardRunOrder(runs: string[], startTime: (run: string) => number | undefined): string[] {
  const key = new Map(runs.map((r) => [r, startTime(r) ?? Infinity]));
  return [...runs].sort((a, b) => key.get(a)! - key.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
}

export function runsRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/runs', (_req, res) => sendJson(res, tensorBoardRunOrder(d.runs.list().map((i) => i.name), (run) => d.store.startTime(run))));
  r.get('/api/runs', (_req, res) => sendJson(res, d.runs.list()));
  r.get('/api/status', (req, res) => {
    // The absolute path is for the local user (or anyone holding the token), not the whole network.
    const logdir = revealLogdir(req.socket.remoteAddress, Boolean(d.config.authToken)) ? d.config.logdir : '';
    sendJson(res, { version: d.version, logdir, backend: d.backend() });
  });
  return r;
}
