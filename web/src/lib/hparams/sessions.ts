// Sessions and columns of the HPARAMS tab, from the experiment and session groups: a column per
// hyper-parameter and per metric (keyed "h:name" / "m:group:tag"), one session per group with its values
// and a status that prefers what the dashboard knows live (a trainer run's state) over the log's. Pure.
import type { RunInfo } from '../../../../shared/types.ts';
import type { Experiment, HpValue, MetricName, SessionGroup } from './types.ts';

export type ColumnKind = 'hparam' | 'metric';
export interface Column {
  key: string;
  kind: ColumnKind;
  label: string;
  /** As the log describes it ('' when it does not). */
  description: string;
  /** Hyper-parameter name, or the metric. */
  hparam?: string;
  metric?: MetricName;
  /** Every value is a number (booleans and strings make a categorical column). */
  numeric: boolean;
  /** Filtered by ticking values (categorical, or a declared discrete domain), else by min / max. */
  discrete: boolean;
  /** Categorical / discrete values in order (domain first, then values seen), as their string form. */
  values: string[];
  /** Sessions disagree on it (hyper-parameters the same everywhere start hidden, as in TensorBoard). */
  differs: boolean;
}

export type SessionStatus = 'running' | 'queued' | 'success' | 'failure' | 'stopped' | 'unknown';
export interface Session {
  /** Group name (the run, unless the log grouped sessions). */
  name: string;
  /** The run holding the session's scalars (its first session). */
  run: string;
  /** What the views show: the run, unless several runs share the group (TensorBoard's trial ids are hashes). */
  label: string;
  values: Record<string, HpValue | undefined>;
  status: SessionStatus;
  /** Last training step of any metric (what the live values belong to). */
  step: number | null;
}

export const hparamKey = (name: string): string => `h:${name}`;
/** Groups are run sub-directories (no ":"), so the first ":" after the prefix splits group from tag. */
export const metricKey = (m: MetricName): string => `m:${m.group}:${m.tag}`;

/** The run holding a metric's scalar series: the session's run, or its sub-run named by the metric group. */
export function metricRun(session: string, m: MetricName): string {
  return m.group ? `${session}/${m.group}` : session;
}

export function valueLabel(v: HpValue | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString();
  return String(v);
}

function metricLabel(m: MetricName, display: string): string {
  if (display) return display;
  return m.group ? `${m.group}/${m.tag}` : m.tag;
}

/** Columns: hyper-parameters (experiment order, then any only seen in sessions), then metrics. */
export function buildColumns(exp: Experiment, groups: readonly SessionGroup[]): Column[] {
  const cols: Column[] = [];
  const seen = new Map<string, HpValue[]>();
  for (const g of groups) for (const [k, v] of Object.entries(g.hparams)) (seen.get(k) ?? seen.set(k, []).get(k)!).push(v);
  const infos = new Map(exp.hparamInfos.map((h) => [h.name, h]));
  const names = [...exp.hparamInfos.map((h) => h.name), ...[...seen.keys()].filter((k) => !infos.has(k)).sort()];
  for (const name of names) {
    const info = infos.get(name);
    const vals = seen.get(name) ?? [];
    const domain = info?.domainDiscrete ?? [];
    const all = [...domain, ...vals];
    const numeric = all.length > 0 && all.every((v) => typeof v === 'number');
    const discrete = !numeric || (domain.length > 0 && !info?.domainInterval);
    const ordered = numeric ? [...new Set(all as number[])].sort((a, b) => a - b).map(valueLabel) : [...new Set(domain.map(valueLabel))].concat([...new Set(vals.map(valueLabel))].sort());
    // Missing in some session counts as a difference; with one session there is nothing to compare.
    const differs = groups.length <= 1 || new Set(vals.map(valueLabel)).size > 1 || vals.length < groups.length;
    cols.push({ key: hparamKey(name), kind: 'hparam', label: info?.displayName || name, description: info?.description ?? '', hparam: name, numeric, discrete, values: discrete ? [...new Set(ordered)] : [], differs });
  }
  for (const mi of exp.metricInfos) {
    cols.push({ key: metricKey(mi.name), kind: 'metric', label: metricLabel(mi.name, mi.displayName), description: mi.description, metric: mi.name, numeric: true, discrete: false, values: [], differs: true });
  }
  return cols;
}

