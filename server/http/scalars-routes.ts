// TensorBoard's scalars plugin API: tags per run, and one series as [[wall_time, step, value], ...].
import { Router } from 'express';
import type { TagInfo } from '../../shared/types.ts';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { parseQuery, requireRun, requireTag, RunTagQuery } from './params.ts';
import { dict } from '../../shared/dict.ts';

export function scalarsRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/scalars/tags', (_req, res) => {
    const out = dict<Record<string, TagInfo>>();
    for (const run of d.store.runs()) {
      const tags = d.store.scalarTags(run);
      if (tags.length === 0) continue;
      out[run] = Object.fromEntries(tags.map((t) => [t, d.store.tagInfo(run, t)]));
    }
    sendJson(res, out);
  });
  r.get('/data/plugin/scalars/scalars', (req, res) => {
    const { run, tag } = parseQuery(RunTagQuery, req);
    requireRun(d.store, run);
    requireTag(d.store.scalarTags(run), run, tag, 'scalar');
    sendJson(res, d.store.scalars(run, tag));
  });
  return r;
}
