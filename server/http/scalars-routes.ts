// TensorBoard's scalars plugin API: tags per run, one series as [[wall_time, step, value], ...] (or CSV with
// ?format=csv), and several runs' series of one tag at once (POST scalars_multirun).
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { parseQuery, requireRun, requireTag, runParam, tagParam } from './params.ts';
import { outStep, tagListing } from './tag-listing.ts';
import { HttpError } from './errors.ts';
import { scalarsCsv } from './csv.ts';
import { scalarWindowFields, windowInOrder, windowScalars, WINDOW_ORDER_MESSAGE, type ScalarWindow } from './scalar-window.ts';

// Optional ?points=N (downsampled: min / max per step bucket) and ?min_step=&max_step= (a step window);
// without them the answer is TensorBoard's, unchanged.
const ScalarsQuery = z
  .object({ run: runParam, tag: tagParam, format: z.enum(['json', 'csv']).default('json'), ...scalarWindowFields })
  .refine(windowInOrder, WINDOW_ORDER_MESSAGE);
/** Form fields of scalars_multirun: one tag, any number of runs (repeated `runs`). */
const MultirunBody = z
  .object({
    tag: tagParam,
    runs: z.union([runParam, z.array(runParam).max(10_000)]).default([]),
    ...scalarWindowFields,
  })
  .refine(windowInOrder, WINDOW_ORDER_MESSAGE);

export function scalarsRoutes(d: HttpDeps): Router {
  const r = Router();
  const series = (run: string, tag: string, w: ScalarWindow = {}) =>
    windowScalars(d.store.scalars(run, tag), w).map(([w, s, v]) => [w, outStep(d.store, run, s), v] as const);
  r.get('/data/plugin/scalars/tags', (_req, res) => {
    sendJson(res, tagListing(d.store, (run) => d.store.scalarTags(run)));
  });
  r.get('/data/plugin/scalars/scalars', (req, res) => {
    const { run, tag, format, ...w } = parseQuery(ScalarsQuery, req);
    requireRun(d.store, run);
    requireTag(d.store.scalarTags(run), run, tag, 'scalar');
    if (format === 'csv') {
      res.type('text/csv').send(scalarsCsv(series(run, tag, w)));
      return;
    }
    sendJson(res, series(run, tag, w));
  });
  // A form: tag=...&runs=a&runs=b, URL-encoded or multipart (TensorBoard's frontend posts FormData).
  // Runs without the tag are left out.
  const form = [
    express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 10_001 }),
    express.raw({ type: 'multipart/form-data', limit: '256kb' }),
  ];
  r.post('/data/plugin/scalars/scalars_multirun', ...form, async (req: Request, res: Response) => {
    let body: unknown = req.body ?? {};
    if (Buffer.isBuffer(req.body)) body = await multipartFields(req.headers['content-type'] ?? '', req.body);
    const parsed = MultirunBody.safeParse(body);
    if (!parsed.success) throw new HttpError(400, z.prettifyError(parsed.error));
    const { runs: named, tag, ...w } = parsed.data;
    const runs = typeof named === 'string' ? [named] : named;
    const out: Record<string, unknown> = {};
    for (const run of runs) {
      if (d.store.hasRun(run) && d.store.scalarTags(run).includes(tag)) out[run] = series(run, tag, w);
    }
    sendJson(res, out);
  });
  return r;
}

/** Fields of a multipart/form-data body (parsed by the platform's Request, no extra dependency). */
async function multipartFields(contentType: string, raw: Buffer): Promise<Record<string, string | string[]>> {
  let fd: FormData;
  try {
    fd = await new globalThis.Request('http://local/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(raw) }).formData();
  } catch (e) {
    throw new HttpError(400, `bad multipart form (${(e as Error).message})`);
  }
  const out: Record<string, string | string[]> = {};
  for (const key of ['tag', 'runs', 'points', 'min_step', 'max_step']) {
    const all = fd.getAll(key).filter((v): v is string => typeof v === 'string');
    if (all.length > 0) out[key] = key === 'runs' ? all : all[0];
  }
  return out;
}
