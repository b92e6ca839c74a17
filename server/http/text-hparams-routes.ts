// Text and hparams plugins: text tags per run and a tag's entries; the hyper-parameters of every run.
import { Router } from 'express';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { parseQuery, requireRun, requireTag, RunTagQuery } from './params.ts';
import { dict } from '../../shared/dict.ts';

export function textHparamsRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/text/tags', (_req, res) => {
    const out = dict<string[]>();
    for (const run of d.store.runs()) {
      const tags = d.store.textTags(run);
      if (tags.length > 0) out[run] = tags;
    }
    sendJson(res, out);
  });
  r.get('/data/plugin/text/text', (req, res) => {
    const { run, tag } = parseQuery(RunTagQuery, req);
    requireRun(d.store, run);
    requireTag(d.store.textTags(run), run, tag, 'text');
    sendJson(
      res,
      d.store.text(run, tag).map((t) => ({ wall_time: t.wallTime, step: t.step, text: t.text })),
    );
  });
  r.get('/data/plugin/hparams/runs', (_req, res) => {
    const out = dict<Record<string, string | number | boolean>>();
    for (const info of d.runs.list()) if (info.hparams) out[info.name] = info.hparams;
    sendJson(res, out);
  });
  return r;
}