const LOG_STATUS: Record<string, SessionStatus> = { STATUS_SUCCESS: 'success', STATUS_FAILURE: 'failure', STATUS_RUNNING: 'running' };
const RUN_STATE: Record<string, SessionStatus> = {
  queued: 'queued',
  running: 'running',
  finished: 'success',
  failed: 'failure',
  stopped: 'stopped',
  interrupted: 'stopped',
};

/** A session's status: the trainer's live state, else how its log says it ended (no end yet = unknown). */
export function sessionStatus(logStatus: string, endTimeSecs: number, info: RunInfo | undefined): SessionStatus {
  const live = info?.status?.state ?? info?.logStatus;
  if (live) return RUN_STATE[live] ?? 'unknown';
  if (LOG_STATUS[logStatus]) return LOG_STATUS[logStatus];
  // TensorBoard writes an aborted session as STATUS_UNKNOWN with an end time.
  return endTimeSecs > 0 ? 'stopped' : 'unknown';
}

export function buildSessions(groups: readonly SessionGroup[], cols: readonly Column[], runInfo: (run: string) => RunInfo | undefined): Session[] {
  return groups.map((g) => {
    const values: Record<string, HpValue | undefined> = {};
    let step: number | null = null;
    for (const c of cols) {
      if (c.hparam !== undefined) values[c.key] = Object.prototype.hasOwnProperty.call(g.hparams, c.hparam) ? g.hparams[c.hparam] : undefined;
      else if (c.metric) {
        const m = c.metric;
        const mv = g.metricValues.find((v) => v.name.group === m.group && v.name.tag === m.tag);
        values[c.key] = mv?.value;
        if (mv && (step === null || mv.trainingStep > step)) step = mv.trainingStep;
      }
    }
    const first = g.sessions[0];
    const run = first?.name ?? g.name;
    const label = g.sessions.length > 1 ? `${g.name} (${g.sessions.length} runs)` : run;
    return { name: g.name, run, label, values, step, status: sessionStatus(first?.status ?? '', first?.endTimeSecs ?? 0, runInfo(first?.name ?? g.name)) };
  });
}

/** Whether a column is shown: hidden by the user, else shown by the user, else when sessions differ on it. */
export function isShown(c: Column, hidden: readonly string[], shown: readonly string[]): boolean {
  if (hidden.includes(c.key)) return false;
  return c.differs || shown.includes(c.key);
}

/** hidden / shown lists after the user flips a column. */
export function flipShown(c: Column, hidden: readonly string[], shown: readonly string[]): { hidden: string[]; shown: string[] } {
  const on = isShown(c, hidden, shown);
  const h = hidden.filter((k) => k !== c.key);
  const s = shown.filter((k) => k !== c.key);
  if (on) h.push(c.key);
  else if (!c.differs) s.push(c.key);
  return { hidden: h, shown: s };
}

/**
 * Trainer runs the plugin does not list yet (queued, or stopped before their log had a session): groups
 * made from the hyper-parameters the server announced, so a sweep shows every run from the start.
 */
export function pendingTrainerGroups(runs: readonly RunInfo[], groups: readonly SessionGroup[]): SessionGroup[] {
  const known = new Set(groups.flatMap((g) => [g.name, ...g.sessions.map((s) => s.name)]));
  return runs
    .filter((r) => r.source === 'trainer' && r.hparams && !known.has(r.name))
    .map((r) => ({ name: r.name, hparams: { ...r.hparams }, metricValues: [], sessions: [{ name: r.name, status: '', endTimeSecs: 0, metricValues: [] }] }));
}

/** Groups with a run among the dashboard's selected runs (the sidebar picks runs for every tab, this one too). */
export function selectedGroups(groups: readonly SessionGroup[], selected: ReadonlySet<string>): SessionGroup[] {
  return groups.filter((g) => g.sessions.some((s) => selected.has(s.name)));
}
