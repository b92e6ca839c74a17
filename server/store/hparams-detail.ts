// One run's hparams summaries as TensorBoard's hparams plugin reads them: the first experiment, the
// (merged) session start and the session end. Pure; bounded by the caller's key limit.
import type { ExperimentRecord, HparamsRecord } from '../logs/records.ts';

export interface HparamsDetail {
  experiment?: ExperimentRecord;
  start?: {
    hparams: Record<string, string | number | boolean>;
    groupName: string;
    startTimeSecs: number;
    modelUri: string;
    monitorUrl: string;
  };
  end?: { status: string; endTimeSecs: number };
}

export function noteHparamsDetail(d: HparamsDetail, rec: HparamsRecord, maxKeys: number): void {
  if (rec.part === 'experiment' && rec.experiment && !d.experiment) {
    const x = rec.experiment;
    d.experiment = { ...x, hparamInfos: x.hparamInfos.slice(0, maxKeys), metricInfos: x.metricInfos.slice(0, maxKeys) };
  } else if (rec.part === 'session_start') {
    // Via a Map so a key like "__proto__" stays a plain own property.
    const merged = new Map(Object.entries(d.start?.hparams ?? {}));
    for (const [k, v] of Object.entries(rec.hparams ?? {})) {
      if (merged.has(k) || merged.size < maxKeys) merged.set(k, v);
    }
    d.start = {
      hparams: Object.fromEntries(merged),
      groupName: rec.groupName ?? d.start?.groupName ?? '',
      startTimeSecs: rec.startTimeSecs ?? d.start?.startTimeSecs ?? 0,
      modelUri: rec.modelUri ?? d.start?.modelUri ?? '',
      monitorUrl: rec.monitorUrl ?? d.start?.monitorUrl ?? '',
    };
  } else if (rec.part === 'session_end' && rec.status) {
    d.end = { status: rec.status, endTimeSecs: rec.endTimeSecs ?? 0 };
  }
}
