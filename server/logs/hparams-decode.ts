// The hparams plugin's summary metadata (HParamsPluginData) -> an hparams record, as TensorBoard reads
// it: the experiment's config, a session's start (its values) or a session's end (its status).
import type protobuf from 'protobufjs';
import { dict } from '../../shared/dict.ts';
import { capTag } from './names.ts';
import type { ExperimentRecord, HparamInfoRecord, HparamsRecord } from './records.ts';
import { PB } from './tfevents-schema.ts';

type Msg = Record<string, any>;

/** Where the summary value stands: its event's time and step, and its tag. */
export interface ValueBase {
  wallTime: number;
  step: number;
  tag: string;
}

/**
 * The record of a summary value's hparams metadata (`md`: protobufjs's SummaryMetadata); undefined when
 * its plugin data holds none of the three parts. Throws on plugin data that does not decode.
 */
export function hparamsRecord(md: Msg, base: ValueBase): HparamsRecord | undefined {
  const content: Uint8Array | undefined = md.plugin_data?.content;
  const d = PB.HParamsPluginData.decode(content ?? new Uint8Array(0)) as unknown as Msg;
  switch (d.data as string | undefined) {
    case 'experiment': {
      const x = d.experiment;
      const metrics = ((x.metric_infos ?? []) as Msg[]).map((m) => {
        const g: string = m.name?.group ?? '';
        const t: string = m.name?.tag ?? '';
        return capTag(g ? `${g}/${t}` : t);
      });
      const hparams = dict<string | number | boolean>();
      for (const h of (x.hparam_infos ?? []) as Msg[]) hparams[h.name] = h.display_name || h.name;
      return { kind: 'hparams', ...base, part: 'experiment', metrics, hparams, experiment: experimentRecord(x) };
    }
    case 'session_start_info': {
      const hparams = dict<string | number | boolean>();
      for (const [k, v] of Object.entries((d.session_start_info.hparams ?? {}) as Record<string, Msg>)) {
        const x = hparamValue(v);
        if (x !== undefined) hparams[k] = x;
      }
      const si = d.session_start_info;
      return {
        kind: 'hparams', ...base, part: 'session_start', hparams,
        groupName: si.group_name ?? '', startTimeSecs: si.start_time_secs ?? 0, modelUri: si.model_uri ?? '', monitorUrl: si.monitor_url ?? '',
      };
    }
    case 'session_end_info': {
      const st = d.session_end_info.status ?? 0;
      return { kind: 'hparams', ...base, part: 'session_end', status: PB.HParamStatus.valuesById[st] ?? String(st), endTimeSecs: d.session_end_info.end_time_secs ?? 0 };
    }
    default:
      return undefined;
  }
}

function hparamValue(v: Msg): string | number | boolean | undefined {
  switch (v.kind as string | undefined) {
    case 'number_value':
      return v.number_value;
    case 'string_value':
      return v.string_value;
    case 'bool_value':
      return v.bool_value;
    default:
      return undefined;
  }
}

/** api.proto Experiment -> ExperimentRecord (enum names as TensorBoard's JSON writes them). */
function experimentRecord(x: Msg): ExperimentRecord {
  const enumName = (e: protobuf.Enum, n: unknown): string => e.valuesById[Number(n ?? 0)] ?? String(n);
  return {
    name: x.name ?? '',
    description: x.description ?? '',
    user: x.user ?? '',
    timeCreatedSecs: x.time_created_secs ?? 0,
    hparamInfos: ((x.hparam_infos ?? []) as Msg[]).map((h) => {
      const info: HparamInfoRecord = {
        name: h.name ?? '',
        displayName: h.display_name ?? '',
        description: h.description ?? '',
        type: enumName(PB.HParamDataType, h.type),
        differs: h.differs ?? false,
      };
      if (h.domain === 'domain_discrete') {
        info.domainDiscrete = ((h.domain_discrete?.values ?? []) as Msg[]).map(hparamValue).filter((v) => v !== undefined);
      } else if (h.domain === 'domain_interval') {
        info.domainInterval = { minValue: h.domain_interval.min_value ?? 0, maxValue: h.domain_interval.max_value ?? 0 };
      }
      return info;
    }),
    metricInfos: ((x.metric_infos ?? []) as Msg[]).map((m) => ({
      group: m.name?.group ?? '',
      tag: m.name?.tag ?? '',
      displayName: m.display_name ?? '',
      description: m.description ?? '',
      datasetType: enumName(PB.DatasetType, m.dataset_type),
    })),
  };
}
