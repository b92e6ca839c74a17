// The express app: guards (host check, token, body limits, security headers), the plugin route groups,
// static files, and JSON errors.
import express from 'express';
import type { HttpDeps } from './deps.ts';
import { httpGuard } from './auth.ts';
import { SECURITY_HEADERS } from '../security/headers.ts';
import { accessPolicy } from '../security/policy.ts';
import { errorHandler } from './errors.ts';
import { coreRoutes } from './core-routes.ts';
import { exportRoutes } from './export-routes.ts';
import { graphsRoutes } from './graphs-routes.ts';
import { histogramsRoutes } from './histograms-routes.ts';
import { imagesRoutes } from './images-routes.ts';
import { runsRoutes } from './runs-routes.ts';
import { scalarsRoutes } from './scalars-routes.ts';
import { staticRoutes } from './static.ts';
import { textRoutes } from './text-routes.ts';
import { hparamsRoutes } from './hparams-routes.ts';
import { prCurvesRoutes } from './pr-curves-routes.ts';
import { audioRoutes } from './audio-routes.ts';
import { customScalarsRoutes } from './custom-scalars-routes.ts';
import { projectorRoutes } from './projector-routes.ts';

/** Requests naming a run (?run=) mark it viewed; one whose data left memory is read back first. */
function viewedRuns(d: HttpDeps): express.RequestHandler {
  return (req, _res, next) => {
    const run = req.query.run;
    if (!d.beforeRead || typeof run !== 'string' || !d.store.hasRun(run)) return next();
    d.beforeRead([run]).then(() => next(), next);
  };
}

export function createHttpApp(d: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    next();
  });
  app.use(httpGuard(accessPolicy(d.config)));
  app.use(viewedRuns(d));
  // TensorBoard's hparams requests list one column per hyper-parameter and metric: a larger bound there.
  app.use('/data/plugin/hparams', express.json({ limit: '512kb' }));
  app.use(express.json({ limit: '16kb' }));
  app.use(runsRoutes(d));
  app.use(coreRoutes(d));
  app.use(scalarsRoutes(d));
  app.use(histogramsRoutes(d));
  app.use(graphsRoutes(d));
  app.use(imagesRoutes(d));
  app.use(textRoutes(d));
  app.use(hparamsRoutes(d));
  app.use(prCurvesRoutes(d));
  app.use(audioRoutes(d));
  app.use(customScalarsRoutes(d));
  app.use(projectorRoutes(d));
  app.use(exportRoutes(d));
  app.use(['/data', '/api'], (req, res) => {
    res.status(404).json({ error: `no such endpoint: ${req.method} ${req.originalUrl.split('?')[0]}` });
  });
  app.use(staticRoutes(d.config.webDir));
  app.use(errorHandler(d.config.logger));
  return app;
}
