// PR curves plugin (TensorBoard's /data/plugin/pr_curves/*): tags per run, and curves of one tag for
// one or more runs (?run=a&run=b&tag=t).
import { Router } from 'express';
import { dict } from '../../shared/dict.ts';
import { prCurveEntry, tagSummary, type PrCurveEntry } from '../render/media-plugins.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { sendJson } from './json.ts';

const MAX_RUNS = 1000;

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function prCurvesRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/pr_curves/tags', (_req, res) => {
    const out = dict<Record<string, { displayName: string; description: string }>>();
    for (const run of [...d.store.runs()].sort()) {
      const ps = d.store.pluginSeries(run);
      const tags = ps?.tags('pr_curves') ?? [];
      if (tags.length === 0) continue;
      out[run] = dict();
      for (const tag of tags) out[run][tag] = tagSummary(ps?.info('pr_curves', tag));
    }
    sendJson(res, out);
  });
  r.get('/data/plugin/pr_curves/pr_curves', (req, res) => {
    const runs = strings(req.query.run);
    const tags = strings(req.query.tag);
    if (runs.length === 0) throw new HttpError(400, 'No runs provided when fetching PR curve data');
    if (tags.length !== 1 || tags[0] === '') throw new HttpError(400, 'No tag provided when fetching PR curve data');
    if (runs.length > MAX_RUNS) throw new HttpError(400, `at most ${MAX_RUNS} runs per request`);
    const tag = tags[0];
    const out = dict<PrCurveEntry[]>();
    for (const run of runs) {
      const ps = d.store.pluginSeries(run);
      if (!ps || !ps.tags('pr_curves').includes(tag)) {
        throw new HttpError(400, `No PR curves could be found for run "${run}" and tag "${tag}"`);
      }
      out[run] = ps.points('pr_curves', tag).flatMap((p) => prCurveEntry(p) ?? []);
    }
    sendJson(res, out);
  });
  return r;
}
