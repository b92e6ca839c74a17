// HParams plugin (TensorBoard's /data/plugin/hparams/*): the experiment, session groups (filters,
// sorting, paging, aggregation), the table download, and our own /runs (every run's hyper-parameters).
import { Router, type Request } from 'express';
import { dict } from '../../shared/dict.ts';
import { z } from 'zod';
import { buildExperiment, type HparamsSource } from '../render/hparams-experiment.ts';
import { downloadTable, renderDownload } from '../render/hparams-download.ts';
import { HparamsRequestError, listSessionGroups, SessionGroupsRequest } from '../render/hparams-sessions.ts';
import type { SeriesStore } from '../store/series-store.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { sendJson, toTensorBoardJson } from './json.ts';
import { parseQuery } from './params.ts';

const ExperimentRequest = z.object({
  experimentName: z.string().max(1024).optional(),
  includeMetrics: z.boolean().optional(),
  hparamsLimit: z.number().int().min(0).optional(),
});
const MetricEvalsRequest = z.object({
  experimentName: z.string().max(1024).optional(),
  sessionName: z.string().max(1024).default(''),
  metricName: z.object({ group: z.string().max(1024).default(''), tag: z.string().max(1024).default('') }).default({ group: '', tag: '' }),
});
const DownloadQuery = z.object({
  format: z.enum(['json', 'csv', 'latex'], { error: 'format must be json, csv or latex' }),
  request: z.string({ error: 'request is required (JSON)' }).max(1_000_000),
  columnsVisibility: z.string({ error: 'columnsVisibility is required (JSON list of booleans)' }).max(100_000),
});

/** What the hparams answers read, from the store (runs in name order). */
export function hparamsSource(store: SeriesStore): HparamsSource {
  const runs = [...store.runs()].sort();
  const scalarTags = new Map<string, string[]>();
  const withHp: HparamsSource['runs'] = [];
  for (const run of runs) {
    scalarTags.set(run, store.scalarTags(run));
    const detail = store.hparamsDetail(run);
    if (detail.experiment || detail.start || detail.end) withHp.push({ run, detail });
  }
  return {
    runs: withHp,
    scalarTags,
    lastScalar(run, tag) {
      const p = store.lastScalar(run, tag);
      return p ? { wallTime: p[0], step: p[1], value: p[2] } : undefined;
    },
  };
}

function parseBody<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) throw new HttpError(400, `Expected a JSON-formatted request: ${z.prettifyError(r.error)}`);
  return r.data;
}

function jsonParam(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `${what} is not JSON (${(e as Error).message})`);
  }
}

function sessionGroups(d: HttpDeps, req: SessionGroupsRequest) {
  try {
    return listSessionGroups(hparamsSource(d.store), req);
  } catch (e) {
    if (e instanceof HparamsRequestError) throw new HttpError(400, e.message);
    throw e;
  }
}

const body = (req: Request): unknown => req.body;

export function hparamsRoutes(d: HttpDeps): Router {
  const r = Router();
  r.post('/data/plugin/hparams/experiment', (req, res) => {
    const q = parseBody(ExperimentRequest, body(req));
    sendJson(res, buildExperiment(hparamsSource(d.store), q.includeMetrics ?? true, q.hparamsLimit ?? 0));
  });
  r.post('/data/plugin/hparams/session_groups', (req, res) => {
    sendJson(res, sessionGroups(d, parseBody(SessionGroupsRequest, body(req))));
  });
  // One metric of one session over time: the scalar series of session[/group] and tag.
  r.post('/data/plugin/hparams/metric_evals', (req, res) => {
    const q = parseBody(MetricEvalsRequest, body(req));
    const run = q.metricName.group ? `${q.sessionName}/${q.metricName.group}`.replace(/\/$/, '') : q.sessionName;
    if (!d.store.scalarTags(run).includes(q.metricName.tag)) throw new HttpError(400, `run "${run}" has no scalar tag "${q.metricName.tag}"`);
    sendJson(res, d.store.scalars(run, q.metricName.tag));
  });
  r.get('/data/plugin/hparams/download_data', (req, res) => {
    const q = parseQuery(DownloadQuery, req);
    const sg = parseBody(SessionGroupsRequest, jsonParam(q.request, 'request'));
    const vis = z.array(z.boolean()).max(100_000).safeParse(jsonParam(q.columnsVisibility, 'columnsVisibility'));
    if (!vis.success) throw new HttpError(400, 'columnsVisibility must be a JSON list of booleans');
    const groups = sessionGroups(d, sg).sessionGroups;
    const x = buildExperiment(hparamsSource(d.store), sg.includeMetrics ?? true);
    const out = renderDownload(downloadTable(x, groups, vis.data), q.format);
    if (typeof out.body === 'string') res.type(out.type).send(out.body);
    else res.type(out.type).send(toTensorBoardJson(out.body));
  });
  r.get('/data/plugin/hparams/runs', (_req, res) => {
    const out = dict<Record<string, string | number | boolean>>();
    for (const info of d.runs.list()) if (info.hparams) out[info.name] = info.hparams;
    sendJson(res, out);
  });
  return r;
}
