// Custom scalars plugin (TensorBoard's /data/plugin/custom_scalars/*): the merged layout, the scalars
// of one run whose tags match a regex, and download_data for one (run, tag) as JSON or CSV.
import { Router } from 'express';
import { z } from 'zod';
import { decodeLayout, LAYOUT_TAG, mergeLayouts, regexScalars, type LayoutJson } from '../render/custom-scalars.ts';
import { pyFloat } from '../render/hparams-download.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { sendJson } from './json.ts';
import { DownloadQuery, parseQuery, runParam } from './params.ts';

const RegexQuery = z.object({ run: runParam, tag: z.string().max(1024).optional() });

export function customScalarsRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/custom_scalars/layout', (_req, res) => {
    const layouts: LayoutJson[] = [];
    for (const run of [...d.store.runs()].sort()) {
      const pts = d.store.pluginSeries(run)?.points('custom_scalars', LAYOUT_TAG) ?? [];
      const bytes = pts[pts.length - 1]?.strings?.[0];
      if (!bytes) continue;
      try {
        layouts.push(decodeLayout(bytes));
      } catch (e) {
        d.config.logger.warn(`custom_scalars layout of run "${run}" cannot be decoded: ${(e as Error).message}`);
      }
    }
    sendJson(res, mergeLayouts(layouts) ?? {});
  });
  r.get('/data/plugin/custom_scalars/scalars', (req, res) => {
    const { run, tag } = parseQuery(RegexQuery, req);
    sendJson(res, regexScalars(tag, d.store.scalarTags(run), (t) => d.store.scalars(run, t)));
  });
  r.get('/data/plugin/custom_scalars/download_data', (req, res) => {
    const { run, tag, format } = parseQuery(DownloadQuery, req);
    if (!d.store.scalarTags(run).includes(tag)) throw new HttpError(400, `run "${run}" has no scalar tag "${tag}"`);
    const pts = d.store.scalars(run, tag);
    if (format === 'json') return sendJson(res, pts);
    // Same answer as TensorBoard's scalars download (it delegates there): Python's float repr.
    res.type('text/csv').send(`Wall time,Step,Value\r\n${pts.map(([w, s, v]) => `${pyFloat(w)},${s},${pyFloat(v)}\r\n`).join('')}`);
  });
  return r;
}
