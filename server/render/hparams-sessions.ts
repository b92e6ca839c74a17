// The hparams plugin's session groups, shaped like TensorBoard 2.21's /session_groups: every run with
// a session_start_info is a session (grouped by its group_name, else its own name); metric values are
// the last point of each metric's scalar in the session's run or sub-run; then TensorBoard's status
// filter, column filters, sort (by name, then the ordered columns), include list, and slice. Pure.
import { RE2JS } from 're2js';
import { z } from 'zod';
import { buildExperiment, type HparamsSource, type HpValue } from './hparams-experiment.ts';

const MetricName = z.object({ group: z.string().max(1024).default(''), tag: z.string().max(1024).default('') });
const STATUSES = ['STATUS_UNKNOWN', 'STATUS_SUCCESS', 'STATUS_FAILURE', 'STATUS_RUNNING'] as const;
const HpVal = z.union([z.string().max(4096), z.number(), z.boolean()]);

/** ListSessionGroupsRequest in proto3 JSON (camelCase names, enum names). */
export const SessionGroupsRequest = z.object({
  experimentName: z.string().max(1024).optional(),
  allowedStatuses: z.array(z.enum(STATUSES)).max(16).default([]),
  colParams: z
    .array(
      z.object({
        metric: MetricName.optional(),
        hparam: z.string().max(1024).optional(),
        order: z.enum(['ORDER_UNSPECIFIED', 'ORDER_ASC', 'ORDER_DESC']).default('ORDER_UNSPECIFIED'),
        missingValuesFirst: z.boolean().default(false),
        filterRegexp: z.string().max(1024).optional(),
        filterInterval: z.object({ minValue: z.number().default(0), maxValue: z.number().default(0) }).optional(),
        filterDiscrete: z.array(HpVal).max(10_000).optional(),
        excludeMissingValues: z.boolean().default(false),
        includeInResult: z.boolean().optional(),
      }),
    )
    .max(10_000)
    .default([]),
  startIndex: z.number().int().min(0).default(0),
  sliceSize: z.number().int().min(0).default(0),
  aggregationType: z.enum(['AGGREGATION_UNSET', 'AGGREGATION_AVG', 'AGGREGATION_MEDIAN', 'AGGREGATION_MIN', 'AGGREGATION_MAX']).default('AGGREGATION_UNSET'),
  aggregationMetric: MetricName.optional(),
  includeMetrics: z.boolean().optional(),
});
export type SessionGroupsRequest = z.infer<typeof SessionGroupsRequest>;
type ColParam = SessionGroupsRequest['colParams'][number];

export interface MetricValueJson {
  name: { group: string; tag: string };
  wallTimeSecs: number;
  trainingStep: number;
  value: number;
}
export interface SessionJson {
  name: string;
  startTimeSecs: number;
  endTimeSecs: number;
  modelUri: string;
  monitorUrl: string;
  status: string;
  metricValues: MetricValueJson[];
}
export interface SessionGroupJson {
  name: string;
  hparams: Record<string, HpValue>;
  metricValues: MetricValueJson[];
  sessions: SessionJson[];
  monitorUrl: string;
}

/** A request TensorBoard would refuse (its HParamsError): answered with a 400. */
export class HparamsRequestError extends Error {}

const sameMetric = (a: { group: string; tag: string }, b: { group: string; tag: string }): boolean => a.group === b.group && a.tag === b.tag;
const findMetric = (vals: MetricValueJson[], m: { group: string; tag: string }): MetricValueJson | undefined => vals.find((v) => sameMetric(v.name, m));

function aggregate(g: SessionGroupJson, req: SessionGroupsRequest): void {
  const t = req.aggregationType;
  if (t === 'AGGREGATION_UNSET' || t === 'AGGREGATION_AVG') {
    const stats = new Map<string, { name: { group: string; tag: string }; total: number; count: number; step: number; wall: number }>();
    for (const s of g.sessions) {
      for (const mv of s.metricValues) {
        const k = JSON.stringify([mv.name.group, mv.name.tag]);
        const st = stats.get(k) ?? { name: mv.name, total: 0, count: 0, step: 0, wall: 0 };
        st.total += mv.value;
        st.count++;
        st.step += mv.trainingStep;
        st.wall += mv.wallTimeSecs;
        stats.set(k, st);
      }
    }
    g.metricValues = [...stats.values()].map((st) => ({
      name: { ...st.name },
      value: st.total / st.count,
      trainingStep: Math.floor(st.step / st.count),
      wallTimeSecs: st.wall / st.count,
    }));
    return;
  }
  const m = req.aggregationMetric ?? { group: '', tag: '' };
  const ms = g.sessions.flatMap((s, i) => {
    const v = findMetric(s.metricValues, m);
    return v ? [{ v: v.value, i }] : [];
  });
  if (ms.length === 0) throw new HparamsRequestError(`no session of group "${g.name}" has the aggregation metric "${m.group}.${m.tag}"`);
  let pick: number;
  if (t === 'AGGREGATION_MEDIAN') pick = ms.slice().sort((a, b) => a.v - b.v)[Math.floor((ms.length - 1) / 2)].i;
  else pick = ms.reduce((best, x) => ((t === 'AGGREGATION_MIN' ? x.v < best.v : x.v > best.v) ? x : best)).i;
  g.metricValues = g.sessions[pick].metricValues.map((v) => ({ ...v, name: { ...v.name } }));
}

type Extractor = (g: SessionGroupJson) => HpValue | undefined;

