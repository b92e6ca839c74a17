// Text plugin (TensorBoard's /data/plugin/text/*): text tags per run, and a tag's entries rendered to
// sanitised HTML (Markdown, tables for 1-D/2-D string tensors). ?markdown=false only sanitises.
import { Router } from 'express';
import { dict } from '../../shared/dict.ts';
import { z } from 'zod';
import { textToHtml } from '../render/text-plugin.ts';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { parseQuery, RunTagQuery } from './params.ts';

const TextQuery = RunTagQuery.extend({ markdown: z.string().max(16).optional() });

export function textRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/text/tags', (_req, res) => {
    const out = dict<string[]>();
    for (const run of [...d.store.runs()].sort()) {
      const tags = d.store.textTags(run);
      if (tags.length > 0) out[run] = tags;
    }
    sendJson(res, out);
  });
  r.get('/data/plugin/text/text', (req, res) => {
    const { run, tag, markdown } = parseQuery(TextQuery, req);
    // TensorBoard answers [] for an unknown run or tag.
    const md = markdown !== 'false';
    sendJson(
      res,
      d.store.text(run, tag).map((t) => ({
        wall_time: t.wallTime,
        step: t.step,
        text: textToHtml(t.cells ? (t.shape ?? []) : [], t.cells ?? [t.text], md),
      })),
    );
  });
  return r;
}
