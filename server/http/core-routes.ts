// TensorBoard's core data routes besides /data/runs (runs-routes.ts): which dashboards have data
// (/data/plugins_listing) and where the data comes from (/data/environment).
import { Router } from 'express';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { logdirContents, pluginsListing } from './plugins-listing.ts';
import { revealLogdir } from '../security/token.ts';
import { graphRunInfo } from '../logs/graph-text.ts';

export function coreRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugins_listing', (_req, res) => {
    sendJson(res, pluginsListing(logdirContents(d.store, (run) => d.store.graphs(run).length > 0 || graphRunInfo(run, d.store.graphSources(run)) !== undefined)));
  });
  r.get('/data/environment', (req, res) => {
    // As /api/status: the absolute path is for the local user (or anyone holding the token), not the network.
    const shown = revealLogdir(req.socket.remoteAddress, Boolean(d.config.authToken));
    sendJson(res, {
      creation_time: 0,
      data_location: shown ? d.config.logdir : '',
      experiment_description: '',
      experiment_name: '',
      version: d.version,
      window_title: d.config.windowTitle,
    });
  });
  return r;
}
