// TensorBoard's histograms and distributions plugin APIs. Distributions are the histograms compressed
// to basis points (shared/histogram.ts), computed on request.
import { Router } from 'express';
import { BASIS_POINTS, compressHistogram } from '../../shared/histogram.ts';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { parseQuery, requireRun, requireTag, RunTagQuery } from './params.ts';
import { outStep, tagListing } from './tag-listing.ts';

export function histogramsRoutes(d: HttpDeps): Router {
  const r = Router();
  const tags = () => tagListing(d.store, (run) => d.store.histogramTags(run));
  const series = (run: string, tag: string) => {
    requireRun(d.store, run);
    requireTag(d.store.histogramTags(run), run, tag, 'histogram');
    return d.store.histograms(run, tag);
  };
  r.get('/data/plugin/histograms/tags', (_req, res) => sendJson(res, tags()));
  r.get('/data/plugin/distributions/tags', (_req, res) => sendJson(res, tags()));
  r.get('/data/plugin/histograms/histograms', (req, res) => {
    const { run, tag } = parseQuery(RunTagQuery, req);
    sendJson(res, series(run, tag).map(([w, s, buckets]) => [w, outStep(d.store, run, s), buckets]));
  });
  r.get('/data/plugin/distributions/distributions', (req, res) => {
    const { run, tag } = parseQuery(RunTagQuery, req);
    sendJson(res, series(run, tag).map(([w, s, buckets]) => [w, outStep(d.store, run, s), compressHistogram(buckets, BASIS_POINTS)]));
  });
  return r;
}