function extractor(c: ColParam): Extractor {
  if (c.metric) {
    const m = c.metric;
    return (g) => findMetric(g.metricValues, m)?.value;
  }
  if (c.hparam !== undefined && c.hparam !== '') {
    const h = c.hparam;
    return (g) => (Object.prototype.hasOwnProperty.call(g.hparams, h) ? g.hparams[h] : undefined);
  }
  throw new HparamsRequestError('Got ColParam with both "metric" and "hparam" fields unset');
}

function filterFn(c: ColParam, ex: Extractor): ((g: SessionGroupJson) => boolean) | undefined {
  const includeMissing = !c.excludeMissingValues;
  let test: (v: HpValue) => boolean;
  if (c.filterRegexp !== undefined) {
    let re: RE2JS;
    try {
      re = RE2JS.compile(c.filterRegexp);
    } catch (e) {
      throw new HparamsRequestError(`invalid filterRegexp "${c.filterRegexp}": ${(e as Error).message}`);
    }
    test = (v) => {
      if (typeof v !== 'string') throw new HparamsRequestError(`Cannot use a regexp filter for a value of type ${typeof v}. Value: ${String(v)}`);
      return re.matcher(v).find();
    };
  } else if (c.filterInterval) {
    const { minValue, maxValue } = c.filterInterval;
    test = (v) => {
      if (typeof v === 'string') throw new HparamsRequestError(`Cannot use an interval filter for a value of type: string, Value: ${v}`);
      return minValue <= Number(v) && Number(v) <= maxValue;
    };
  } else if (c.filterDiscrete) {
    const set = c.filterDiscrete;
    // Python's `in`: True == 1.0, so booleans compare as numbers with numbers.
    test = (v) => set.some((x) => x === v || (typeof x !== 'string' && typeof v !== 'string' && Number(x) === Number(v)));
  } else if (includeMissing) return undefined;
  else test = () => true;
  return (g) => {
    const v = ex(g);
    return v === undefined ? includeMissing : test(v);
  };
}

/** Python-like ordering of hparam / metric values (bools as numbers; strings after numbers). */
function cmp(a: HpValue, b: HpValue): number {
  const an = typeof a !== 'string';
  const bn = typeof b !== 'string';
  if (an && bn) return Number(a) - Number(b);
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortGroups(groups: SessionGroupJson[], cols: ColParam[], exs: Extractor[]): void {
  groups.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = cols.length - 1; i >= 0; i--) {
    const c = cols[i];
    if (c.order === 'ORDER_UNSPECIFIED') continue;
    const ex = exs[i];
    // TensorBoard: ascending puts missing last unless missingValuesFirst; descending (a reversed sort,
    // still stable) puts missing first only when missingValuesFirst.
    const missingLast = c.order === 'ORDER_ASC' ? !c.missingValuesFirst : !c.missingValuesFirst;
    const dir = c.order === 'ORDER_ASC' ? 1 : -1;
    groups.sort((a, b) => {
      const va = ex(a);
      const vb = ex(b);
      if (va === undefined || vb === undefined) {
        if (va === vb) return 0;
        return (va === undefined ? 1 : -1) * (missingLast ? 1 : -1);
      }
      return dir * cmp(va, vb);
    });
  }
}

/** TensorBoard's ListSessionGroups answer. Throws HparamsRequestError for a request it would refuse. */
export function listSessionGroups(src: HparamsSource, req: SessionGroupsRequest): { sessionGroups: SessionGroupJson[]; totalSize: number } {
  const includeMetrics = req.includeMetrics ?? true;
  const metricInfos = includeMetrics ? buildExperiment(src, true).metricInfos : [];
  const exs = req.colParams.map(extractor);
  const filters = req.colParams.flatMap((c, i) => filterFn(c, exs[i]) ?? []);
  const allowed = new Set<string>(req.allowedStatuses);
  const byName = new Map<string, SessionGroupJson>();
  for (const { run, detail } of src.runs) {
    const st = detail.start;
    if (!st) continue;
    const metricValues: MetricValueJson[] = [];
    for (const mi of metricInfos) {
      const mrun = mi.name.group ? `${run}/${mi.name.group}`.replace(/\/$/, '') : run;
      const last = src.lastScalar(mrun, mi.name.tag);
      if (last) metricValues.push({ name: { ...mi.name }, wallTimeSecs: last.wallTime, trainingStep: last.step, value: last.value });
    }
    const session: SessionJson = {
      name: run,
      startTimeSecs: st.startTimeSecs,
      endTimeSecs: detail.end?.endTimeSecs ?? 0,
      modelUri: st.modelUri,
      monitorUrl: st.monitorUrl,
      status: detail.end?.status ?? 'STATUS_UNKNOWN',
      metricValues,
    };
    if (!allowed.has(session.status)) continue;
    const gname = st.groupName || run;
    const g = byName.get(gname);
    if (g) g.sessions.push(session);
    else byName.set(gname, { name: gname, hparams: { ...st.hparams }, metricValues: [], sessions: [session], monitorUrl: st.monitorUrl });
  }
  let groups = [...byName.values()];
  for (const g of groups) {
    g.sessions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    aggregate(g, req);
  }
  groups = groups.filter((g) => filters.every((f) => f(g)));
  sortGroups(groups, req.colParams, exs);
  if (req.colParams.some((c) => c.includeInResult !== undefined)) {
    const keep = new Set(req.colParams.filter((c) => c.includeInResult !== false && c.hparam).map((c) => c.hparam as string));
    for (const g of groups) g.hparams = Object.fromEntries(Object.entries(g.hparams).filter(([k]) => keep.has(k)));
  }
  return { sessionGroups: groups.slice(req.startIndex, req.startIndex + req.sliceSize), totalSize: groups.length };
}
