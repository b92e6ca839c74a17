// The hparams plugin's experiment, shaped like TensorBoard 2.21's /experiment: the first run (in name
// order) holding an experiment summary wins; without one, hyper-parameter infos are inferred from the
// session_start_info values and metric infos from the scalar tags of the session runs and their
// sub-runs, as TensorBoard's backend_context does. Pure.
import type { ExperimentRecord, HparamInfoRecord } from '../logs/records.ts';
import type { HparamsDetail } from '../store/series-store.ts';

export type HpValue = string | number | boolean;

/** What the hparams answers read from the store, in run-name order. */
export interface HparamsSource {
  /** Runs with any hparams summary, sorted by name. */
  runs: { run: string; detail: HparamsDetail }[];
  /** Every run's scalar tags (for metric inference). */
  scalarTags: Map<string, string[]>;
  /** The last point of a scalar series (TensorBoard's read_last_scalars). */
  lastScalar(run: string, tag: string): { wallTime: number; step: number; value: number } | undefined;
}

export interface HparamInfoJson {
  name: string;
  displayName: string;
  description: string;
  type: string;
  differs: boolean;
  domainDiscrete?: HpValue[];
  domainInterval?: { minValue: number; maxValue: number };
}
export interface MetricInfoJson {
  name: { group: string; tag: string };
  displayName: string;
  description: string;
  datasetType: string;
}
export interface ExperimentJson {
  name: string;
  description: string;
  user: string;
  timeCreatedSecs: number;
  hparamInfos: HparamInfoJson[];
  metricInfos: MetricInfoJson[];
}

const typeOf = (v: HpValue): string => (typeof v === 'number' ? 'DATA_TYPE_FLOAT64' : typeof v === 'boolean' ? 'DATA_TYPE_BOOL' : 'DATA_TYPE_STRING');

/** Python's JSON form of a protobuf Value (used for string domains of mixed-type hparams). */
function valueAsString(v: HpValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

function inferInfo(name: string, values: HpValue[]): HparamInfoRecord {
  let type = 'DATA_TYPE_UNSET';
  for (const v of values) {
    const t = typeOf(v);
    if (type === 'DATA_TYPE_UNSET') type = t;
    else if (type !== t) type = 'DATA_TYPE_STRING';
    if (type === 'DATA_TYPE_STRING') break;
  }
  const info: HparamInfoRecord = { name, displayName: '', description: '', type, differs: false };
  if (type === 'DATA_TYPE_STRING') {
    // TensorBoard lists a Python set (unordered); we sort for a stable answer.
    const distinct = [...new Set(values.map(valueAsString))].sort();
    info.domainDiscrete = distinct;
    info.differs = distinct.length > 1;
  } else if (type === 'DATA_TYPE_BOOL') {
    const distinct = [...new Set(values as boolean[])].sort((a, b) => Number(a) - Number(b));
    info.domainDiscrete = distinct;
    info.differs = distinct.length > 1;
  } else {
    const nums = (values as number[]).slice().sort((a, b) => a - b);
    info.domainInterval = { minValue: nums[0], maxValue: nums[nums.length - 1] };
    info.differs = new Set(nums).size > 1;
  }
  return info;
}

/** The longest run in `sessions` that is `run` or one of its parent paths. */
export function longestParent(sessions: Set<string>, run: string): string | undefined {
  let p = run;
  for (;;) {
    if (sessions.has(p)) return p;
    if (!p) return undefined;
    const i = p.lastIndexOf('/');
    p = i < 0 ? '' : p.slice(0, i);
  }
}

/** (tag, group) of every scalar of a session run or its sub-runs, sorted like Python tuples. */
export function inferMetricNames(src: HparamsSource, sessions: Set<string>): { group: string; tag: string }[] {
  const seen = new Map<string, { group: string; tag: string }>();
  for (const [run, tags] of src.scalarTags) {
    const session = longestParent(sessions, run);
    if (session === undefined) continue;
    const group = run === session ? '' : session === '' ? run : run.slice(session.length + 1);
    for (const tag of tags) seen.set(JSON.stringify([tag, group]), { group, tag });
  }
  return [...seen.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

function toJson(x: ExperimentRecord, includeMetrics: boolean, limit: number): ExperimentJson {
  const infos = x.hparamInfos
    .map((h): HparamInfoJson => ({
      name: h.name,
      displayName: h.displayName,
      description: h.description,
      type: h.type,
      differs: h.differs,
      ...(h.domainDiscrete ? { domainDiscrete: [...h.domainDiscrete] } : {}),
      ...(h.domainInterval ? { domainInterval: { ...h.domainInterval } } : {}),
    }))
    .sort((a, b) => Number(!a.differs) - Number(!b.differs) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    name: x.name,
    description: x.description,
    user: x.user,
    timeCreatedSecs: x.timeCreatedSecs,
    hparamInfos: limit > 0 ? infos.slice(0, limit) : infos,
    metricInfos: includeMetrics
      ? x.metricInfos.map((m) => ({ name: { group: m.group, tag: m.tag }, displayName: m.displayName, description: m.description, datasetType: m.datasetType }))
      : [],
  };
}

const EMPTY: ExperimentRecord = { name: '', description: '', user: '', timeCreatedSecs: 0, hparamInfos: [], metricInfos: [] };

/** TensorBoard's GetExperiment answer. `hparamsLimit` 0 = all. */
export function buildExperiment(src: HparamsSource, includeMetrics = true, hparamsLimit = 0): ExperimentJson {
  const declared = src.runs.find((r) => r.detail.experiment)?.detail.experiment;
  if (declared) return toJson(declared, includeMetrics, hparamsLimit);
  const values = new Map<string, HpValue[]>();
  const sessions = new Set<string>();
  for (const { run, detail } of src.runs) {
    if (!detail.start) continue;
    sessions.add(run);
    for (const [k, v] of Object.entries(detail.start.hparams)) {
      let list = values.get(k);
      if (!list) values.set(k, (list = []));
      list.push(v);
    }
  }
  const hparamInfos = [...values].map(([k, vs]) => inferInfo(k, vs));
  if (hparamInfos.length === 0) return toJson(EMPTY, includeMetrics, 0);
  const metricInfos = includeMetrics
    ? inferMetricNames(src, sessions).map((n) => ({ ...n, displayName: '', description: '', datasetType: 'DATASET_UNKNOWN' }))
    : [];
  return toJson({ ...EMPTY, hparamInfos, metricInfos }, includeMetrics, hparamsLimit);
}
