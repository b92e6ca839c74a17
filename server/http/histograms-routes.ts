// TensorBoard's histograms and distributions plugin APIs. Distributions are the histograms compressed
// to basis points (shared/histogram.ts), computed on request.
import { Router } from 'express';
import type { DistributionTuple, TagInfo } from '../../shared/types.ts';
import { BASIS_POINTS, compressHistogram } from '../../shared/histogram.ts';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { parseQuery, requireRun, requireTag, RunTagQuery } from './params.ts';
import { dict } from '../../shared/dict.ts';

export function histogramsRoutes(d: HttpDeps): Router {
  const r = Router();
  const tags = () => {
    const out = dict<Record<string, TagInfo>>();
    for (const run of d.store.runs()) {
      const t = d.store.histogramTags(run);
      if (t.length > 0) out[run] = Object.fromEntries(t.map((tag) => [tag, d.store.tagInfo(run, tag)]));
    }
    return out;
  };
  const series = (run: string, tag: string) => {
    requireRun(d.store, run);
    requireTag(d.store.histogramTags(run), run, tag, 'histogram');
    return d.store.histograms(run, tag);
  };
  r.get('/data/plugin/histograms/tags', (_req, res) => sendJson(res, tags()));
  r.get('/data/plugin/distributions/tags', (_req, res) => sendJson(res, tags()));
  r.get('/data/plugin/histograms/histograms', (req, res) => {
    const { run, tag } = parseQuery(RunTagQuery, req);
    sendJson(res, series(run, tag));
  });
  r.get('/data/plugin/distributions/distributions', (req, res) => {
    const { run, tag } = parseQuery(RunTagQuery, req);
    const out: DistributionTuple[] = series(run, tag).map(([w, s, buckets]) => [w, s, compressHistogram(buckets, BASIS_POINTS)]);
    sendJson(res, out);
  });
  return r;
}
